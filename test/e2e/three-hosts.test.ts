/**
 * End to end with three host processes, as Flex Consumption runs three instances of the app, and
 * a Graph simulator that answers as slowly as Exchange: the per-mailbox limits are kept by the
 * three together (never more than 4 requests in flight on a mailbox, by the simulator's own
 * count, whichever process sent them), and every copy is made exactly once.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { itemCopies, readGraphExport } from '../../dev/demo/graph-export';
import { assertExactlyOnce, type ExpectedItem } from './end-state';
import { ANA, ATT_FOLDER, AttScenarioBuilder, BEN, DANA, JORDAN, SAM, makeWorkdir, writeAttScenario } from './e2e-scenario';
import { E2ePipeline, waitFor } from './pipeline-fixture';

const ITEMS_PER_MAILBOX = 20;

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

test('three hosts, Exchange-like latency: at most 4 requests in flight per mailbox across them, every copy exactly once', async (t) => {
  const builder = new AttScenarioBuilder();
  for (let i = 0; i < ITEMS_PER_MAILBOX; i++) {
    builder.sms(ANA, [JORDAN], `Ana to Jordan ${i + 1}`);
    builder.sms(SAM, [BEN], `Sam to Ben ${i + 1}`);
    builder.sms(DANA, [JORDAN], `Dana to Jordan ${i + 1}`);
  }
  const expected: ExpectedItem[] = builder.items.map((p) => ({ item: p.item, mailboxes: p.mailboxes, folder: ATT_FOLDER }));
  const copies = expected.reduce((n, e) => n + e.mailboxes.length, 0);
  const scenario = await writeAttScenario(builder);
  const work = await makeWorkdir();
  cleanups.push(scenario.remove, work.remove);

  const pipeline = await E2ePipeline.start(scenario.dir, work.dir, { graphLatency: true });
  try {
    const hosts = await Promise.all([pipeline.startHost(), pipeline.startAdditionalHost(), pipeline.startAdditionalHost()]);
    const started = Date.now();
    await pipeline.fire();
    await waitFor('every item stored', async () => ((await pipeline.storedItemCount()) >= expected.length ? true : undefined), 300_000);
    t.diagnostic(`stored after ${Date.now() - started} ms`);
    await waitFor('every copy in its mailbox', () => (itemCopies(pipeline.mailboxesNow()).length >= copies ? true : undefined), 600_000);
    t.diagnostic(`imported after ${Date.now() - started} ms`);
    // The environment's drained answer covers every host and the Event Grid deliveries still on
    // their way, so its first true answer counts: no settling time.
    await pipeline.environment.waitForDrained({ timeoutMs: 120_000, settleMs: 0 });
    t.diagnostic(`drained after ${Date.now() - started} ms`);

    const stats = pipeline.environment.graph.stats.snapshot();
    for (const [mailbox, activity] of Object.entries(stats.mailboxes)) {
      assert.ok(activity.maxInFlight <= 4, `${mailbox} had ${activity.maxInFlight} requests in flight at once`);
    }
    assert.equal(stats.maxInFlightPerMailbox <= 4, true);
    assert.deepEqual(stats.throttledBy, {}, 'no 429 from the mailbox limits');
    const importing = hosts.filter((host) => host.output.some((line) => /importItem/.test(line)));
    assert.ok(importing.length >= 2, `the imports were spread over the hosts (${importing.length} of 3 imported)`);
  } finally {
    await pipeline.stop();
  }
  const mailboxes = await readGraphExport(pipeline.graphDataDir);
  assertExactlyOnce(mailboxes, expected);
});
