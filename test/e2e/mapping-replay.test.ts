import { StorageImportReplayQueue } from '../../shared/import/import-replay-queue';
/**
 * The user-mapping issue end to end, through the demo command on dev/scenarios/mapping (Fabrikam):
 * items that map only through the mapping file, only by email, both ways (the file wins) and not
 * at all; then the administrator applies the corrected file and replays the unmapped items, and
 * the next cycle imports the ones the correction fixes, each once, while the outsider's item stays
 * listed with its reasons. See dev/scenarios/mapping/README.md for the table this test checks.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readGraphExport } from '../../dev/demo/graph-export';
import type { ConnectorCycleReport, ItemResults } from '../../dev/demo/report';
import { findScenarioInconsistencies, loadScenario, type Scenario } from '../../dev/scenario/scenario';
import { listItemOutcomes, replayItems } from '../../shared/admin/item-admin';
import { applyMappingFile } from '../../shared/admin/mapping-admin';
import type { ItemOutcome } from '../../shared/outcomes/item-outcome';
import { Containers, Queues } from '../../shared/platform/storage/storage-names';
import { readReport, runDemoCommand, withWorkdirStorage, type CommandResult } from './demo-cli';
import { assertCopiesMatchItems, assertExactlyOnce, rebaseOffsetFromCopies, type ExpectedItem } from './end-state';
import { ATT_FOLDER, MAPPING_SCENARIO_DIR, makeWorkdir } from './e2e-scenario';

const CONNECTOR = 'fabrikam-att';
const CORRECTED_CSV = path.join(MAPPING_SCENARIO_DIR, 'mapping', 'corrected.csv');

const PRIYA = 'priya.shah@fabrikam.com';
const MARCUS = 'marcus.reed@fabrikam.com';
const YUKI = 'yuki.tanaka@fabrikam.com';
const LEO = 'leo.martin@fabrikam.com';
const NORA = 'nora.quinn@fabrikam.com';

/** The README's table: the mailboxes after the first cycle, and after the correction and replay. */
const MAILBOXES: Record<string, { first: string[]; afterReplay: string[]; via?: 'mapping-file' | 'email' }> = {
  // (a) only through the file: Priya's line carries no email.
  'fab-att-0001': { first: [PRIYA], afterReplay: [PRIYA], via: 'mapping-file' },
  'fab-att-0002': { first: [PRIYA], afterReplay: [PRIYA], via: 'mapping-file' },
  // (b) only by email: Marcus's new number is in no file.
  'fab-att-0003': { first: [MARCUS], afterReplay: [MARCUS], via: 'email' },
  'fab-att-0004': { first: [MARCUS], afterReplay: [MARCUS], via: 'email' },
  // (c) both ways: the line still carries Marcus's email, the file gives the number to Yuki; the file wins.
  'fab-att-0005': { first: [YUKI], afterReplay: [YUKI], via: 'mapping-file' },
  'fab-att-0006': { first: [YUKI], afterReplay: [YUKI], via: 'mapping-file' },
  // (d) not at first: Leo's number is missing from the first file, Nora's is mapped to Olga (disabled).
  'fab-att-0007': { first: [], afterReplay: [LEO], via: 'mapping-file' },
  'fab-att-0008': { first: [], afterReplay: [LEO], via: 'mapping-file' },
  'fab-att-0009': { first: [], afterReplay: [NORA], via: 'mapping-file' },
  // (e) never: a contractor outside the directory texting an outsider.
  'fab-att-0010': { first: [], afterReplay: [] },
};

/** Why each participant of each item is unmapped after the first cycle: the number, then the rule's reason. */
const FIRST_REASONS: Record<string, string[]> = {
  'fab-att-0007': ['+1 425 555 0104: not in the mapping file, no email address', '+1 206 555 0147: not in the mapping file, no email address'],
  'fab-att-0008': ['+1 206 555 0147: not in the mapping file, no email address', '+1 425 555 0104: not in the mapping file, no email address'],
  'fab-att-0009': [
    '+1 425 555 0105: mapped to olga.petrov@fabrikam.com, which has its account disabled; no email address',
    '+1 503 555 0163: not in the mapping file, no email address',
  ],
  'fab-att-0010': [
    '+1 206 555 0190: not in the mapping file; email address jamie.ortiz@northwindtraders.com: not found in the directory',
    '+1 360 555 0118: not in the mapping file, no email address',
  ],
};

