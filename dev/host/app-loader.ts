import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HostStartupError } from './errors';

const loadCommonJs = createRequire(__filename);

/**
 * The app's entry files, as the Node.js worker finds them: package.json `main` is a file or a
 * glob pattern (`dist/functions/*.js`, `**`, `{a,b}`), resolved against the app root unless
 * absolute. Sorted, so that load order does not depend on the file system.
 */
export function resolveEntryPoints(appRoot: string): string[] {
  const packageFile = path.join(appRoot, 'package.json');
  let pkg: unknown;
  try {
    pkg = JSON.parse(fs.readFileSync(packageFile, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message;
    throw new HostStartupError(`Cannot read ${packageFile}: ${reason}. The v4 programming model finds the app through its "main" field.`, { cause: err });
  }
  const main = (pkg as { main?: unknown } | null)?.main;
  if (typeof main !== 'string' || main.trim() === '') {
    throw new HostStartupError(`${packageFile} has no "main" field; set it to the compiled entry file or a pattern such as "dist/functions/*.js".`);
  }
  const pattern = path.resolve(appRoot, main.trim());
  const files = [...new Set(expandBraces(pattern).flatMap(matchFiles))].sort();
  if (files.length === 0) {
    throw new HostStartupError(`package.json "main" (${main}) matches no file (resolved to ${pattern}).`);
  }
  return files;
}

/** The modules one app load brought into the CommonJS cache, so a later load runs them again. */
export class AppModuleScope {
  readonly #modules: string[];

  constructor(modules: string[]) {
    this.#modules = modules;
  }

  get modules(): readonly string[] {
    return this.#modules;
  }

  /** Forgets the app's modules (never anything under node_modules, such as @azure/functions). */
  unload(): void {
    for (const id of this.#modules) delete loadCommonJs.cache[id];
  }
}

/**
 * Loads the entry files in order; their `app.*` calls register the functions. ES modules
 * (`.mjs`, or `.js` under `"type": "module"`) are imported, and cannot be reloaded later in the
 * same process.
 */
export async function loadEntryPoints(appRoot: string, files: readonly string[]): Promise<AppModuleScope> {
  const before = new Set(Object.keys(loadCommonJs.cache));
  // An entry file already in the cache would not run again and so would register nothing.
  for (const file of files) {
    if (loadCommonJs.cache[file]) {
      delete loadCommonJs.cache[file];
      before.delete(file);
    }
  }
  const scope = (): AppModuleScope =>
    new AppModuleScope(Object.keys(loadCommonJs.cache).filter((id) => !before.has(id) && !id.includes(`${path.sep}node_modules${path.sep}`)));
  for (const file of files) {
    try {
      if (isEsModule(file)) await import(pathToFileURL(file).href);
      else loadCommonJs(file);
    } catch (err) {
      scope().unload();
      const shown = path.relative(appRoot, file) || file;
      throw new HostStartupError(`Worker was unable to load entry point "${shown}": ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
  }
  return scope();
}

function isEsModule(file: string): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs') || !file.endsWith('.js')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

/** `a/{b,c}/*.js` → `a/b/*.js`, `a/c/*.js` (nested braces included). */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0 || commas.length === 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const alternatives = bounds.slice(0, -1).map((start, i) => pattern.slice(start + 1, bounds[i + 1]));
  return alternatives.flatMap((alt) => expandBraces(`${head}${alt}${tail}`));
}

const WILDCARD = /[*?[]/;

/** Files matching an absolute pattern with `*`, `?`, `[…]` and `**` segments. */
function matchFiles(pattern: string): string[] {
  const { root } = path.parse(pattern);
  const segments = pattern.slice(root.length).split(/[\\/]+/).filter((s) => s !== '');
  const firstWild = segments.findIndex((s) => WILDCARD.test(s));
  if (firstWild < 0) return isFile(pattern) ? [pattern] : [];
  const base = path.join(root, ...segments.slice(0, firstWild));
  const results: string[] = [];
  walk(base, segments.slice(firstWild), results);
  return results;
}

function walk(dir: string, rest: string[], results: string[]): void {
  const [segment, ...remaining] = rest;
  if (segment === undefined) return;
  if (segment === '**') {
    walk(dir, remaining, results);
    for (const entry of readDir(dir)) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) walk(path.join(dir, entry.name), rest, results);
    }
    return;
  }
  const matcher = segmentMatcher(segment);
  for (const entry of readDir(dir)) {
    if (!matcher.test(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (remaining.length === 0) {
      if (entry.isFile() || (entry.isSymbolicLink() && isFile(full))) results.push(full);
    } else if (entry.isDirectory() || entry.isSymbolicLink()) {
      walk(full, remaining, results);
    }
  }
}

function segmentMatcher(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  // Like common glob tools, wildcards do not match names starting with a dot.
  return new RegExp(segment.startsWith('.') ? `^${source}$` : `^(?!\\.)${source}$`);
}

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
