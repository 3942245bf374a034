import { createWriteStream } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { build } from 'esbuild';
import { ZipFile } from 'yazl';

/** Provided by the Functions worker (and by dev/host), never bundled. */
const WORKER_PROVIDED = ['@azure/functions-core'];

/** The bundle inside the package, and the loader that package.json `main` names. */
export const BUNDLE_FILE = 'dist/app.js';
export const LOADER_FILE = 'main.js';

/**
 * Turns source maps on before the bundle loads, so that stack traces (logged, and sent to
 * Application Insights by the host) name our TypeScript files and lines, not bundle offsets.
 * It must run before the bundle is compiled: Node reads a module's source map only when maps
 * are on at that moment.
 */
const LOADER_SOURCE = `'use strict';
// Source maps on before the bundle loads: stack traces then name the TypeScript sources.
process.setSourceMapsEnabled(true);
require('./${BUNDLE_FILE}');
`;

export interface AppPackageOptions {
  /** The project folder: functions/, its compiled dist/functions/ (`npm run build`), host.json, package.json. */
  projectRoot: string;
  /** Emptied and written: the deployable folder. */
  outDir: string;
  /** The same folder as a zip (for `az functionapp deployment source config-zip`, the Bicep deployment container); omitted: none. */
  zipFile?: string;
}

export interface AppPackage {
  outDir: string;
  zipFile?: string;
  /** The function entry files bundled, relative to the project (functions/*.ts). */
  entryPoints: string[];
  /** Every file of the package, relative to outDir, with its size in bytes. */
  files: Array<{ path: string; bytes: number }>;
  /** The zip's size in bytes, when one was written. */
  zipBytes?: number;
}

/**
 * Builds the deployable function app: every entry point under functions/ bundled with its
 * dependencies into one CommonJS file (with its source map beside it), the loader, host.json and a
 * package.json that has `main` and nothing to install. A new instance then downloads a few
 * megabytes and loads one file instead of thousands of modules.
 */
export async function buildAppPackage(options: AppPackageOptions): Promise<AppPackage> {
  const projectRoot = path.resolve(options.projectRoot);
  const outDir = path.resolve(options.outDir);
  const entryPoints = (await readdir(path.join(projectRoot, 'functions')))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => `functions/${f}`);
  if (entryPoints.length === 0) throw new Error(`No function entry points in ${path.join(projectRoot, 'functions')}`);

  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    // One bundle for all functions: the shared code and the SDKs load once, as in the unbundled app.
    // From tsc's CommonJS output, not the .ts files: require() selects each package's CommonJS build,
    // as in the unbundled app (ESM builds read import.meta, which a CommonJS bundle lacks), and
    // esbuild follows tsc's source maps back to the TypeScript.
    stdin: {
      contents: entryPoints.map((e) => `require('./dist/${e.replace(/\.ts$/, '.js')}');`).join('\n'),
      resolveDir: projectRoot,
      sourcefile: 'functions (entry points)',
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: WORKER_PROVIDED,
    outfile: path.join(outDir, BUNDLE_FILE),
    // Whitespace and syntax only: identifiers keep their names, so a stack trace read without the map still says which function.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    // Positions and file names are what a stack trace needs; the sources stay out of the package.
    sourcesContent: false,
    sourceRoot: '',
    legalComments: 'linked',
    logLevel: 'silent',
  });
  if (result.warnings.length > 0) {
    throw new Error(`esbuild warned while bundling:\n${result.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`).join('\n')}`);
  }

  const projectPackage = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as { name: string; version: string; engines?: unknown };
  const packageJson = {
    name: projectPackage.name,
    version: projectPackage.version,
    private: true,
    type: 'commonjs',
    main: LOADER_FILE,
    ...(projectPackage.engines ? { engines: projectPackage.engines } : {}),
  };
  await writeFile(path.join(outDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  await writeFile(path.join(outDir, LOADER_FILE), LOADER_SOURCE);
  await writeFile(path.join(outDir, 'host.json'), await readFile(path.join(projectRoot, 'host.json')));
  // The admin page's built files, beside the bundle, where shared/admin-page/page-files.ts looks.
  const pageDir = path.join(projectRoot, 'dist', 'web', 'admin');
  await cp(pageDir, path.join(path.dirname(path.join(outDir, BUNDLE_FILE)), 'web', 'admin'), { recursive: true, filter: (source) => !source.endsWith('.map') });

  const files = await listFiles(outDir);
  const built: AppPackage = { outDir, entryPoints, files };
  if (options.zipFile !== undefined) {
    const zipFile = path.resolve(options.zipFile);
    await writeZip(outDir, files.map((f) => f.path), zipFile);
    built.zipFile = zipFile;
    built.zipBytes = (await stat(zipFile)).size;
  }
  return built;
}

async function listFiles(dir: string): Promise<Array<{ path: string; bytes: number }>> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  return Promise.all(files.sort().map(async (f) => ({ path: f, bytes: (await stat(path.join(dir, f))).size })));
}

/** A zip of the folder's files at its root, as zip deployment expects; fixed dates keep it reproducible. */
async function writeZip(dir: string, files: readonly string[], zipFile: string): Promise<void> {
  await mkdir(path.dirname(zipFile), { recursive: true });
  const zip = new ZipFile();
  const fixed = new Date('2000-01-01T00:00:00Z');
  for (const f of files) zip.addFile(path.join(dir, f), f, { mtime: fixed, mode: 0o100644 });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipFile));
}
