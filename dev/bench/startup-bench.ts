/**
 * `npm run bench:startup`: deployment size and cold start of the function app, unbundled (dist/ and
 * production node_modules, what was deployed before) against the deployment package
 * (`npm run package`). Prints figures; asserts nothing. See docs/benchmark.md.
 *   node dist/dev/bench/startup-bench.js [--runs N] [--host-runs N]
 * Two start-up times, runs alternating between the two apps, medians reported:
 * - worker: from spawning a Node.js process to the app's functions registered (app-load-probe.js),
 *   the part of a cold start the app's files decide; in Azure the host is a separate .NET process.
 * - local host: from spawning `dev/host` to its ready line (every listener started: the first
 *   invocation can run). This host loads the storage SDKs for its own listeners, the same modules
 *   the unbundled app loads, so here the app's share of the time shrinks.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { AppSettings } from '../../shared/platform/settings/app-settings';
import { AzuriteProcess } from '../azurite/azurite-process';
import { repoRoot } from '../demo/paths';
import { HostProcess } from '../host';
import { buildAppPackage } from '../package/app-package';
import type { AppLoadFigures } from './app-load-probe';
import { formatMiB, formatNumber, formatTable } from './text-table';

/** Bytes and files under a folder; `skip` leaves out nested folders of that name (counted on their own). */
async function folderSize(dir: string, skip?: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === skip) continue;
      const inner = await folderSize(full, skip);
      bytes += inner.bytes;
      files += inner.files;
    } else if (entry.isFile()) {
      bytes += (await lstat(full)).size;
      files++;
    }
  }
  return { bytes, files };
}

