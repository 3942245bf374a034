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

  const pipeline = await E2ePipeline.start(scenario.dir, work.dir, { graphLatency: true });
  try {
    const hosts = await Promise.all([pipeline.startHost(), pipeline.startAdditionalHost(), pipeline.startAdditionalHost()]);
    await pipeline.fire();

    // A host with imports under way once some copies exist: it is killed in the middle of them.
    const victim = await waitFor('a host in the middle of imports', () => {
      if (itemCopies(pipeline.mailboxesNow()).length < 4) return undefined;
      return hosts.find((host) => importsUnderWay(host).length > 0);
    }, 300_000);
    const interrupted = importsUnderWay(victim).length;
    await victim.kill();
    const copiesAtKill = itemCopies(pipeline.mailboxesNow()).length;
    t.diagnostic(`killed a host with ${interrupted} imports under way, ${copiesAtKill} of ${copies} copies made`);
    assert.ok(copiesAtKill < copies, 'the kill came mid-import');

    // Its blob receipts are let go, as their 30 s leases would: the blobs it held, and those the
    // live hosts hold, become free to start on again while they run. The copies it had claimed
    // stay claimed until their lease (60 s) runs out; nothing here shortens that.
    await pipeline.breakReceiptLeases();
    const survivors = hosts.filter((host) => host !== victim);

    await waitFor('every copy in its mailbox', () => (itemCopies(pipeline.mailboxesNow()).length >= copies ? true : undefined), 600_000);
    await Promise.all(survivors.map((host) => host.waitForDrained({ timeoutMs: 240_000, settleMs: 2_500 })));

    assertExactlyOnce(pipeline.mailboxesNow(), expected);
    assert.equal(await pipeline.graphCreates(), copies, 'Graph was asked to create each copy once');
    const imports = await pipeline.environment.stores.imports.listOutcomes('e2e-att');
    assert.deepEqual(imports.filter((o) => o.status !== 'imported').map((o) => [o.itemId, o.status, o.error]), [], 'every item ends imported');
    const secondDeliveries = survivors.flatMap((host) => host.output).filter((line) => /: imported \(.*alreadyImported/.test(line)).length;
    t.diagnostic(`${secondDeliveries} invocations found a copy another had made`);
  } finally {
    await pipeline.stop();
  }
  const offsetMs = pipeline.rebaseOffsetMs;
  // And the export the simulator wrote to disk on stopping says the same.
  const exported = assertExactlyOnce(await readGraphExport(pipeline.graphDataDir), expected);
  await assertCopiesMatchItems(pipeline.graphDataDir, exported, expected, offsetMs);
});
