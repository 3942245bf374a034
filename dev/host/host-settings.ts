import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostJson } from './contracts';
import { HostStartupError, MissingSettingError } from './errors';
import { describeJsonSyntaxError } from '../../shared/platform/settings/json-syntax-error';

/** `local.settings.json`, which only Core Tools reads (it is never deployed). */
export interface LocalSettings {
  IsEncrypted?: boolean;
  Values: Record<string, string>;
  Host?: { LocalHttpPort?: number; CORS?: string; CORSCredentials?: boolean };
}

/** Reads and checks `<appRoot>/host.json`; Core Tools refuses to start without it. */
export function readHostJson(appRoot: string): HostJson {
  const file = path.join(appRoot, 'host.json');
  const parsed = readJsonObject(file, 'host.json');
  if (parsed === undefined) {
    throw new HostStartupError(`Unable to find project root: no host.json in ${appRoot}.`);
  }
  if (parsed['version'] !== '2.0') {
    throw new HostStartupError(`${file}: "version" must be "2.0" (found ${JSON.stringify(parsed['version'])}).`);
  }
  return parsed as HostJson;
}

/** Reads `<appRoot>/local.settings.json` if present; every value must be a string. */
export function readLocalSettings(appRoot: string): LocalSettings | undefined {
  const file = path.join(appRoot, 'local.settings.json');
  const parsed = readJsonObject(file, 'local.settings.json');
  if (parsed === undefined) return undefined;
  if (parsed['IsEncrypted'] === true) {
    throw new HostStartupError(`${file} is encrypted ("IsEncrypted": true); this host can only read plain settings.`);
  }
  const values: Record<string, string> = {};
  const rawValues = parsed['Values'] ?? {};
  if (typeof rawValues !== 'object' || rawValues === null || Array.isArray(rawValues)) {
    throw new HostStartupError(`${file}: "Values" must be an object of setting names to strings.`);
  }
  for (const [name, value] of Object.entries(rawValues)) {
    if (typeof value !== 'string') {
      throw new HostStartupError(`${file}: Values.${name} must be a string (found ${typeof value}).`);
    }
    values[name] = value;
  }
  const settings: LocalSettings = { Values: values };
  const host = parsed['Host'];
  if (typeof host === 'object' && host !== null && !Array.isArray(host)) {
    const port = (host as Record<string, unknown>)['LocalHttpPort'];
    if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new HostStartupError(`${file}: Host.LocalHttpPort must be a port number (found ${JSON.stringify(port)}).`);
    }
    settings.Host = { ...(host as LocalSettings['Host']) };
  }
  return settings;
}

/**
 * The app settings the functions see. Like Core Tools, values from local.settings.json are put
 * into the process environment unless the environment already has them; explicit overrides
 * win over both. `restore()` puts the environment back as it was.
 */
export class HostSettings {
  readonly #previous = new Map<string, string | undefined>();

  private constructor() {}

  static apply(localValues: Record<string, string>, overrides: Record<string, string> = {}): HostSettings {
    const settings = new HostSettings();
    for (const [name, value] of Object.entries(localValues)) {
      if (process.env[name] === undefined) settings.#set(name, value);
    }
    for (const [name, value] of Object.entries(overrides)) settings.#set(name, value);
    return settings;
  }

  #set(name: string, value: string): void {
    if (!this.#previous.has(name)) this.#previous.set(name, process.env[name]);
    process.env[name] = value;
  }

  get(name: string): string | undefined {
    const value = process.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  /**
   * Replaces each `%Name%` token with the setting's value, as the host does for binding
   * options. `usage` describes where the value came from, for the error message.
   */
  resolve(value: string, usage = `'${value}'`): string {
    return value.replace(/%([^%\s]+)%/g, (_token, name: string) => {
      const resolved = this.get(name);
      if (resolved === undefined) throw new MissingSettingError(name, usage);
      return resolved;
    });
  }

  /** Undoes what `apply` changed in the process environment. */
  restore(): void {
    for (const [name, value] of this.#previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.#previous.clear();
  }
}

function readJsonObject(file: string, label: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HostStartupError(`Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    // Both files are commonly saved with a BOM by editors on Windows.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    // Never the parser's message, nor the error as cause: both can quote the text around the
    // fault, which in local.settings.json may be a secret or an account key.
    throw new HostStartupError(`${file} ${describeJsonSyntaxError(text, err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HostStartupError(`${file}: ${label} must hold a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}
