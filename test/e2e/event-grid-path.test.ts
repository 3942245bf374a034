/**
 * End to end on the path production takes: the import function with `source: 'EventGrid'`, fed
 * by the local Event Grid through the host's blobs webhook. A failing import is poisoned after
 * the extension's number of attempts (poisonBlobThreshold, 5), and events delivered twice and
 * out of order still make every copy exactly once.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { itemCopies } from '../../dev/demo/graph-export';
import { assertExactlyOnce, type ExpectedItem } from './end-state';
import { ANA, ATT_FOLDER, AttScenarioBuilder, BEN, DANA, JORDAN, SAM, makeWorkdir, writeAttScenario } from './e2e-scenario';
import { E2ePipeline, waitFor } from './pipeline-fixture';

const POISON_QUEUE = 'webjobs-blobtrigger-poison';

describe('the import through Event Grid', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  async function prepare(builder: AttScenarioBuilder, options: Parameters<typeof E2ePipeline.start>[2] = {}): Promise<E2ePipeline> {
    const scenario = await writeAttScenario(builder);
    const work = await makeWorkdir();
    cleanups.push(scenario.remove, work.remove);
    const pipeline = await E2ePipeline.start(scenario.dir, work.dir, options);
    cleanups.unshift(() => pipeline.stop().catch(() => undefined));
    return pipeline;
  }

  test('an import that always fails runs 5 times (extensions.blobs.poisonBlobThreshold) and goes to webjobs-blobtrigger-poison', async () => {
    const builder = new AttScenarioBuilder();
    builder.sms(ANA, [JORDAN], 'This one cannot be imported');
    const p = await prepare(builder);
    assert.equal(p.environment.blobTriggerSource, 'EventGrid');
    // Graph refuses every message and folder creation with a 500, which no client retries.
    p.environment.graph.faults.add({ kind: 'status-500', match: { method: 'POST', pathIncludes: 'mailFolders' } });
    const host = await p.startHost();
    await p.fire();
    const poison = p.environment.stores.storage.queue(POISON_QUEUE);
    const [notice] = await waitFor('the poison message', async () => {
      if (!(await poison.exists())) return undefined;
      const items = (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
      return items.length > 0 ? items : undefined;
    }, 120_000);
    await p.drain();

    const failed = host.output.filter((line) => /Executed 'Functions\.importItem' \(Failed/.test(line));
    assert.equal(failed.length, 5, 'five attempts, then poison');
    assert.ok(host.output.some((line) => /New blob detected\(EventGrid\): archive-items\//.test(line)), 'the invocations came through Event Grid');
    const message = JSON.parse(Buffer.from(notice!.messageText, 'base64').toString('utf8')) as Record<string, string>;
    assert.equal(message.Type, 'BlobTrigger');
    assert.equal(message.FunctionId, 'Host.Functions.importItem');
    assert.equal(message.ContainerName, 'archive-items');
    assert.match(message.BlobName ?? '', /^e2e-att\/.+\.json$/);
    assert.match(message.ETag ?? '', /^".+"$/);
    const [grid] = p.environment.eventGrids;
    assert.equal(grid?.grid.stats.deadLettered, 0, 'Event Grid delivered it: the webhook answered 202 before the function ran');
  });

  // The second delivery's invocation can run while the first is still creating the message: the
  // per-copy delivery claim (docs/architecture.md, "The delivery claim") keeps it from a second copy.
  test('every event delivered twice, late and out of order: every copy exactly once', async () => {
    const builder = new AttScenarioBuilder();
    for (let i = 0; i < 6; i++) {
      builder.sms(ANA, [JORDAN, BEN], `Twice told ${i + 1}`);
      builder.sms(SAM, [DANA], `Out of order ${i + 1}`);
    }
    const expected: ExpectedItem[] = builder.items.map((i) => ({ item: i.item, mailboxes: i.mailboxes, folder: ATT_FOLDER }));
    const copies = expected.reduce((n, e) => n + e.mailboxes.length, 0);
    const p = await prepare(builder, { eventGrid: { duplicates: { every: 1 }, outOfOrder: true, scanIntervalMs: 1_000 } });
    await p.startHost();
    await p.fire();
    await waitFor('every copy in its mailbox', () => (itemCopies(p.mailboxesNow()).length >= copies ? true : undefined), 300_000);
    await p.drain();
    const stats = p.environment.eventGrids.find((g) => g.functionName === 'importItem')!.grid.stats;
    assert.equal(stats.events, expected.length);
    assert.equal(stats.delivered, 2 * expected.length, 'each event delivered twice');
    assertExactlyOnce(await p.stopAndReadExport(), expected);
  });
});
