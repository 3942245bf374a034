import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expectArray, parseJsonText, readScenarioFile, type JsonLocation } from './json-reader';
import { ScenarioError } from './scenario-error';
import { validateItem, type TeleMessageItem, type TeleMessageProduct } from './telemessage-item';

/** `<scenario>/telemessage/<product>/`. */
export function productItemsDir(scenarioDir: string, product: TeleMessageProduct): string {
  return join(scenarioDir, 'telemessage', product);
}

/** `<scenario>/telemessage/attachments/`. */
export function attachmentsDir(scenarioDir: string): string {
  return join(scenarioDir, 'telemessage', 'attachments');
}

/** An item together with where it was read from, for error messages that point at the file. */
export interface LocatedItem {
  item: TeleMessageItem;
  location: JsonLocation;
}

/**
 * Loads every item of one product from `<scenario>/telemessage/<product>/*.json` (and `*.jsonl`),
 * files taken in name order. Each file is either one JSON array of items or one item per line
 * (blank lines are skipped). A missing folder means the product has no items. Ids must be unique
 * within the product.
 */
export async function loadProductItems(scenarioDir: string, product: TeleMessageProduct): Promise<LocatedItem[]> {
  const dir = productItemsDir(scenarioDir, product);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && /\.jsonl?$/i.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ScenarioError(`cannot list folder (${String(error)})`, { file: dir }, { cause: error });
  }
  const result: LocatedItem[] = [];
  const firstSeen = new Map<string, JsonLocation>();
  for (const name of names) {
    const file = join(dir, name);
    for (const located of parseItemsFile(await readScenarioFile(file), file, product)) {
      const previous = firstSeen.get(located.item.id);
      if (previous !== undefined) {
        throw new ScenarioError(`duplicate item id "${located.item.id}" (first seen in ${describe(previous)})`, {
          ...located.location,
          field: 'id',
        });
      }
      firstSeen.set(located.item.id, located.location);
      result.push(located);
    }
  }
  return result;
}

/** Parses one items file in either shape; exported for tests and tools that hold text in memory. */
export function parseItemsFile(text: string, file: string, product: TeleMessageProduct): LocatedItem[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trimStart().startsWith('[')) {
    return expectArray(parseJsonText(body, { file }), { file }).map((element, index) => {
      const location = { file, index };
      return { item: validateItem(element, product, location), location };
    });
  }
  const result: LocatedItem[] = [];
  body.split('\n').forEach((lineText, i) => {
    if (lineText.trim() === '') return;
    const location = { file, line: i + 1 };
    result.push({ item: validateItem(parseJsonText(lineText, location), product, location), location });
  });
  return result;
}

function describe(location: JsonLocation): string {
  if (location.line !== undefined) return `${location.file}:${location.line}`;
  if (location.index !== undefined) return `${location.file} [${location.index}]`;
  return location.file;
}
