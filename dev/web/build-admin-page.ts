/**
 * Builds the admin page into dist/web/admin: the browser code bundled by esbuild (with the Fluent
 * UI web components), and the static files copied. Run by `npm run build` after tsc.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { build } from 'esbuild';

const STATIC_FILES = ['index.html', 'admin.css'];

export async function buildAdminPage(projectRoot: string): Promise<string> {
  const source = path.join(projectRoot, 'web', 'admin');
  const out = path.join(projectRoot, 'dist', 'web', 'admin');
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [path.join(source, 'main.ts')],
    outfile: path.join(out, 'app.js'),
    tsconfig: path.join(source, 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'edge120', 'firefox120', 'safari17'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'eof',
    logLevel: 'warning',
  });
  for (const file of STATIC_FILES) await copyFile(path.join(source, file), path.join(out, file));
  return out;
}

if (require.main === module) {
  buildAdminPage(path.resolve(__dirname, '..', '..', '..')).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