const NO_RESULTS: ItemResults = { imported: { items: 0, messages: 0 }, alreadyImported: 0, unmapped: [], quarantined: [], failed: [] };

function expectedItems(scenario: Scenario, stage: 'first' | 'afterReplay'): ExpectedItem[] {
  return scenario.items['att-network'].map(({ item }) => ({
    item,
    mailboxes: (MAILBOXES[item.id] ?? assert.fail(`${item.id} is not in the scenario README's table`))[stage],
    folder: ATT_FOLDER,
  }));
}

/** An unmapped item's report lines each end with one of the expected reasons, one line per participant. */
function assertReportReasons(unmapped: ConnectorCycleReport['unmapped'], expected: Record<string, string[]>): void {
  assert.deepEqual(unmapped.map((u) => u.itemId), Object.keys(expected));
  for (const { itemId, reasons } of unmapped) {
    const wanted = expected[itemId]!;
    assert.equal(reasons.length, wanted.length, `${itemId}: ${reasons.join(' | ')}`);
    for (const why of wanted) assert.ok(reasons.some((r) => r.endsWith(`: ${why}`)), `${itemId}: no reason "${why}" in ${reasons.join(' | ')}`);
  }
}

/** The listing an administrator reads (`npm run items -- unmapped`): each participant named with its number and reason. */
function assertListedReasons(outcomes: readonly ItemOutcome[], expected: Record<string, string[]>): void {
  assert.deepEqual(outcomes.map((o) => o.itemId), Object.keys(expected));
  for (const outcome of outcomes) {
    assert.equal(outcome.blobName, `${CONNECTOR}/${outcome.itemId}.json`);
    assert.deepEqual(outcome.unmapped.map((u) => u.reason).sort(), [...expected[outcome.itemId]!].sort(), outcome.itemId);
    for (const u of outcome.unmapped) assert.ok(u.participant.includes(u.reason.slice(0, u.reason.indexOf(': '))), `${outcome.itemId}: ${u.participant} is not named with its number`);
  }
}

function assertSucceeded(result: CommandResult): void {
  assert.equal(result.code, 0, result.output);
}

