import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildCycleReport, connectorReport, reportTotals } from '../../dev/demo/report';
import { cycleExitCode, summary } from '../../dev/demo';
import type { ItemOutcome, MailboxOutcome } from '../../shared/outcomes/item-outcome';
import type { FetchRun } from '../../shared/schedule/fetch-run';

const SINCE = new Date('2026-03-11T10:00:00Z');
const CONNECTOR = { id: 'contoso-att', product: 'att-network' };

function run(from: string, to: string, counts: Partial<FetchRun> = {}): FetchRun {
  return {
    connectorId: CONNECTOR.id, runId: `run-${from}`, from, to, status: 'succeeded', attempts: 1, queuedAt: '2026-03-11T10:00:01.000Z',
    fetched: 0, stored: 0, alreadyStored: 0, missingAttachments: 0, ...counts,
  };
}

function mailbox(upn: string, status: MailboxOutcome['status']): MailboxOutcome {
  return { userId: upn, userPrincipalName: upn, via: 'email', status };
}

function outcome(itemId: string, archivedAt: string | undefined, fields: Partial<ItemOutcome>): ItemOutcome {
  return {
    connectorId: CONNECTOR.id, itemId, blobName: `${CONNECTOR.id}/${itemId}.json`, status: 'imported', mailboxes: [], unmapped: [],
    attempts: 1, firstProcessedAt: '2026-03-11T10:00:05.000Z', updatedAt: '2026-03-11T10:00:05.000Z',
    ...(archivedAt === undefined ? {} : { archivedAt }), ...fields,
  };
}

