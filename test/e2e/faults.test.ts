/**
 * End to end through the local host: TeleMessage failing in the middle of a window (503, 429,
 * connection resets, a truncated download, an expired token) and Graph throttling and failing in
 * the middle of the import (429 and 503 on every kind of request the writer makes). The end state
 * must be the plain one: every item exactly once in every mapped mailbox, attachments intact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertCopiesMatchItems, assertExactlyOnce, type ExpectedItem } from './end-state';
import { ANA, ATT_FOLDER, AttScenarioBuilder, BEN, DANA, JORDAN, SAM, makeWorkdir, randomFile, writeAttScenario, type GeneratedScenario } from './e2e-scenario';
import { E2ePipeline, waitFor } from './pipeline-fixture';

describe('faults in the middle of a cycle', () => {
  const builder = new AttScenarioBuilder();
  let scenario: GeneratedScenario;
  let work: { dir: string; remove(): Promise<void> };
  let pipeline: E2ePipeline | undefined;

  before(async () => {
    // The MMS come first, so their downloads happen while the first of two pages is being stored.
    builder.mms(ANA, [JORDAN], 'Site photos', [randomFile('site-1.jpg', 200_000, 'image/jpeg')]);
    builder.mms(DANA, [ANA, BEN, JORDAN], 'Booth plan for the fair', [randomFile('booth.png', 150_000, 'image/png')]);
    builder.mms(SAM, [BEN], '', [randomFile('receipt.jpg', 90_000, 'image/jpeg')]);
    builder.mms(DANA, [SAM], 'Signed contract attached', [randomFile('contract.pdf', 3_600_000, 'application/pdf')]);
    builder.mms(BEN, [DANA], 'Two pictures', [randomFile('a.jpg', 120_000, 'image/jpeg'), randomFile('b.jpg', 80_000, 'image/jpeg')]);
    const pairs: [typeof ANA, typeof ANA][] = [[ANA, JORDAN], [JORDAN, BEN], [DANA, SAM], [BEN, DANA], [SAM, ANA]];
    for (let i = 0; i < 110; i++) {
      const [from, to] = pairs[i % pairs.length]!;
      builder.sms(from, [to], `Message ${i + 1} <of> 110 & counting`);
    }
    scenario = await writeAttScenario(builder);
    work = await makeWorkdir();
  });

  after(async () => {
    await pipeline?.stop().catch(() => undefined);
    await scenario?.remove();
    await work?.remove();
  });

  test('TeleMessage 503/429/reset/truncate/expired token mid-window and Graph 429/503 mid-import: every item once, intact', async () => {
    pipeline = await E2ePipeline.start(scenario.dir, work.dir);
    const teleMessage = pipeline.environment.teleMessage;
    const graph = pipeline.environment.graph;

    // Attachments are downloaded while the first page is being stored, before the second page is
    // asked for. The first download is held back long enough to place the listing faults, so they
    // hit the second page of the window.
    teleMessage.faults.add({ route: 'attachment', kind: 'latency', latencyMs: 1_500, times: 1 });
    teleMessage.faults.add({ route: 'attachment', kind: 'status-503', retryAfterSeconds: 1, times: 1 });
    teleMessage.faults.add({ route: 'attachment', kind: 'reset', times: 1 });
    teleMessage.faults.add({ route: 'attachment', kind: 'truncate', times: 1 });
    // Graph refuses a few of each request the import makes before letting them through.
    graph.faults.add({ kind: 'status-429', match: { method: 'GET' }, times: 2, retryAfterSeconds: 1 });
    graph.faults.add({ kind: 'status-429', match: { method: 'POST', pathIncludes: '/mailFolders/' }, times: 3, retryAfterSeconds: 1 });
    graph.faults.add({ kind: 'status-503', match: { method: 'POST', pathIncludes: '/attachments' }, times: 2, retryAfterSeconds: 1 });
    graph.faults.add({ kind: 'status-503', match: { method: 'PUT' }, times: 1, retryAfterSeconds: 1 });

    await pipeline.startHost();
    const since = await pipeline.fire();
    await waitFor('the first attachment download (the first page is in)', () => (teleMessage.stats.requests('attachment') >= 1 ? true : undefined));
    teleMessage.faults.add({ route: 'list', kind: 'status-429', retryAfterSeconds: 1, times: 1 });
    teleMessage.faults.add({ route: 'list', kind: 'expire-token', times: 1 });
    teleMessage.faults.add({ route: 'list', kind: 'status-503', retryAfterSeconds: 1, times: 1 });
    await pipeline.drain();

    // Every fault was met: the run really went through them.
    assert.deepEqual(teleMessage.faults.list(), []);
    assert.deepEqual(graph.faults.list(), []);
    const outcomes = teleMessage.stats.snapshot().outcomes;
    assert.ok((outcomes.list['429'] ?? 0) >= 1 && (outcomes.list['503'] ?? 0) >= 1 && (outcomes.list['401'] ?? 0) >= 1, JSON.stringify(outcomes.list));
    assert.ok((outcomes.attachment['503'] ?? 0) >= 1 && (outcomes.attachment.reset ?? 0) >= 1 && (outcomes.attachment.truncated ?? 0) >= 1, JSON.stringify(outcomes.attachment));

    const report = await pipeline.report(since);
    const [att] = report.connectors;
    assert.equal(att?.fetched, builder.items.length);
    assert.equal(att?.stored, builder.items.length);
    assert.deepEqual(att?.failed, []);
    assert.deepEqual(att?.unmapped, []);
    assert.deepEqual(att?.imported, { items: builder.items.length, messages: builder.items.reduce((n, p) => n + p.mailboxes.length, 0) });

    const expected: ExpectedItem[] = builder.items.map((p) => ({ item: p.item, mailboxes: p.mailboxes, folder: ATT_FOLDER }));
    const offsetMs = pipeline.rebaseOffsetMs;
    const mailboxes = await pipeline.stopAndReadExport();
    const copies = assertExactlyOnce(mailboxes, expected);
    await assertCopiesMatchItems(pipeline.graphDataDir, copies, expected, offsetMs);
  });
});
