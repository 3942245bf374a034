import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Reads the few Bicep constructs the infra tests compare with the code: object variables whose
 * properties are string literals, expressions or nested objects, string variables, parameter
 * defaults and `@allowed` lists. It is not a Bicep parser; anything outside that subset is
 * reported as an error naming the file and line, so a template change that the tests can no
 * longer read fails loudly instead of being skipped.
 */

export type BicepValue =
  | { kind: 'string'; value: string }
  | { kind: 'expression'; text: string }
  | { kind: 'object'; properties: Map<string, BicepValue> };

export interface BicepFile {
  /** Path relative to the repository root, with forward slashes. */
  relativePath: string;
  text: string;
}

export class BicepSourceError extends Error {
  override readonly name = 'BicepSourceError';
  constructor(readonly where: string, message: string) {
    super(`${where}: ${message}`);
  }
}

/** The directory holding package.json and infra/main.bicep, searched upwards from `start`. */
export function findRepoRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'infra', 'main.bicep'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No repository root (package.json next to infra/main.bicep) above ${start}`);
    dir = parent;
  }
}

/** Every .bicep file under `dir` (relative to the repository root), sorted by path. */
export async function readBicepFiles(repoRoot: string, dir = 'infra'): Promise<BicepFile[]> {
  const files: string[] = [];
  const walk = async (absolute: string): Promise<void> => {
    for (const entry of await readdir(absolute, { withFileTypes: true })) {
      const child = path.join(absolute, entry.name);
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && entry.name.endsWith('.bicep')) files.push(child);
    }
  };
  await walk(path.join(repoRoot, dir));
  files.sort();
  return Promise.all(
    files.map(async (file) => ({
      relativePath: path.relative(repoRoot, file).split(path.sep).join('/'),
      text: await readFile(file, 'utf8'),
    })),
  );
}

/** Removes a `//` comment, ignoring `//` inside single-quoted strings (URLs). */
export function stripLineComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
    } else if (c === "'") {
      inString = true;
    } else if (c === '/' && line[i + 1] === '/') {
      return line.slice(0, i);
    }
  }
  return line;
}

const KEY = String.raw`([A-Za-z_][A-Za-z0-9_]*|'(?:[^'\\]|\\.)*')`;
const PROPERTY = new RegExp(String.raw`^${KEY}\s*:\s*(.+)$`);
/** A single-quoted string without `${…}` interpolation. */
const PLAIN_STRING = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/;

function unescapeString(body: string): string {
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

function parseValue(text: string): BicepValue {
  const plain = PLAIN_STRING.exec(text);
  return plain ? { kind: 'string', value: unescapeString(plain[1]!) } : { kind: 'expression', text };
}

function unquoteKey(key: string): string {
  return key.startsWith("'") ? unescapeString(key.slice(1, -1)) : key;
}

/**
 * The properties of `var <name> = { … }` written one property per line (the layout `bicep
 * format` produces). Nested objects are parsed; any other multi-line value is an error.
 */
export function parseObjectVariable(file: BicepFile, name: string): Map<string, BicepValue> {
  const lines = file.text.split(/\r?\n/);
  const start = lines.findIndex((l) => new RegExp(String.raw`^var\s+${name}\s*=\s*\{\s*(//.*)?$`).test(l));
  if (start < 0) throw new BicepSourceError(file.relativePath, `no multi-line object variable "${name}"`);

  const root = new Map<string, BicepValue>();
  const stack: Map<string, BicepValue>[] = [root];
  for (let i = start + 1; i < lines.length; i++) {
    const where = `${file.relativePath}:${i + 1}`;
    const line = stripLineComment(lines[i]!).trim();
    if (line === '') continue;
    const current = stack[stack.length - 1]!;
    if (line === '}') {
      stack.pop();
      if (stack.length === 0) return root;
      continue;
    }
    const match = PROPERTY.exec(line);
    if (!match) throw new BicepSourceError(where, `unsupported syntax in variable "${name}": ${line}`);
    const key = unquoteKey(match[1]!);
    if (current.has(key)) throw new BicepSourceError(where, `property "${key}" is declared twice`);
    const rawValue = match[2]!.trim();
    if (rawValue === '{') {
      const nested = new Map<string, BicepValue>();
      current.set(key, { kind: 'object', properties: nested });
      stack.push(nested);
    } else if (/[[{(]$/.test(rawValue)) {
      throw new BicepSourceError(where, `multi-line value of "${key}" is not supported`);
    } else {
      current.set(key, parseValue(rawValue));
    }
  }
  throw new BicepSourceError(file.relativePath, `variable "${name}" is not closed`);
}

/** Converts a parsed object whose leaves are all string literals into a plain record. */
export function toStringTree(properties: Map<string, BicepValue>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of properties) {
    if (value.kind === 'object') out[key] = toStringTree(value.properties, `${where}.${key}`);
    else if (value.kind === 'string') out[key] = value.value;
    else throw new BicepSourceError(`${where}.${key}`, `expected a string literal, found ${value.text}`);
  }
  return out;
}

/** The value of `var <name> = '<literal>'`. */
export function stringVariable(file: BicepFile, name: string): string {
  const match = new RegExp(String.raw`^var\s+${name}\s*=\s*(.+)$`, 'm').exec(file.text);
  if (!match) throw new BicepSourceError(file.relativePath, `no variable "${name}"`);
  const value = parseValue(stripLineComment(match[1]!).trim());
  if (value.kind !== 'string') throw new BicepSourceError(file.relativePath, `variable "${name}" is not a string literal`);
  return value.value;
}

/** The literal default of `param <name> <type> = '<literal>'`. */
export function stringParameterDefault(file: BicepFile, name: string): string {
  const match = new RegExp(String.raw`^param\s+${name}\s+string\s*=\s*(.+)$`, 'm').exec(file.text);
  if (!match) throw new BicepSourceError(file.relativePath, `no string parameter "${name}" with a default`);
  const value = parseValue(stripLineComment(match[1]!).trim());
  if (value.kind !== 'string') throw new BicepSourceError(file.relativePath, `the default of "${name}" is not a string literal`);
  return value.value;
}

/** The string values of the `@allowed([...])` decorator directly above `param <name>`. */
export function allowedStrings(file: BicepFile, name: string): string[] {
  const lines = file.text.split(/\r?\n/);
  const paramLine = lines.findIndex((l) => new RegExp(String.raw`^param\s+${name}\s`).test(l));
  if (paramLine < 0) throw new BicepSourceError(file.relativePath, `no parameter "${name}"`);
  // Decorators sit between the previous blank line and the parameter.
  let first = paramLine;
  while (first > 0 && lines[first - 1]!.trim() !== '') first--;
  const decorators = lines.slice(first, paramLine).join('\n');
  const allowed = /@allowed\(\[([\s\S]*?)\]\)/.exec(decorators);
  if (!allowed) throw new BicepSourceError(file.relativePath, `parameter "${name}" has no @allowed list`);
  return [...allowed[1]!.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => unescapeString(m[1]!));
}

export interface NameDifference {
  /** Expected but absent. */
  missing: string[];
  /** Present but not expected. */
  unexpected: string[];
}

export function diffNames(actual: Iterable<string>, expected: Iterable<string>): NameDifference {
  const a = new Set(actual);
  const e = new Set(expected);
  return {
    missing: [...e].filter((n) => !a.has(n)).sort(),
    unexpected: [...a].filter((n) => !e.has(n)).sort(),
  };
}
