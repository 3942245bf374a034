import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidAdminInputError } from './admin-errors';
import { describeJsonSyntaxError } from '../platform/settings/json-syntax-error';

/** The file Core Tools reads its app settings from; never deployed. */
export const LOCAL_SETTINGS_FILE = 'local.settings.json';
/** The checked-in template a new local.settings.json starts from. */
export const LOCAL_SETTINGS_SAMPLE_FILE = 'local.settings.sample.json';

/**
 * The `Values` of a local.settings.json, or undefined when the file does not exist. Values must be
 * strings, as Core Tools requires.
 */
export async function readLocalSettingsValues(file: string): Promise<Record<string, string> | undefined> {
  const document = await readSettingsDocument(file);
  if (document === undefined) return undefined;
  if (document['IsEncrypted'] === true) {
    throw new InvalidAdminInputError('settings', `${file} is encrypted ("IsEncrypted": true); decrypt it with "func settings decrypt" first`);
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(valuesOf(document, file))) {
    if (typeof value !== 'string') throw new InvalidAdminInputError('settings', `${file}: Values.${name} must be a string`);
    values[name] = value;
  }
  return values;
}

/**
 * Sets one value in a local.settings.json, keeping every other part of the file. A missing file is
 * created from local.settings.sample.json beside it (or empty when there is none), readable by its
 * owner only since it will hold a secret. The file is replaced in one rename, so a reader never
 * sees half of it.
 */
export async function writeLocalSetting(file: string, name: string, value: string): Promise<{ created: boolean }> {
  let document = await readSettingsDocument(file);
  const created = document === undefined;
  if (document === undefined) {
    document = (await readSettingsDocument(join(dirname(file), LOCAL_SETTINGS_SAMPLE_FILE))) ?? { IsEncrypted: false, Values: {} };
  }
  if (document['IsEncrypted'] === true) {
    throw new InvalidAdminInputError('settings', `${file} is encrypted ("IsEncrypted": true); decrypt it with "func settings decrypt" first`);
  }
  document['Values'] = { ...valuesOf(document, file), [name]: value };
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { created };
}

async function readSettingsDocument(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    // Never the parser's own message: it can quote the characters around the fault (a secret).
    throw new InvalidAdminInputError('settings', `${file} ${describeJsonSyntaxError(text, error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidAdminInputError('settings', `${file} must hold a JSON object with "Values"`);
  }
  return parsed as Record<string, unknown>;
}

function valuesOf(document: Record<string, unknown>, file: string): Record<string, unknown> {
  const values = document['Values'] ?? {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new InvalidAdminInputError('settings', `${file}: "Values" must be an object of setting names to strings`);
  }
  return values as Record<string, unknown>;
}