describe('the cycle report', () => {
  const windows = [run('2026-03-10T10:00:00.000Z', '2026-03-11T00:00:00.000Z', { fetched: 3, stored: 3 }), run('2026-03-11T00:00:00.000Z', '2026-03-11T09:55:00.000Z', { fetched: 4, stored: 2 })];

  test('counts each outcome of the cycle once, by kind, with the reasons', () => {
    const report = connectorReport(CONNECTOR, windows, [
      outcome('a', '2026-03-10T12:00:00Z', { mailboxes: [mailbox('ana', 'imported'), mailbox('ben', 'imported')] }),
      // One copy new, one left by an interrupted attempt: the item was imported in this cycle, with two copies.
      outcome('b', '2026-03-11T01:00:00Z', { mailboxes: [mailbox('ana', 'alreadyImported'), mailbox('dana', 'imported')] }),
      outcome('c', '2026-03-11T02:00:00Z', { mailboxes: [mailbox('ana', 'alreadyImported')] }),
      outcome('d', '2026-03-11T03:00:00Z', { status: 'unmapped', unmapped: [{ participant: 'Jordan Lee (+1 310 555 0199)', reason: 'not in the mapping file, no email address' }] }),
      outcome('e', undefined, { status: 'quarantined', reason: 'field "archivedAt": not an RFC 3339 instant' }),
      outcome('f', '2026-03-11T04:00:00Z', { status: 'failed', error: 'ana: Graph 500' }),
    ], SINCE);
    assert.deepEqual(report, {
      id: 'contoso-att',
      product: 'att-network',
      windows: windows.map((w) => ({ from: w.from, to: w.to, status: 'succeeded' })),
      fetched: 7,
      stored: 5,
      imported: { items: 2, messages: 4 },
      alreadyImported: 1,
      unmapped: [{ itemId: 'd', reasons: ['Jordan Lee (+1 310 555 0199): not in the mapping file, no email address'] }],
      quarantined: [{ itemId: 'e', reason: 'field "archivedAt": not an RFC 3339 instant' }],
      failed: [{ itemId: 'f', error: 'ana: Graph 500' }],
      outstanding: {
        unmapped: [{ itemId: 'd', reasons: ['Jordan Lee (+1 310 555 0199): not in the mapping file, no email address'] }],
        partial: [],
        failed: [{ itemId: 'f', error: 'ana: Graph 500' }],
        quarantined: [{ itemId: 'e', reason: 'field "archivedAt": not an RFC 3339 instant' }],
      },
    });
  });

  test('lists what is outstanding now, not what the cycle did: a cycle that imports nothing new still lists every unmapped item', () => {
    const earlier = '2026-03-10T09:00:00.000Z';
    const outcomes = [
      outcome('still-unmapped', '2026-03-09T12:00:00Z', { status: 'unmapped', unmapped: [{ participant: 'Sam (+1 718 555 0123)', reason: 'not in the mapping file' }], updatedAt: earlier }),
      outcome('partly', '2026-03-09T13:00:00Z', { mailboxes: [mailbox('ana', 'imported')], unmapped: [{ participant: 'Jordan Lee', reason: 'no email address' }], updatedAt: earlier }),
      outcome('fixed', '2026-03-09T14:00:00Z', { mailboxes: [mailbox('leo', 'imported')], updatedAt: earlier }),
    ];
    const second = connectorReport(CONNECTOR, [], outcomes, SINCE);
    assert.deepEqual([second.imported, second.unmapped], [{ items: 0, messages: 0 }, []], 'this cycle did nothing');
    assert.deepEqual(second.outstanding, {
      unmapped: [{ itemId: 'still-unmapped', reasons: ['Sam (+1 718 555 0123): not in the mapping file'] }],
      partial: [{ itemId: 'partly', reasons: ['Jordan Lee: no email address'] }],
      failed: [],
      quarantined: [],
    });
  });

  test('a failed window is shown with its status and error, the summary says so and the demo exits non-zero', () => {
    const failedRun = run('2026-03-11T09:55:00.000Z', '2026-03-11T10:00:00.000Z', { status: 'failed', attempts: 5, error: 'TypeError: A blob name segment cannot be made' });
    const report = { connectors: [connectorReport(CONNECTOR, [...windows, failedRun], [], SINCE)] };

    assert.deepEqual(report.connectors[0]?.windows.at(-1), { from: failedRun.from, to: failedRun.to, status: 'failed', error: 'TypeError: A blob name segment cannot be made' });
    assert.equal(reportTotals(report).failedWindows, 1);
    const lines = summary({ report, mailboxFiles: [], reportFile: 'report.json' }).join('\n');
    assert.doesNotMatch(lines, /Cycle complete\./);
    assert.match(lines, /1 fetch window\(s\) failed/);
    assert.match(lines, /2026-03-11T09:55:00.000Z.*failed.*TypeError: A blob name segment cannot be made/);
    assert.equal(cycleExitCode(report), 1);
    assert.equal(cycleExitCode({ connectors: [connectorReport(CONNECTOR, windows, [], SINCE)] }), 0);
  });

  test('leaves out items outside the windows and items processed before the cycle', () => {
    const report = connectorReport(CONNECTOR, windows, [
      outcome('outside', '2026-03-09T12:00:00Z', { mailboxes: [mailbox('ana', 'imported')] }),
      outcome('at-end', '2026-03-11T09:55:00Z', { mailboxes: [mailbox('ana', 'imported')] }),
      // Listed again by a later window, but imported by an earlier cycle.
      outcome('earlier', '2026-03-10T12:00:00Z', { mailboxes: [mailbox('ana', 'imported')], updatedAt: '2026-03-11T09:00:00.000Z' }),
      outcome('old-quarantine', undefined, { status: 'quarantined', reason: 'bad', updatedAt: '2026-03-11T09:00:00.000Z' }),
      outcome('in', '2026-03-10T10:00:00Z', { mailboxes: [mailbox('ana', 'imported')] }),
    ], SINCE);
    assert.deepEqual([report.imported, report.alreadyImported, report.quarantined], [{ items: 1, messages: 1 }, 0, []]);
  });

  test('reports items of earlier windows processed during the cycle apart, as replayed, from the host\'s start on', () => {
    const hostStarted = new Date('2026-03-11T09:59:50Z');
    const outcomes = [
      outcome('in', '2026-03-10T12:00:00Z', { mailboxes: [mailbox('ana', 'imported')] }),
      // Rewritten by a replay, imported by the starting host before the timer fired.
      outcome('replay-imported', '2026-03-09T12:00:00Z', { mailboxes: [mailbox('leo', 'imported')], updatedAt: '2026-03-11T09:59:55.000Z' }),
      outcome('replay-unmapped', '2026-03-09T13:00:00Z', { status: 'unmapped', unmapped: [{ participant: 'Jamie', reason: 'not in the mapping file' }], updatedAt: '2026-03-11T10:00:30.000Z' }),
      outcome('untouched', '2026-03-09T14:00:00Z', { status: 'unmapped', unmapped: [{ participant: 'Sam', reason: 'not in the mapping file' }], updatedAt: '2026-03-11T09:00:00.000Z' }),
    ];
    const report = connectorReport(CONNECTOR, windows, outcomes, SINCE, hostStarted);
    assert.deepEqual([report.imported, report.unmapped], [{ items: 1, messages: 1 }, []]);
    assert.deepEqual(report.replayed, {
      imported: { items: 1, messages: 1 },
      alreadyImported: 0,
      unmapped: [{ itemId: 'replay-unmapped', reasons: ['Jamie: not in the mapping file'] }],
      quarantined: [],
      failed: [],
    });
    // Without the host's start, only what happened after the timer fired counts; nothing of earlier windows left: no `replayed`.
    assert.equal(connectorReport(CONNECTOR, windows, outcomes.filter((o) => o.itemId !== 'replay-unmapped'), SINCE).replayed, undefined);
  });

  test('builds every connector from its runs queued since the cycle began', async () => {
    const earlier = { ...run('2026-03-09T00:00:00.000Z', '2026-03-10T00:00:00.000Z', { fetched: 9, stored: 9 }), queuedAt: '2026-03-10T10:00:00.000Z' };
    const report = await buildCycleReport({
      connectors: [CONNECTOR, { id: 'contoso-wechat', product: 'wechat' }],
      runs: { list: async (id: string) => (id === CONNECTOR.id ? [earlier, ...windows] : []) },
      imports: { listOutcomes: async (id: string) => (id === CONNECTOR.id ? [outcome('a', '2026-03-10T12:00:00Z', { mailboxes: [mailbox('ana', 'imported')] })] : []) },
      since: SINCE,
    });
    assert.deepEqual(report.connectors.map((c) => [c.id, c.windows.length, c.fetched, c.imported.items]), [['contoso-att', 2, 7, 1], ['contoso-wechat', 0, 0, 0]]);
    assert.deepEqual(reportTotals(report), { fetched: 7, stored: 5, importedItems: 1, messages: 1, alreadyImported: 0, unmapped: 0, quarantined: 0, failed: 0, failedWindows: 0 });
  });
});
