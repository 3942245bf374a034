/**
 * End to end with three host processes on one Azurite and the simulators, Graph answering as
 * slowly as Exchange, blobs delivered more than once to different hosts at the same moment, and
 * one host killed (SIGKILL) in the middle of an import: every expected copy exists exactly once,
 * by the Graph simulator's own store, and Graph was asked to create each copy once.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { itemCopies, readGraphExport } from '../../dev/demo/graph-export';
import type { HostProcess } from '../../dev/host';
import { assertCopiesMatchItems, assertExactlyOnce, type ExpectedItem } from './end-state';
import { ANA, ATT_FOLDER, AttScenarioBuilder, BEN, DANA, JORDAN, SAM, makeWorkdir, randomFile, writeAttScenario } from './e2e-scenario';
import { E2ePipeline, waitFor } from './pipeline-fixture';

const cleanups: (() => Promise<void>)[] = [];
const LEASE_SECONDS = 15;
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** Invocation ids of `importItem` a host started and has not finished, from its log. */
function importsUnderWay(host: HostProcess): string[] {
  const open = new Set<string>();
  for (const line of host.output) {
    const started = /Executing 'Functions\.importItem' .*Id=([0-9a-f-]+)/.exec(line);
    if (started?.[1]) open.add(started[1]);
    const ended = /Executed 'Functions\.importItem' .*Id=([0-9a-f-]+)/.exec(line);
    if (ended?.[1]) open.delete(ended[1]);
  }
  return [...open];
}

test('three hosts, blobs delivered twice at once to different hosts, one host killed mid-import: every copy exactly once', async (t) => {
  const builder = new AttScenarioBuilder();
  for (let i = 0; i < 8; i++) {
    builder.sms(ANA, [JORDAN], `Ana to Jordan ${i + 1}`);
    builder.mms(SAM, [BEN, DANA], `Site photo ${i + 1}`, [randomFile(`site-${i + 1}.jpg`, 120_000, 'image/jpeg')]);
    builder.sms(DANA, [ANA, BEN], `Dana to the team ${i + 1}`);
  }
  const expected: ExpectedItem[] = builder.items.map((p) => ({ item: p.item, mailboxes: p.mailboxes, folder: ATT_FOLDER }));
  const copies = expected.reduce((n, e) => n + e.mailboxes.length, 0);
  const scenario = await writeAttScenario(builder);
  const work = await makeWorkdir();
  cleanups.push(scenario.remove, work.remove);

  // Every event is delivered twice, both copies at the same instant, to different hosts.
  // Claims on copies and Graph slots hold 15 s without renewal instead of the default 60 s
  // (ARCHIVER_CLAIM_LEASE_SECONDS): the takeover below is still a lease running out, only sooner.
  const pipeline = await E2ePipeline.start(scenario.dir, work.dir, {
    graphLatency: true,
    eventGrid: { duplicates: { every: 1, sameInstant: true } },
    hostSettings: { ARCHIVER_CLAIM_LEASE_SECONDS: String(LEASE_SECONDS) },
  });
  try {
    const hosts = await Promise.all([pipeline.startHost(), pipeline.startAdditionalHost(), pipeline.startAdditionalHost()]);
    const started = Date.now();
    const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    await pipeline.fire();

    // A host with imports under way once some copies exist: it is killed in the middle of them.
    const victim = await waitFor('a host in the middle of imports', () => {
      if (itemCopies(pipeline.mailboxesNow()).length < 4) return undefined;
      return hosts.find((host) => importsUnderWay(host).length > 0);
    }, 300_000);
    const interrupted = importsUnderWay(victim).length;
    await victim.kill();
    const copiesAtKill = itemCopies(pipeline.mailboxesNow()).length;
    t.diagnostic(`${elapsed()}: killed a host with ${interrupted} imports under way, ${copiesAtKill} of ${copies} copies made`);
    assert.ok(copiesAtKill < copies, 'the kill came mid-import');
    const survivors = hosts.filter((host) => host !== victim);
    assert.ok(survivors.length === 2);

    // The blob trigger messages it had taken come back, as their visibility timeout would bring
    // them back. The copies it had claimed stay claimed until their lease (LEASE_SECONDS) runs out;
    // nothing here shortens that: the invocations that meet them wait, then search and find.
    const requeued = await pipeline.requeueUnfinishedImports();
    // And if it was fetching the window, the job comes back too (write-once: nothing stored twice).
    const jobs = await pipeline.requeueUnfinishedFetchJobs();
    t.diagnostic(`${elapsed()}: ${requeued} unfinished items delivered again, ${jobs} fetch jobs queued again`);

    await waitFor('every copy in its mailbox', () => (itemCopies(pipeline.mailboxesNow()).length >= copies ? true : undefined), 600_000);
    t.diagnostic(`${elapsed()}: every copy made`);
    // Done when both copies of every event have reached a host and then nothing is left to do
    // (Event Grid idle, every host drained), not after a fixed pause.
    const grid = pipeline.environment.eventGrids.find((g) => g.functionName === 'importItem')?.grid;
    await waitFor('both copies of every event delivered', () => ((grid?.stats.delivered ?? 0) >= 2 * expected.length ? true : undefined), 240_000);
    await pipeline.environment.waitForDrained({ timeoutMs: 240_000, settleMs: 0 });
    t.diagnostic(`${elapsed()}: drained`);

    assertExactlyOnce(pipeline.mailboxesNow(), expected);
    assert.equal(await pipeline.graphCreates(), copies, 'Graph was asked to create each copy once');
    const imports = await pipeline.environment.stores.imports.listOutcomes('e2e-att');
    assert.deepEqual(imports.filter((o) => o.status !== 'imported').map((o) => [o.itemId, o.status, o.error]), [], 'every item ends imported');
    assert.equal(grid?.stats.events, expected.length);
    assert.ok((grid?.stats.delivered ?? 0) >= 2 * expected.length, 'each event delivered twice');
    const secondDeliveries = hosts.flatMap((host) => host.output).filter((line) => /: imported \(.*alreadyImported/.test(line)).length;
    t.diagnostic(`${secondDeliveries} invocations found a copy another had made`);
    // Second deliveries really ran and found the copies made (the exactly-once checks above are what
    // matters). How many is timing: a duplicate still queued on the killed host is put back as one
    // message, and one that waited on a claim logs only once the holder finishes; so the count is
    // not held to one per item (it was seen at 12 of 24 on a loaded machine).
    assert.ok(secondDeliveries > 0, `no second delivery of ${expected.length} items found a copy made (interrupted: ${interrupted})`);
  } finally {
    const stopping = Date.now();
    await pipeline.stop();
    t.diagnostic(`stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
  }
  const offsetMs = pipeline.rebaseOffsetMs;
  // And the export the simulator wrote to disk on stopping says the same.
  const exported = assertExactlyOnce(await readGraphExport(pipeline.graphDataDir), expected);
  await assertCopiesMatchItems(pipeline.graphDataDir, exported, expected, offsetMs);
});
