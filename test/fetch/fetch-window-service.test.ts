import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { attachmentBlobName, itemBlobName } from '../../shared/archive/blob-names';
import { Containers } from '../../shared/platform/storage/storage-names';
import type { FetchRun } from '../../shared/schedule/fetch-run';
import type { RunStore } from '../../shared/schedule/run-store';
import { day, during, FetchFixture } from './fetch-fixture';

/**
 * The fetch stage against the TeleMessage simulator and a private Azurite: what one window run
 * stores, what a second run of the same window does, how faults and failures end, and how the
 * connector's checkpoint moves.
 */
describe('FetchWindowService (TeleMessage simulator, Azurite)', () => {
  let fx: FetchFixture;
  /** Day 0: seven items over three pages of three; day 1 and 2: a few more; days 4 and 5: special cases. */
  const day0Items = ['tm-d0-1', 'tm-d0-2', 'tm-d0-3', 'tm-d0-4', 'tm-d0-5', 'tm-d0-6', 'tm-d0-7'];
  const day1Items = ['tm-d1-1', 'tm-d1-2', 'tm-d1-3', 'tm-d1-4'];
  const day2Items = ['tm-d2-1'];

  before(async () => {
    fx = await FetchFixture.start(async (s) => {
      const photo = await s.attachment('att-d0-2', 20_000, 'image/jpeg');
      const video = await s.attachment('att-d0-4', 3 * 1024 * 1024 + 17, 'video/mp4');
      const first = await s.attachment('att-d0-6a', 1_000, 'image/png');
      const second = await s.attachment('att-d0-6b', 5_000, 'application/pdf');
      s.item({ id: 'tm-d0-1', product: 'att-network', archivedAt: during(0, 1) });
      s.item({ id: 'tm-d0-2', product: 'att-network', archivedAt: during(0, 2), attachments: [photo] });
      s.item({ id: 'tm-d0-3', product: 'att-network', archivedAt: during(0, 3) });
      s.item({ id: 'tm-d0-4', product: 'att-network', archivedAt: during(0, 4), attachments: [video] });
      s.item({ id: 'tm-d0-5', product: 'att-network', archivedAt: during(0, 5) });
      s.item({ id: 'tm-d0-6', product: 'att-network', archivedAt: during(0, 6), attachments: [first, second] });
      s.item({ id: 'tm-d0-7', product: 'att-network', archivedAt: during(0, 7) });

      const big = await s.attachment('att-d1-2', 2 * 1024 * 1024 + 5, 'image/heic');
      const small = await s.attachment('att-d1-3', 40_000, 'image/jpeg');
      s.item({ id: 'tm-d1-1', product: 'att-network', archivedAt: during(1, 1) });
      s.item({ id: 'tm-d1-2', product: 'att-network', archivedAt: during(1, 2), attachments: [big] });
      s.item({ id: 'tm-d1-3', product: 'att-network', archivedAt: during(1, 3), attachments: [small] });
      s.item({ id: 'tm-d1-4', product: 'att-network', archivedAt: during(1, 4) });

      s.item({ id: 'tm-d2-1', product: 'att-network', archivedAt: during(2, 1) });

      // Day 4: an attachment TeleMessage no longer has. Day 5: an attachment whose bytes are not the ones listed.
      s.item({ id: 'tm-d4-1', product: 'att-network', archivedAt: during(4, 1), attachments: [s.goneAttachment('att-d4-gone', 64)] });
      const good = await s.attachment('att-d5-good', 3_000, 'image/jpeg');
      const corrupt = await s.attachment('att-d5-corrupt', 3_000, 'image/jpeg');
      s.item({ id: 'tm-d5-1', product: 'att-network', archivedAt: during(5, 1), attachments: [good, { ...corrupt, sha256: 'a'.repeat(64) }] });

      // Day 6: ids no blob or row name can be made from (lone UTF-16 surrogates), between good items.
      s.item({ id: 'tm-d6-1', product: 'att-network', archivedAt: during(6, 1) });
      s.item({ id: 'tm-d6-\uD800bad', product: 'att-network', archivedAt: during(6, 2) });
      s.item({ id: 'tm-d6-\uDC00\uDC01', product: 'att-network', archivedAt: during(6, 3) });
      s.item({ id: 'tm-d6-4', product: 'att-network', archivedAt: during(6, 4) });
    });
  });

  after(async () => {
    await fx?.close();
  });

  test('stores every item of a window of several pages once, attachments with their size and sha256 as metadata', async () => {
    fx.sim.stats.reset();
    const connector = await fx.createConnector(day(0));
    const job = await fx.queue(connector.id, day(0), day(1));

    const run = await fx.service({ pageSize: 3 }).fetchWindow(job, { attempt: 1 });

    assert.equal(fx.sim.stats.requests('list'), 3, 'seven items in pages of three are three list requests');
    assert.equal(run.status, 'succeeded');
    assert.deepEqual([run.fetched, run.stored, run.alreadyStored, run.missingAttachments], [7, 7, 0, 0]);
    const items = await fx.itemBlobs(connector.id);
    assert.deepEqual([...items.keys()].sort(), day0Items.map((id) => itemBlobName(connector.id, id)).sort());

    const stored = await fx.readJson(Containers.items, itemBlobName(connector.id, 'tm-d0-6'));
    assert.equal(stored.id, 'tm-d0-6');
    assert.deepEqual(stored._archive, { version: 1, connectorId: connector.id, product: 'att-network', missingAttachments: [] });

    const attachments = await fx.attachmentBlobs(connector.id);
    assert.equal(attachments.size, 4);
    for (const id of ['att-d0-2', 'att-d0-4', 'att-d0-6a', 'att-d0-6b']) {
      const itemId = { 'att-d0-2': 'tm-d0-2', 'att-d0-4': 'tm-d0-4', 'att-d0-6a': 'tm-d0-6', 'att-d0-6b': 'tm-d0-6' }[id] as string;
      const file = fx.scenario.attachments.get(id);
      const properties = await fx.blobs.getContainerClient(Containers.attachments).getBlobClient(attachmentBlobName(connector.id, itemId, id)).getProperties();
      assert.equal(properties.contentLength, file?.size, `${id} has all its bytes`);
      assert.deepEqual(properties.metadata, { size: String(file?.size), sha256: file?.sha256 });
    }

    assert.equal(await fx.checkpoint(connector.id), day(1), 'the checkpoint moves to the end of the stored window');
    const recorded = await fx.runs.get(connector.id, job);
    assert.equal(recorded?.status, 'succeeded');
    assert.equal(recorded?.attempts, 1);
    const event = fx.telemetry.events.find((e) => e.name === 'FetchRun' && e.properties.runId === job.runId);
    assert.equal(event?.properties.status, 'succeeded');
    assert.equal(event?.measurements.itemsStored, 7);
  });

  test('running a window again writes nothing twice and downloads no attachment again', async () => {
    const connector = await fx.createConnector(day(0));
    const job = await fx.queue(connector.id, day(0), day(1));
    await fx.service({ pageSize: 3 }).fetchWindow(job, { attempt: 1 });
    const itemsBefore = await fx.itemBlobs(connector.id);
    const attachmentsBefore = await fx.attachmentBlobs(connector.id);

    // A back-fill queues the stored window again.
    fx.sim.stats.reset();
    const again = await fx.requeue(job);
    const run = await fx.service({ pageSize: 3 }).fetchWindow(again, { attempt: 1 });

    assert.equal(run.status, 'succeeded');
    assert.deepEqual([run.fetched, run.stored, run.alreadyStored], [7, 0, 7]);
    assert.equal(fx.sim.stats.requests('attachment'), 0, 'stored attachments are not fetched again');
    assert.deepEqual(await fx.itemBlobs(connector.id), itemsBefore, 'no item blob is rewritten (same etags)');
    assert.deepEqual(await fx.attachmentBlobs(connector.id), attachmentsBefore, 'no attachment blob is rewritten');

    // The same queue message delivered once more after its run succeeded: nothing is listed at all.
    fx.sim.stats.reset();
    const repeated = await fx.service().fetchWindow(again, { attempt: 2 });
    assert.equal(repeated.status, 'succeeded');
    assert.equal(fx.sim.stats.requests('list'), 0);
    assert.deepEqual(await fx.itemBlobs(connector.id), itemsBefore);
  });

  test('faults mid-window (429/503 with Retry-After, 500, reset, truncated bodies, early token expiry) still end with every item stored once', async () => {
    fx.sim.stats.reset();
    const connector = await fx.createConnector(day(1));
    const job = await fx.queue(connector.id, day(1), day(2));
    const faults = [
      fx.sim.faults.add({ route: 'list', kind: 'status-429', retryAfterSeconds: 1 }),
      fx.sim.faults.add({ route: 'token', kind: 'truncate' }),
      fx.sim.faults.add({ route: 'list', kind: 'truncate' }),
      fx.sim.faults.add({ route: 'list', kind: 'expire-token' }),
      fx.sim.faults.add({ route: 'list', kind: 'status-503', retryAfterSeconds: 0 }),
      fx.sim.faults.add({ route: 'attachment', kind: 'status-500' }),
      fx.sim.faults.add({ route: 'attachment', kind: 'truncate' }),
      fx.sim.faults.add({ route: 'attachment', kind: 'reset' }),
      fx.sim.faults.add({ route: 'attachment', kind: 'expire-token' }),
      fx.sim.faults.add({ route: 'list', kind: 'reset' }),
      fx.sim.faults.add({ route: 'list', kind: 'status-500' }),
    ];
    try {
      const run = await fx.service({ pageSize: 2, maxClientAttempts: 8 }).fetchWindow(job, { attempt: 1 });

      assert.equal(fx.sim.faults.list().length, 0, `every fault was met (left: ${JSON.stringify(fx.sim.faults.list())})`);
      assert.equal(faults.length, 11);
      for (const outcome of [429, 503, 500, 401, 'reset', 'truncated'] as const) {
        assert.ok(fx.sim.stats.outcomes(outcome) > 0, `the run met a ${outcome} answer`);
      }
      assert.equal(run.status, 'succeeded');
      assert.deepEqual([run.fetched, run.stored, run.alreadyStored], [4, 4, 0]);
      const items = await fx.itemBlobs(connector.id);
      assert.deepEqual([...items.keys()].sort(), day1Items.map((id) => itemBlobName(connector.id, id)).sort());
      for (const id of ['att-d1-2', 'att-d1-3']) {
        const file = fx.scenario.attachments.get(id);
        const itemId = id === 'att-d1-2' ? 'tm-d1-2' : 'tm-d1-3';
        const properties = await fx.blobs.getContainerClient(Containers.attachments).getBlobClient(attachmentBlobName(connector.id, itemId, id)).getProperties();
        assert.equal(properties.contentLength, file?.size);
        assert.equal(properties.metadata?.sha256, file?.sha256);
      }
      assert.equal(await fx.checkpoint(connector.id), day(2));
    } finally {
      fx.sim.faults.clear();
    }
  });

  test('a failed attempt leaves the checkpoint where it was, records the error and the attempt, and the last attempt marks the run failed', async () => {
    const connector = await fx.createConnector(day(1));
    const job = await fx.queue(connector.id, day(1), day(2));
    const service = fx.service({ maxAttempts: 3, maxClientAttempts: 2 });
    fx.sim.faults.add({ route: 'list', kind: 'status-500', times: Infinity });
    try {
      await assert.rejects(service.fetchWindow(job, { attempt: 1 }), { name: 'TeleMessageTransientError' });
      let run = await fx.runs.get(connector.id, job);
      assert.equal(run?.status, 'running', 'the host will deliver the job again');
      assert.equal(run?.attempts, 1);
      assert.match(run?.error ?? '', /TeleMessageTransientError: .*HTTP 500/);
      let stored = await fx.connectors.get(connector.id);
      assert.equal(stored.checkpoint, day(1));
      assert.equal(stored.lastRun?.status, 'running');
      assert.match(stored.lastRun?.error ?? '', /HTTP 500/);
      assert.equal(fx.telemetry.events.filter((e) => e.properties.runId === job.runId).at(-1)?.properties.status, 'retrying');

      await assert.rejects(service.fetchWindow(job, { attempt: 2 }));
      await assert.rejects(service.fetchWindow(job, { attempt: 3 }));
      run = await fx.runs.get(connector.id, job);
      assert.equal(run?.status, 'failed', 'the attempt at maxAttempts is the last one');
      assert.equal(run?.attempts, 3);
      stored = await fx.connectors.get(connector.id);
      assert.equal(stored.checkpoint, day(1));
      assert.equal(stored.lastRun?.status, 'failed');
      const event = fx.telemetry.events.filter((e) => e.properties.runId === job.runId).at(-1);
      assert.equal(event?.properties.status, 'failed');
      assert.match(event?.properties.error ?? '', /HTTP 500/);
      assert.equal((await fx.itemBlobs(connector.id)).size, 0);
    } finally {
      fx.sim.faults.clear();
    }

    // The scheduler queues a failed window again; this time TeleMessage answers.
    const retried = await fx.service().fetchWindow(await fx.requeue(job), { attempt: 1 });
    assert.equal(retried.status, 'succeeded');
    assert.equal(retried.error, undefined);
    assert.equal(await fx.checkpoint(connector.id), day(2));
  });

  test('a failure to record the failed attempt is not swallowed: the invocation fails naming both, so the host logs it and retries', async () => {
    const connector = await fx.createConnector(day(7));
    const job = await fx.queue(connector.id, day(7), day(8));
    const runs = new RunWritesFailAfter(fx.runs, 1);
    fx.sim.faults.add({ route: 'list', kind: 'status-500', times: Infinity });
    try {
      await assert.rejects(fx.service({ runs, maxAttempts: 3, maxClientAttempts: 1 }).fetchWindow(job, { attempt: 3 }), (err: Error & { attemptError?: unknown }) => {
        assert.equal(err.name, 'FetchRunNotRecordedError');
        assert.match(err.message, new RegExp(`connector ${connector.id}: attempt 3 failed \\(TeleMessageTransientError: .*HTTP 500.*\\) and recording that failed too \\(Error: the table service did not answer\\)`));
        assert.equal((err.attemptError as Error | undefined)?.name, 'TeleMessageTransientError');
        assert.equal((err.cause as Error | undefined)?.message, 'the table service did not answer');
        return true;
      });
    } finally {
      fx.sim.faults.clear();
    }
    assert.equal((await fx.runs.get(connector.id, job))?.status, 'running', 'what the run reads, and why the error says so');
  });

  test('an item whose attachment does not match its sha256 is not made visible: no item JSON, the run fails', async () => {
    const connector = await fx.createConnector(day(5));
    const job = await fx.queue(connector.id, day(5), day(6));

    await assert.rejects(fx.service().fetchWindow(job, { attempt: 1 }), { name: 'AttachmentIntegrityError' });

    assert.equal((await fx.itemBlobs(connector.id)).size, 0, 'the item JSON, written last, was not written');
    assert.deepEqual(
      [...(await fx.attachmentBlobs(connector.id)).keys()],
      [attachmentBlobName(connector.id, 'tm-d5-1', 'att-d5-good')],
      'the verified attachment is kept for the next attempt; the wrong bytes were never committed',
    );
    assert.equal(await fx.checkpoint(connector.id), day(5));
    assert.match((await fx.runs.get(connector.id, job))?.error ?? '', /att-d5-corrupt/);
  });

  test('on the last attempt an item that can never be stored is quarantined with the reason, and the window completes', async () => {
    const connector = await fx.createConnector(day(5));
    const job = await fx.queue(connector.id, day(5), day(6));

    const run = await fx.service().fetchWindow(job, { attempt: 5 });

    assert.equal(run.status, 'succeeded');
    assert.equal(run.quarantined, 1);
    assert.equal((await fx.itemBlobs(connector.id)).size, 0, 'the bad item is not handed to the import stage');
    assert.equal(await fx.checkpoint(connector.id), day(6), 'one bad item does not hold the checkpoint back');
    const outcome = await fx.imports.getOutcome(connector.id, 'tm-d5-1');
    assert.equal(outcome?.status, 'quarantined');
    assert.match(outcome?.reason ?? '', /att-d5-corrupt/);
    const kept = await fx.readJson('quarantine', outcome!.blobName);
    assert.equal(kept.id, 'tm-d5-1', 'the item as TeleMessage listed it is kept');
  });

  test('an item whose id holds lone surrogates is that item\'s problem: quarantined on the last attempt, the rest stored', async () => {
    const connector = await fx.createConnector(day(6));
    const job = await fx.queue(connector.id, day(6), day(7));

    // Earlier attempts fail the window (the item may be fine next time), naming the item and field.
    await assert.rejects(fx.service().fetchWindow(job, { attempt: 1 }), /tm-d6-/);
    const run = await fx.service().fetchWindow(job, { attempt: 5 });

    assert.equal(run.status, 'succeeded');
    assert.deepEqual([run.fetched, run.stored + run.alreadyStored, run.quarantined], [4, 2, 2]);
    assert.deepEqual([...(await fx.itemBlobs(connector.id)).keys()].sort(), ['tm-d6-1', 'tm-d6-4'].map((id) => itemBlobName(connector.id, id)).sort());
    assert.equal(await fx.checkpoint(connector.id), day(7), 'the window is complete');
    const quarantined = await fx.imports.listOutcomes(connector.id, 'quarantined');
    assert.deepEqual(quarantined.map((o) => o.itemId).sort(), ['tm-d6-\uDC00\uDC01', 'tm-d6-\uD800bad'].sort());
    for (const outcome of quarantined) {
      assert.match(outcome.reason ?? '', /field "id" holds a lone UTF-16 surrogate/);
      const kept = await fx.readJson('quarantine', outcome.blobName);
      assert.equal(kept.id, outcome.itemId, 'the item as TeleMessage listed it is kept');
    }
  });

  test('the checkpoint advances over contiguous succeeded windows only: a later window finishing first does not move it', async () => {
    const connector = await fx.createConnector(day(0));
    const first = await fx.queue(connector.id, day(0), day(1));
    const second = await fx.queue(connector.id, day(1), day(2));
    const third = await fx.queue(connector.id, day(2), day(3));
    const service = fx.service();

    await service.fetchWindow(second, { attempt: 1 });
    assert.equal(await fx.checkpoint(connector.id), day(0), 'day 0 is not stored yet');
    await service.fetchWindow(third, { attempt: 1 });
    assert.equal(await fx.checkpoint(connector.id), day(0));
    assert.equal((await fx.itemBlobs(connector.id)).size, day1Items.length + day2Items.length);

    await service.fetchWindow(first, { attempt: 1 });
    assert.equal(await fx.checkpoint(connector.id), day(3), 'day 0 closes the gap: the checkpoint moves over all three');
    const connectorAfter = await fx.connectors.get(connector.id);
    assert.equal(connectorAfter.lastRun?.from, day(0));
  });

  test('a job whose instants are written without milliseconds is the same window as the scheduler queued', async () => {
    const connector = await fx.createConnector(day(2));
    const job = await fx.queue(connector.id, day(2), day(3));
    const handWritten = { ...job, from: day(2).replace('.000Z', 'Z'), to: day(3).replace('.000Z', 'Z') };

    const run = await fx.service().fetchWindow(handWritten, { attempt: 1 });

    assert.equal(run.runId, job.runId, 'the queued run was found, not a second one made');
    assert.equal((await fx.runs.list(connector.id)).length, 1);
    assert.equal(await fx.checkpoint(connector.id), day(3));
  });

  test('a 404 attachment is recorded as missing and its item is still stored', async () => {
    const connector = await fx.createConnector(day(4));
    const job = await fx.queue(connector.id, day(4), day(5));

    const run = await fx.service().fetchWindow(job, { attempt: 1 });

    assert.equal(run.status, 'succeeded');
    assert.deepEqual([run.stored, run.missingAttachments], [1, 1]);
    const stored = await fx.readJson(Containers.items, itemBlobName(connector.id, 'tm-d4-1'));
    assert.deepEqual((stored._archive as { missingAttachments: unknown }).missingAttachments, [{ id: 'att-d4-gone', reason: 'not-found' }]);
    assert.equal((await fx.attachmentBlobs(connector.id)).size, 0);
    assert.equal(fx.sim.stats.outcomes(404, 'attachment') >= 1, true);
    assert.equal(await fx.checkpoint(connector.id), day(5));
  });
});

/** The real run store, whose updates stop reaching the table after the first `allowed` (the table service went away mid-attempt). */
class RunWritesFailAfter implements RunStore {
  #updates = 0;

  constructor(private readonly inner: RunStore, private readonly allowed: number) {}

  createIfAbsent: RunStore['createIfAbsent'] = (run) => this.inner.createIfAbsent(run);
  get: RunStore['get'] = (c, w) => this.inner.get(c, w);
  list: RunStore['list'] = (c, o) => this.inner.list(c, o);

  async update(connectorId: string, window: Parameters<RunStore['update']>[1], change: (run: FetchRun) => FetchRun | undefined): Promise<FetchRun> {
    this.#updates += 1;
    if (this.#updates > this.allowed) throw new Error('the table service did not answer');
    return this.inner.update(connectorId, window, change);
  }
}
