import { join } from 'node:path';
import { JsonObjectReader, expectArray, readJsonFile } from './json-reader';
import { TELEMESSAGE_PRODUCTS, type TeleMessageProduct } from './telemessage-item';

/**
 * One connector as the demo command creates it. Only the fields below are checked here; the
 * pipeline owns the meaning of the rest, so further fields pass through untouched.
 */
export interface ScenarioConnector {
  id: string;
  product: TeleMessageProduct;
  username: string;
  password: string;
  autoMapping: boolean;
  /** ISO 3166 region used to read phone numbers written without a country code, e.g. "US". */
  defaultRegion: string;
  folderName?: string;
  /** RFC 3339 UTC instant from which the first fetch starts. */
  startFrom?: string;
  /** Mapping CSV, interpreted by the pipeline (by convention a path relative to the scenario folder). */
  mappingCsv?: string;
  /** `archive-api` (default) or `eml-drop`: the connector takes TeleMessage's EML export ZIPs, which the demo delivers. */
  transport?: string;
  [field: string]: unknown;
}

/** `<scenario>/connectors.json`. */
export function connectorsFile(scenarioDir: string): string {
  return join(scenarioDir, 'connectors.json');
}

/** Loads `<scenario>/connectors.json`, checking the listed fields and keeping every other field. */
export async function loadScenarioConnectors(scenarioDir: string): Promise<ScenarioConnector[]> {
  const file = connectorsFile(scenarioDir);
  const seen = new Set<string>();
  return expectArray(await readJsonFile(file), { file }).map((element, index) => {
    const reader = JsonObjectReader.from(element, { file, index });
    const id = reader.string('id');
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) {
      reader.fail('id', `"${id}" must be 1-63 lower-case letters, digits or dashes, starting with a letter or digit`);
    }
    if (seen.has(id)) reader.fail('id', `duplicate connector id "${id}"`);
    seen.add(id);
    reader.oneOf('product', TELEMESSAGE_PRODUCTS);
    reader.string('username');
    reader.string('password');
    reader.boolean('autoMapping');
    const region = reader.string('defaultRegion');
    if (!/^[A-Z]{2}$/.test(region)) reader.fail('defaultRegion', `"${region}" is not a two-letter region code such as "US"`);
    reader.optionalString('folderName');
    reader.optionalInstant('startFrom');
    reader.optionalString('mappingCsv');
    if (reader.value.transport !== undefined) reader.oneOf('transport', ['archive-api', 'eml-drop'] as const);
    return { ...reader.value } as ScenarioConnector;
  });
}
