import { readFile } from 'node:fs/promises';
import { parseInstant } from './rfc3339';
import { ScenarioError } from './scenario-error';

/** Where a JSON value came from: the file, and the array index or line within it. */
export interface JsonLocation {
  file: string;
  /** Zero-based index of the element within a top-level JSON array. */
  index?: number;
  /** One-based line number, for files that hold one JSON value per line. */
  line?: number;
}

/** Reads and parses a JSON file; a missing file or bad JSON becomes a {@link ScenarioError}. */
export async function readJsonFile(file: string): Promise<unknown> {
  return parseJsonText(await readScenarioFile(file), { file });
}

/** Reads a UTF-8 scenario file, turning a missing file into a {@link ScenarioError}. */
export async function readScenarioFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`;
    throw new ScenarioError(reason, { file }, { cause: error });
  }
}

/** Parses JSON text, reporting the line and column of a syntax error when V8 gives a position. */
export function parseJsonText(text: string, location: JsonLocation): unknown {
  try {
    // A byte order mark is legal in a UTF-8 file but not in JSON.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    let where = '';
    if (position !== null && location.line === undefined) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = ` (line ${line}, column ${column})`;
    }
    throw new ScenarioError(`invalid JSON${where}: ${message}`, location, { cause: error });
  }
}

/** Expects a top-level JSON array and returns its elements. */
export function expectArray(value: unknown, location: JsonLocation): unknown[] {
  if (!Array.isArray(value)) {
    throw new ScenarioError(`expected a JSON array, found ${describeJsonType(value)}`, location);
  }
  return value;
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Typed access to the fields of one JSON object. Every failure throws a {@link ScenarioError}
 * naming the file, the index or line, and the dotted path of the field.
 */
export class JsonObjectReader {
  private constructor(
    /** The object itself, unchanged. */
    readonly value: Record<string, unknown>,
    readonly location: JsonLocation,
    /** Dotted path of this object within the top-level value ('' for the top level). */
    readonly path: string,
  ) {}

  static from(value: unknown, location: JsonLocation, path = ''): JsonObjectReader {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ScenarioError(`expected an object, found ${describeJsonType(value)}`, {
        ...location,
        field: path,
      });
    }
    return new JsonObjectReader(value as Record<string, unknown>, location, path);
  }

  fieldPath(name: string): string {
    if (name === '') return this.path;
    return this.path === '' ? name : `${this.path}.${name}`;
  }

  fail(name: string, message: string): never {
    throw new ScenarioError(message, { ...this.location, field: this.fieldPath(name) });
  }

  has(name: string): boolean {
    return this.value[name] !== undefined;
  }

  private required(name: string, expected: string): unknown {
    const value = this.value[name];
    if (value === undefined) this.fail(name, `missing; expected ${expected}`);
    return value;
  }

  string(name: string, options: { allowEmpty?: boolean } = {}): string {
    const value = this.required(name, 'a string');
    if (typeof value !== 'string') this.fail(name, `expected a string, found ${describeJsonType(value)}`);
    if (!options.allowEmpty && value.trim() === '') this.fail(name, 'must not be empty');
    return value;
  }

  optionalString(name: string, options: { allowEmpty?: boolean } = {}): string | undefined {
    return this.has(name) ? this.string(name, options) : undefined;
  }

  /** A field that must be present and is either a non-empty string or null. */
  nullableString(name: string): string | null {
    const value = this.required(name, 'a string or null');
    return value === null ? null : this.string(name);
  }

  boolean(name: string): boolean {
    const value = this.required(name, 'true or false');
    if (typeof value !== 'boolean') this.fail(name, `expected true or false, found ${describeJsonType(value)}`);
    return value;
  }

  integer(name: string, options: { min?: number } = {}): number {
    const value = this.required(name, 'an integer');
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.fail(name, `expected an integer, found ${describeJsonType(value)}`);
    }
    if (options.min !== undefined && value < options.min) this.fail(name, `must be at least ${options.min}`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(name, `"${value}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    }
    return value as T;
  }

  /** An RFC 3339 UTC instant (see {@link parseInstant}); returns the text unchanged. */
  instant(name: string): string {
    const value = this.string(name);
    if (parseInstant(value) === undefined) {
      this.fail(name, `"${value}" is not an RFC 3339 UTC instant such as 2026-11-20T14:03:07Z`);
    }
    return value;
  }

  optionalInstant(name: string): string | undefined {
    return this.has(name) ? this.instant(name) : undefined;
  }

  array(name: string): unknown[] {
    const value = this.required(name, 'an array');
    if (!Array.isArray(value)) this.fail(name, `expected an array, found ${describeJsonType(value)}`);
    return value;
  }

  stringArray(name: string): string[] {
    return this.array(name).map((element, i) => {
      if (typeof element !== 'string') {
        throw new ScenarioError(`expected a string, found ${describeJsonType(element)}`, {
          ...this.location,
          field: `${this.fieldPath(name)}[${i}]`,
        });
      }
      return element;
    });
  }

  object(name: string): JsonObjectReader {
    this.required(name, 'an object');
    return JsonObjectReader.from(this.value[name], this.location, this.fieldPath(name));
  }

  objectArray(name: string): JsonObjectReader[] {
    return this.array(name).map((element, i) =>
      JsonObjectReader.from(element, this.location, `${this.fieldPath(name)}[${i}]`),
    );
  }
}
