/**
 * The deployment package (`npm run package`) as Azure receives it: only the bundle, its source map,
 * the loader, host.json and package.json; and the demo scenario run through it end to end by the
 * local host, so the bundle is proven to register and run every function.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { adminPageDir } from '../../shared/admin-page/page-files';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fromBuffer, type ZipFile } from 'yauzl';
import { readGraphExport } from '../../dev/demo/graph-export';
import type { ConnectorCycleReport } from '../../dev/demo/report';
import { repoRoot } from '../../dev/demo/paths';
import { buildAppPackage, type AppPackage } from '../../dev/package/app-package';
import { loadScenario } from '../../dev/scenario/scenario';
import { readReport, runDemoCommand } from './demo-cli';
import { demoExpectedItems } from './demo-expectations';
import { assertCopiesMatchItems, assertExactlyOnce, rebaseOffsetFromCopies } from './end-state';
import { DEMO_SCENARIO_DIR, makeWorkdir } from './e2e-scenario';

/** The names of the files a zip holds, sorted. */
async function zipEntries(file: string): Promise<string[]> {
  const zipBytes = await readFile(file);
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    fromBuffer(zipBytes, { lazyEntries: false }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const names: string[] = [];
  zip.on('entry', (e: { fileName: string }) => names.push(e.fileName));
  await new Promise((resolve) => zip.on('end', resolve));
  return names.sort();
}

describe('the deployment package', () => {
  let work: { dir: string; remove(): Promise<void> };
  let built: AppPackage;

  before(async () => {
    work = await makeWorkdir();
    built = await buildAppPackage({ projectRoot: repoRoot(__dirname), outDir: path.join(work.dir, 'package'), zipFile: path.join(work.dir, 'package.zip') });
  });
  after(() => work?.remove());

  test('holds the bundle of every function, its source map, the loader, host.json and package.json, and nothing else', async () => {
    assert.deepEqual(built.entryPoints, [
      'functions/admin-api.ts',
      'functions/admin-page.ts',
      'functions/fetch-window.ts',
      'functions/import-eml-drop.ts',
      'functions/import-item.ts',
      'functions/reconcile-days.ts',
      'functions/replay-item.ts',
      'functions/schedule-fetch.ts',
    ]);
    assert.deepEqual(
      built.files.map((f) => f.path),
      ['dist/app.js', 'dist/app.js.LEGAL.txt', 'dist/app.js.map', 'dist/web/admin/admin.css', 'dist/web/admin/app.js', 'dist/web/admin/index.html', 'host.json', 'main.js', 'package.json'],
    );
    // The bundle finds the admin page beside it, as shared/admin-page/page-files.ts looks for it.
    assert.equal(adminPageDir(path.join(built.outDir, 'dist')), path.join(built.outDir, 'dist', 'web', 'admin'));
    const pkg = JSON.parse(await readFile(path.join(built.outDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pkg['main'], 'main.js');
    assert.equal(pkg['dependencies'], undefined, 'nothing to install on the instance');
    assert.deepEqual(await readFile(path.join(built.outDir, 'host.json'), 'utf8'), await readFile(path.join(repoRoot(__dirname), 'host.json'), 'utf8'));
    const bundle = await readFile(path.join(built.outDir, 'dist', 'app.js'), 'utf8');
    assert.match(bundle, /require\("@azure\/functions-core"\)/, 'the worker provides @azure/functions-core');
    assert.match(bundle, /\/\/# sourceMappingURL=app\.js\.map\s*$/);
    const map = JSON.parse(await readFile(path.join(built.outDir, 'dist', 'app.js.map'), 'utf8')) as { sources: string[] };
    for (const source of ['functions/import-item.ts', 'shared/import/import-item-service.ts', 'shared/platform/telemetry/application-insights-telemetry.ts']) {
      assert.ok(map.sources.some((s) => s.endsWith(source)), `the source map names ${source}`);
    }
    const total = built.files.reduce((sum, f) => sum + f.bytes, 0);
    assert.ok(total < 20_000_000, `package of ${total} bytes`);
    assert.deepEqual(await zipEntries(built.zipFile!), built.files.map((f) => f.path));
  });

  test('the local host runs the demo scenario from the package: every function registers and the mailboxes end as the README expects', async () => {
    const scenario = await loadScenario(DEMO_SCENARIO_DIR);
    const expected = demoExpectedItems(scenario);
    const run = await runDemoCommand(['--workdir', path.join(work.dir, 'demo'), '--app-root', built.outDir]);
    assert.equal(run.code, 0, run.output);
    const report = await readReport(path.join(work.dir, 'demo'));
    const [att, wechat] = report.connectors as [ConnectorCycleReport, ConnectorCycleReport];
    assert.deepEqual([att.fetched, att.stored, att.imported, att.alreadyImported], [25, 25, { items: 22, messages: 30 }, 0]);
    assert.deepEqual([wechat.fetched, wechat.stored, wechat.imported, wechat.alreadyImported], [12, 12, { items: 12, messages: 12 }, 0]);
    assert.deepEqual(att.unmapped.map((u) => u.itemId), ['tm-att-0012', 'tm-att-0019', 'tm-att-0023']);
    for (const c of [att, wechat]) {
      assert.deepEqual(c.quarantined, [], c.id);
      assert.deepEqual(c.failed, [], c.id);
    }
    const graphDir = path.join(work.dir, 'demo', 'graph');
    const copies = assertExactlyOnce(await readGraphExport(graphDir), expected);
    await assertCopiesMatchItems(graphDir, copies, expected, rebaseOffsetFromCopies(copies, expected));
  });
});
