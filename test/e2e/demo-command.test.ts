/**
 * The demo command as a user runs it (`node dist/dev/demo.js`), on the bundled Contoso scenario:
 * its report and the Graph simulator's export must be what dev/scenarios/demo/README.md expects,
 * and a second run on the same work folder must find nothing new to import.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readGraphExport } from '../../dev/demo/graph-export';
import type { ConnectorCycleReport } from '../../dev/demo/report';
import { loadScenario, type Scenario } from '../../dev/scenario/scenario';
import { readReport, runDemoCommand, withWorkdirStorage } from './demo-cli';
import { assertCopiesMatchItems, assertExactlyOnce, rebaseOffsetFromCopies, type ExpectedItem } from './end-state';
import { demoExpectedItems } from './demo-expectations';
import { DEMO_SCENARIO_DIR, makeWorkdir } from './e2e-scenario';

const DEMO_PASSWORD = 'demo-only-Tm-2026!';

/** Every file under a folder, for looking for what must never be written. */
async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Moves every connector's progress back, as if the next run came days later (the rebased scenario then lies in its windows again). */
async function rewindConnectors(workdir: string, byMs: number): Promise<void> {
  await withWorkdirStorage(workdir, async ({ connectors }) => {
    for (const connector of await connectors.list()) {
      await connectors.update(connector.id, (c) => ({
        ...c,
        checkpoint: new Date(Date.parse(c.checkpoint) - byMs).toISOString(),
        scheduledThrough: new Date(Date.parse(c.scheduledThrough) - byMs).toISOString(),
      }));
    }
  });
}

describe('npm run demo', () => {
  let work: { dir: string; remove(): Promise<void> };
  let scenario: Scenario;
  let expected: ExpectedItem[];

  before(async () => {
    work = await makeWorkdir();
    scenario = await loadScenario(DEMO_SCENARIO_DIR);
    expected = demoExpectedItems(scenario);
  });
  after(() => work?.remove());

  test('one cycle on the demo scenario: report and export as the scenario README expects; a second run imports nothing new', async () => {
    const startedAt = Date.now();
    const first = await runDemoCommand(['--workdir', work.dir]);
    const endedAt = Date.now();
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, new RegExp(`Report: ${path.join(work.dir, 'report.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(first.output.includes(path.join(work.dir, 'graph', 'mailboxes', 'ana.diaz@contoso.com', 'mailbox.json')), first.output);

    const report = await readReport(work.dir);
    assert.deepEqual(report.connectors.map((c) => [c.id, c.product]), [['contoso-att', 'att-network'], ['contoso-wechat', 'wechat']]);
    const [att, wechat] = report.connectors as [ConnectorCycleReport, ConnectorCycleReport];
    assert.deepEqual([att.fetched, att.stored, att.imported, att.alreadyImported], [25, 25, { items: 22, messages: 30 }, 0]);
    assert.deepEqual([wechat.fetched, wechat.stored, wechat.imported, wechat.alreadyImported], [12, 12, { items: 12, messages: 12 }, 0]);
    assert.deepEqual(att.unmapped.map((u) => u.itemId), ['tm-att-0012', 'tm-att-0019', 'tm-att-0023']);
    const reasons = Object.fromEntries(att.unmapped.map((u) => [u.itemId, u.reasons.join('\n')]));
    assert.match(reasons['tm-att-0012']!, /account disabled/);
    assert.match(reasons['tm-att-0019']!, /\+1 512 555 0111.*not in the mapping file, no email address/);
    assert.match(reasons['tm-att-0023']!, /no mailbox/);
    for (const c of [att, wechat]) {
      assert.deepEqual(c.quarantined, [], c.id);
      assert.deepEqual(c.failed, [], c.id);
      assert.ok(c.windows.length >= 1 && c.windows.every((w) => w.from < w.to), c.id);
    }
    assert.deepEqual(wechat.unmapped, []);

    const copies = assertExactlyOnce(await readGraphExport(path.join(work.dir, 'graph')), expected);
    const offsetMs = rebaseOffsetFromCopies(copies, expected);
    // The simulator put the newest item one hour before it started, on a whole second.
    const newest = Math.max(...expected.map((e) => Date.parse(e.item.archivedAt))) + offsetMs;
    assert.ok(newest >= Math.floor(startedAt / 1000) * 1000 - 3_600_000 && newest <= endedAt - 3_600_000, `newest item at ${new Date(newest).toISOString()}`);
    await assertCopiesMatchItems(path.join(work.dir, 'graph'), copies, expected, offsetMs);

    // A second run, as if two days later: every item is listed again under the same id, already stored.
    await rewindConnectors(work.dir, 2 * 24 * 3_600_000);
    const second = await runDemoCommand(['--workdir', work.dir]);
    assert.equal(second.code, 0, second.output);
    const again = await readReport(work.dir);
    assert.deepEqual(
      again.connectors.map((c) => ({ id: c.id, fetched: c.fetched, stored: c.stored, imported: c.imported, alreadyImported: c.alreadyImported, unmapped: c.unmapped, quarantined: c.quarantined, failed: c.failed })),
      [
        { id: 'contoso-att', fetched: 25, stored: 0, imported: { items: 0, messages: 0 }, alreadyImported: 0, unmapped: [], quarantined: [], failed: [] },
        { id: 'contoso-wechat', fetched: 12, stored: 0, imported: { items: 0, messages: 0 }, alreadyImported: 0, unmapped: [], quarantined: [], failed: [] },
      ],
    );
    // What is outstanding is current, not per cycle: this cycle imported nothing, and every item still unmapped is listed.
    assert.deepEqual(
      again.connectors.map((c) => [c.id, c.outstanding.unmapped.map((u) => u.itemId), c.outstanding.failed, c.outstanding.quarantined]),
      [['contoso-att', ['tm-att-0012', 'tm-att-0019', 'tm-att-0023'], [], []], ['contoso-wechat', [], [], []]],
    );
    assertExactlyOnce(await readGraphExport(path.join(work.dir, 'graph')), expected);

    // The TeleMessage password went to the host's environment only: no table, blob, export or report holds it.
    for (const file of await allFiles(work.dir)) {
      assert.ok(!(await readFile(file)).includes(DEMO_PASSWORD), `${file} holds the TeleMessage password`);
    }
  });
});
