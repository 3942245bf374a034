/**
 * `npm run package`: the deployable function app in .work/package/ and .work/package.zip.
 *   node dist/dev/package/package-cli.js [--out DIR] [--zip FILE]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildAppPackage } from './app-package';
import { repoRoot } from '../demo/paths';

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, zip: { type: 'string' } }, strict: true });
  const root = repoRoot();
  const built = await buildAppPackage({
    projectRoot: root,
    outDir: path.resolve(values.out ?? path.join(root, '.work', 'package')),
    zipFile: path.resolve(values.zip ?? path.join(root, '.work', 'package.zip')),
  });
  const total = built.files.reduce((sum, f) => sum + f.bytes, 0);
  process.stdout.write(`Bundled ${built.entryPoints.join(', ')}\n`);
  for (const f of built.files) process.stdout.write(`  ${f.path.padEnd(24)} ${megabytes(f.bytes).padStart(10)}\n`);
  process.stdout.write(`Package: ${built.outDir} (${megabytes(total)})\nZip:     ${built.zipFile} (${megabytes(built.zipBytes ?? 0)})\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