/** What `npm ci --omit=dev` installs, from the installed tree: every production package's own files. */
async function productionModulesSize(root: string): Promise<{ bytes: number; files: number; packages: number }> {
  const { stdout } = await promisify(execFile)('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const dirs = [...new Set(stdout.split('\n').map((l) => l.trim()).filter((l) => l && l !== root))];
  let bytes = 0;
  let files = 0;
  for (const dir of dirs) {
    const size = await folderSize(dir, 'node_modules');
    bytes += size.bytes;
    files += size.files;
  }
  return { bytes, files, packages: dirs.length };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Spawn to the probe's report: a new process loading the app and registering its functions. */
async function timeToRegistered(appRoot: string, env: Record<string, string>): Promise<{ elapsed: number; functions: number }> {
  const probe = path.join(__dirname, 'app-load-probe.js');
  const started = performance.now();
  const child = spawn(process.execPath, [probe, appRoot], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let elapsed: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (elapsed === undefined && output.includes('\n')) elapsed = performance.now() - started;
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  const figures = JSON.parse(output.split('\n')[0] ?? '{}') as Partial<AppLoadFigures>;
  if (code !== 0 || elapsed === undefined || figures.functions === undefined || figures.functions < 1) {
    throw new Error(`The app at ${appRoot} did not load: ${output}`);
  }
  return { elapsed, functions: figures.functions };
}

async function timeToReady(appRoot: string, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const host = await HostProcess.start({ appRoot, env, startTimeoutMs: 120_000 });
  const elapsed = performance.now() - started;
  await host.stop();
  return elapsed;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '9' }, 'host-runs': { type: 'string', default: '5' } }, strict: true });
  const runs = Number(values.runs);
  const hostRuns = Number(values['host-runs']);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number, got ${values.runs}`);
  if (!Number.isInteger(hostRuns) || hostRuns < 0) throw new Error(`--host-runs must be a whole number, got ${values['host-runs']}`);
  const root = repoRoot();
  const work = await mkdtemp(path.join(os.tmpdir(), 'startup-bench-'));
  const azurite = await AzuriteProcess.start({});
  try {
    const built = await buildAppPackage({ projectRoot: root, outDir: path.join(work, 'package'), zipFile: path.join(work, 'package.zip') });
    const packageBytes = built.files.reduce((sum, f) => sum + f.bytes, 0);
    const modules = await productionModulesSize(root);
    const dist = await Promise.all(['functions', 'shared'].map((d) => folderSize(path.join(root, 'dist', d))));
    const unbundledBytes = modules.bytes + dist.reduce((s, d) => s + d.bytes, 0);
    const unbundledFiles = modules.files + dist.reduce((s, d) => s + d.files, 0);

    process.stdout.write(`Node.js ${process.version}, ${os.cpus().length} cores\n\nDeployment size\n`);
    process.stdout.write(
      `${formatTable(
        [{ header: 'app' }, { header: 'files', align: 'right' }, { header: 'size', align: 'right' }, { header: 'zipped', align: 'right' }],
        [
          ['unbundled: dist/functions, dist/shared, production node_modules', formatNumber(unbundledFiles), formatMiB(unbundledBytes), ''],
          ['package: .work/package (npm run package)', formatNumber(built.files.length), formatMiB(packageBytes), formatMiB(built.zipBytes ?? 0)],
        ],
      )}\n  (${modules.packages} production packages)\n\n`,
    );

    // Every setting the app reads is named, so nothing from this shell (Application Insights, real Graph) leaks in.
    const env: Record<string, string> = {
      ...Object.fromEntries(Object.values(AppSettings).map((name) => [name, ''])),
      FUNCTIONS_WORKER_RUNTIME: 'node',
      [AppSettings.storage]: azurite.connectionString,
      [AppSettings.schedule]: '0 0 0 1 1 *',
      [AppSettings.blobTriggerSource]: 'LogsAndContainerScan',
      [AppSettings.graphEndpoint]: 'http://127.0.0.1:9/v1.0',
      [AppSettings.graphDevToken]: 'startup-bench',
    };
    const apps = [
      { name: 'unbundled', root },
      { name: 'package', root: built.outDir },
    ];
    const measure = async (title: string, runsEach: number, time: (appRoot: string) => Promise<number>): Promise<void> => {
      if (runsEach === 0) return;
      // One start of each, not counted: the file cache then holds both apps, as for every instance after the first.
      for (const app of apps) await time(app.root);
      const times = new Map<string, number[]>(apps.map((a) => [a.name, []]));
      for (let i = 0; i < runsEach; i++) {
        for (const app of apps) times.get(app.name)!.push(await time(app.root));
      }
      const rows = apps.map((app) => {
        const t = times.get(app.name)!;
        return [app.name, formatNumber(median(t)), formatNumber(Math.min(...t)), formatNumber(Math.max(...t)), t.map((x) => formatNumber(x)).join(' ')];
      });
      const [unbundled, packaged] = apps.map((a) => median(times.get(a.name)!)) as [number, number];
      process.stdout.write(
        `${title}, ms (${runsEach} runs each, alternating, after one warm-up start each)\n${formatTable(
          [{ header: 'app' }, { header: 'median', align: 'right' }, { header: 'min', align: 'right' }, { header: 'max', align: 'right' }, { header: 'runs' }],
          rows,
        )}\n  package: ${formatNumber((1 - packaged / unbundled) * 100, 0)}% less time than unbundled (medians)\n\n`,
      );
    };
    // The unbundled app is loaded first; the package must register every function it does.
    let expected: number | undefined;
    await measure('Worker: process spawn to functions registered', runs, async (appRoot) => {
      const { elapsed, functions } = await timeToRegistered(appRoot, env);
      expected ??= functions;
      if (functions !== expected) throw new Error(`The app at ${appRoot} registered ${functions} functions, the unbundled app ${expected}`);
      return elapsed;
    });
    if (expected !== undefined) process.stdout.write(`  (${expected} functions registered by each app)\n\n`);
    await measure('Local host: process spawn to ready line', hostRuns, (appRoot) => timeToReady(appRoot, env));
  } finally {
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