describe('the user-mapping issue through the demo command', () => {
  let work: { dir: string; remove(): Promise<void> };
  let scenario: Scenario;

  before(async () => {
    work = await makeWorkdir();
    scenario = await loadScenario(MAPPING_SCENARIO_DIR);
  });
  after(() => work?.remove());

  test('the scenario is consistent and its table covers every item', async () => {
    assert.deepEqual(await findScenarioInconsistencies(scenario), []);
    assert.deepEqual(scenario.connectors.map((c) => [c.id, c.product, c.mappingCsv]), [[CONNECTOR, 'att-network', 'mapping/initial.csv']]);
    assert.deepEqual(scenario.items['att-network'].map((l) => l.item.id).sort(), Object.keys(MAILBOXES).sort());
    assert.deepEqual(scenario.items.wechat, []);
  });

  test('file, email, both (the file wins), neither; then a corrected file and a replay import the rest, once each', { timeout: 120_000 }, async () => {
    const demoArgs = ['--scenario', MAPPING_SCENARIO_DIR, '--workdir', work.dir, '--timeout-seconds', '60'];
    const graphDir = path.join(work.dir, 'graph');

    // First cycle, with the initial mapping file.
    assertSucceeded(await runDemoCommand(demoArgs));
    const first = await readReport(work.dir);
    assert.equal(first.connectors.length, 1);
    const att = first.connectors[0]!;
    assert.deepEqual(
      [att.id, att.fetched, att.stored, att.imported, att.alreadyImported, att.quarantined, att.failed, att.replayed],
      [CONNECTOR, 10, 10, { items: 6, messages: 6 }, 0, [], [], undefined],
    );
    assertReportReasons(att.unmapped, FIRST_REASONS);
    const firstExpected = expectedItems(scenario, 'first');
    const copies = assertExactlyOnce(await readGraphExport(graphDir), firstExpected);
    await assertCopiesMatchItems(graphDir, copies, firstExpected, rebaseOffsetFromCopies(copies, firstExpected));

    // Between cycles, as an administrator: read the listing, apply the corrected file, replay.
    const correctedBytes = await readFile(CORRECTED_CSV);
    const correctedVersion = await withWorkdirStorage(work.dir, async (stores) => {
      const outcomes = await stores.imports.listOutcomes(CONNECTOR);
      for (const o of outcomes.filter((x) => x.status === 'imported')) {
        const mapped = MAILBOXES[o.itemId]!;
        assert.deepEqual(o.mailboxes.map((m) => [m.userPrincipalName, m.via, m.status]), mapped.first.map((upn) => [upn, mapped.via, 'imported']), o.itemId);
      }
      assertListedReasons(await listItemOutcomes(CONNECTOR, 'unmapped', stores), FIRST_REASONS);

      const applied = await applyMappingFile({ connectorId: CONNECTOR, bytes: correctedBytes, fileName: 'corrected.csv' }, stores);
      assert.deepEqual(applied.report.problems, []);
      assert.equal(applied.connector.mappingFile?.version, applied.current.version);

      const replay = await replayItems(
        { connectorId: CONNECTOR },
        { connectors: stores.connectors, imports: stores.imports, items: stores.storage.blobs.getContainerClient(Containers.items), replays: new StorageImportReplayQueue(stores.storage.queue(Queues.importReplays)) },
      );
      assert.deepEqual(replay, { connectorId: CONNECTOR, status: 'unmapped', listed: 4, replayed: Object.keys(FIRST_REASONS), missing: [], failed: [] });
      return applied.current.version;
    });

    // Second cycle: the scenario's initial file must not come back over the corrected one, and the
    // starting host's replayItem function picks up the queued replays.
    const second = await runDemoCommand(demoArgs);
    assertSucceeded(second);
    assert.match(second.output, new RegExp(`Connector ${CONNECTOR} \\(att-network\\): (updated|unchanged), mapping file ${correctedVersion}\\n`));
    const again = (await readReport(work.dir)).connectors[0]!;
    assert.deepEqual(
      [again.stored, again.imported, again.alreadyImported, again.unmapped, again.quarantined, again.failed],
      [0, { items: 0, messages: 0 }, 0, [], [], []],
      'nothing new in the second cycle\'s own windows',
    );
    assert.ok(again.replayed, 'the second report lists the replayed items');
    assert.deepEqual({ ...again.replayed, unmapped: [] }, { ...NO_RESULTS, imported: { items: 3, messages: 3 } });
    assertReportReasons(again.replayed.unmapped, { 'fab-att-0010': FIRST_REASONS['fab-att-0010']! });

    // Every (mailbox, item) pair exactly once: Leo's and Nora's items arrived, nothing was doubled.
    const afterExpected = expectedItems(scenario, 'afterReplay');
    const finalCopies = assertExactlyOnce(await readGraphExport(graphDir), afterExpected);
    await assertCopiesMatchItems(graphDir, finalCopies, afterExpected, rebaseOffsetFromCopies(finalCopies, afterExpected));

    await withWorkdirStorage(work.dir, async (stores) => {
      const outcomes = await stores.imports.listOutcomes(CONNECTOR);
      for (const id of ['fab-att-0007', 'fab-att-0008', 'fab-att-0009']) {
        const o = outcomes.find((x) => x.itemId === id)!;
        assert.deepEqual([o.status, o.mailboxes.map((m) => [m.userPrincipalName, m.via, m.status])], ['imported', [[MAILBOXES[id]!.afterReplay[0], 'mapping-file', 'imported']]], id);
      }
      assertListedReasons(await listItemOutcomes(CONNECTOR, 'unmapped', stores), { 'fab-att-0010': FIRST_REASONS['fab-att-0010']! });
      assert.equal((await stores.mappingFiles.getCurrent(CONNECTOR))?.version, correctedVersion);
    });
  });
});
