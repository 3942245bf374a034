import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { BlobTriggerListener, type BlobTriggerListenerOptions } from '../../dev/host/blob-listener';
import type { HostJson, InvocationRequest, RegisteredFunction } from '../../dev/host/contracts';
import { eventually, listenerContext, RecordingInvoker, RecordingLogger, sleep } from './recording-invoker';

function blobFunction(name: string, path: string, extra: Record<string, unknown> = {}): RegisteredFunction {
  const trigger = { type: 'blobTrigger', direction: 'in' as const, name: 'blob', path, connection: 'AzureWebJobsStorage', ...extra };
  return { name, bindings: { blob: trigger }, triggerName: 'blob', trigger };
}

const HOST_JSON: HostJson = { version: '2.0', extensions: { queues: { visibilityTimeout: '00:00:00' } } };

function blobName(r: InvocationRequest): string | undefined {
  return r.triggerMetadata?.BlobTrigger?.string ?? undefined;
}

describe('BlobTriggerListener on Azurite', () => {
  let azurite: TestAzurite;
  let blobs: BlobServiceClient;
  let queues: QueueServiceClient;

  before(async () => {
    azurite = await startTestAzurite();
    blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
  });
  after(async () => {
    await azurite?.stop();
  });

  function listener(
    functions: RegisteredFunction[],
    invoker: RecordingInvoker,
    options: BlobTriggerListenerOptions = {},
    log = new RecordingLogger(),
    hostJson: HostJson = HOST_JSON,
  ): BlobTriggerListener {
    return new BlobTriggerListener(functions, listenerContext({ invoker, connectionString: azurite.connectionString, hostJson, log }), {
      pollIntervalMs: 100,
      hostId: 'test-host',
      ...options,
    });
  }

  async function container(name: string): Promise<ContainerClient> {
    const c = blobs.getContainerClient(name);
    await c.createIfNotExists();
    return c;
  }

  async function upload(c: ContainerClient, name: string, body: string, metadata?: Record<string, string>): Promise<string> {
    const res = await c.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), { metadata, blobHTTPHeaders: { blobContentType: 'application/json' } });
    return res.etag!;
  }

  /**
   * Uploads a sentinel and waits until it has run and the listener is drained: every scan lists
   * blobs in name order, so by then any unwanted re-run of an earlier blob has been dispatched and
   * finished, and the counts are final without waiting on a clock.
   */
  async function settle(l: BlobTriggerListener, invoker: RecordingInvoker, c: ContainerClient, fn: string, sentinel: string): Promise<void> {
    await upload(c, sentinel, '{}');
    await eventually(() => invoker.for(fn, (r) => blobName(r) === `${c.containerName}/${sentinel}`).length > 0, `sentinel ${sentinel}`);
    await eventually(() => l.isDrained(), 'the listener to drain');
  }

  test('a blob version runs once, again after an overwrite, and not again after a restart on the same storage', async () => {
    const c = await container('once-per-version');
    const invoker = new RecordingInvoker(() => true);
    const fn = blobFunction('importer', 'once-per-version/{name}');
    const first = listener([fn], invoker);
    await first.start();
    let etag1: string;
    let etag2: string;
    try {
      etag1 = await upload(c, 'a-item.json', '{"v":1}');
      await eventually(() => invoker.for('importer', (r) => blobName(r) === 'once-per-version/a-item.json').length === 1, 'first run');
      await settle(first, invoker, c, 'importer', 'z-sentinel-1');
      assert.equal(invoker.for('importer', (r) => blobName(r) === 'once-per-version/a-item.json').length, 1, 'not re-run by later scans');

      etag2 = await upload(c, 'a-item.json', '{"v":2}');
      assert.notEqual(etag1, etag2);
      await eventually(() => invoker.for('importer', (r) => blobName(r) === 'once-per-version/a-item.json').length === 2, 'run after overwrite');
      await settle(first, invoker, c, 'importer', 'z-sentinel-2');
    } finally {
      await first.stop();
    }
    const runs = invoker.for('importer', (r) => blobName(r) === 'once-per-version/a-item.json');
    assert.deepEqual(runs.map((r) => Buffer.from(r.triggerData.bytes!).toString('utf8')), ['{"v":1}', '{"v":2}']);

    // A new listener (a restarted host) with the same host id finds the receipts.
    const restarted = listener([fn], invoker);
    await restarted.start();
    try {
      await settle(restarted, invoker, c, 'importer', 'z-sentinel-3');
    } finally {
      await restarted.stop();
    }
    assert.equal(invoker.for('importer', (r) => blobName(r) === 'once-per-version/a-item.json').length, 2);
    assert.equal(invoker.for('importer', (r) => blobName(r) === 'once-per-version/z-sentinel-1').length, 1);

    const receipts: string[] = [];
    for await (const b of blobs.getContainerClient('azure-webjobs-hosts').listBlobsFlat({ prefix: 'blobreceipts/test-host/Host.Functions.importer/' })) {
      receipts.push(b.name);
    }
    assert.ok(receipts.some((n) => n.endsWith('/once-per-version/a-item.json') && n.includes(etag1)), 'receipt of the first version');
    assert.ok(receipts.some((n) => n.endsWith('/once-per-version/a-item.json') && n.includes(etag2)), 'receipt of the second version');
  });

  test('trigger data and metadata: bytes, BlobTrigger, Uri, Properties, Metadata and path bindings', async () => {
    const c = await container('archive-meta');
    const invoker = new RecordingInvoker(() => true);
    const l = listener([blobFunction('meta', 'archive-meta/items/{connectorId}/{itemId}.json')], invoker);
    await l.start();
    try {
      await upload(c, 'items/conn-1/item-42.json', '{"id":42}', { source: 'test' });
      await upload(c, 'other/conn-1/item-43.json', '{}');
      await upload(c, 'items/conn-1/item-44.txt', '{}');
      await settle(l, invoker, c, 'meta', 'items/conn-2/z.json');
    } finally {
      await l.stop();
    }
    const matched = invoker.for('meta').map(blobName);
    assert.deepEqual(matched.sort(), ['archive-meta/items/conn-1/item-42.json', 'archive-meta/items/conn-2/z.json']);
    const request = invoker.for('meta', (r) => blobName(r) === 'archive-meta/items/conn-1/item-42.json')[0]!;
    const md = request.triggerMetadata!;
    assert.equal(Buffer.from(request.triggerData.bytes!).toString('utf8'), '{"id":42}');
    assert.deepEqual(md.connectorId, { string: 'conn-1' });
    assert.deepEqual(md.itemId, { string: 'item-42' });
    assert.match(md.Uri!.string!, /\/archive-meta\/items\/conn-1\/item-42\.json$/);
    assert.deepEqual(JSON.parse(md.Metadata!.json!), { source: 'test' });
    const props = JSON.parse(md.Properties!.json!) as Record<string, unknown>;
    assert.equal(props.ContentLength, 9);
    assert.equal(props.ContentType, 'application/json');
    assert.equal(props.BlobType, 'Block');
    assert.match(String(props.ETag), /^"0x[0-9A-F]+"$/);
    assert.match(String(props.LastModified), /\+00:00$/);
    assert.equal(JSON.parse(md.sys!.json!).MethodName, 'meta');
    assert.equal(request.reason, 'New blob detected(LogsAndContainerScan): archive-meta/items/conn-1/item-42.json');
  });

  test('five failures put the blob on webjobs-blobtrigger-poison, and it is not tried again', async () => {
    const c = await container('always-fails');
    const invoker = new RecordingInvoker((r) => blobName(r) !== 'always-fails/bad.json');
    const l = listener([blobFunction('failing', 'always-fails/{name}')], invoker);
    await l.start();
    const poisonQueue = queues.getQueueClient('webjobs-blobtrigger-poison');
    let etag: string;
    try {
      etag = await upload(c, 'bad.json', 'not what the function wants');
      await eventually(async () => (await poisonQueue.exists()) && ((await poisonQueue.getProperties()).approximateMessagesCount ?? 0) > 0, 'the poison notice');
      await settle(l, invoker, c, 'failing', 'z-sentinel');
    } finally {
      await l.stop();
    }
    const attempts = invoker.for('failing', (r) => blobName(r) === 'always-fails/bad.json');
    assert.equal(attempts.length, 5);
    const [notice] = (await poisonQueue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
    assert.ok(notice);
    const decoded = JSON.parse(Buffer.from(notice.messageText, 'base64').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(decoded, {
      Type: 'BlobTrigger',
      FunctionId: 'Host.Functions.failing',
      BlobType: 'BlockBlob',
      ContainerName: 'always-fails',
      BlobName: 'bad.json',
      ETag: etag,
    });

    // A restarted host does not try the poisoned version again either.
    const restarted = listener([blobFunction('failing', 'always-fails/{name}')], invoker);
    await restarted.start();
    try {
      await settle(restarted, invoker, c, 'failing', 'z-sentinel-after-restart');
    } finally {
      await restarted.stop();
    }
    assert.equal(invoker.for('failing', (r) => blobName(r) === 'always-fails/bad.json').length, 5);
    assert.equal((await poisonQueue.getProperties()).approximateMessagesCount, 1);
  });

  test('blob retries follow extensions.blobs.poisonBlobThreshold and are immediate, whatever extensions.queues says', async () => {
    const c = await container('blob-threshold');
    const invoker = new RecordingInvoker((r) => blobName(r) !== 'blob-threshold/bad.json');
    // Queue settings that would poison after 2 attempts, retried after 10 minutes, if they counted.
    const hostJson: HostJson = { version: '2.0', extensions: { queues: { maxDequeueCount: 2, visibilityTimeout: '00:10:00' }, blobs: { poisonBlobThreshold: 4 } } };
    const l = listener([blobFunction('thresholded', 'blob-threshold/{name}')], invoker, {}, new RecordingLogger(), hostJson);
    await l.start();
    const poisonQueue = queues.getQueueClient('webjobs-blobtrigger-poison');
    const poisonedBefore = (await poisonQueue.exists()) ? ((await poisonQueue.getProperties()).approximateMessagesCount ?? 0) : 0;
    try {
      await upload(c, 'bad.json', 'not what the function wants');
      await eventually(async () => (await poisonQueue.exists()) && ((await poisonQueue.getProperties()).approximateMessagesCount ?? 0) > poisonedBefore, 'the poison notice');
      await settle(l, invoker, c, 'thresholded', 'z-sentinel');
    } finally {
      await l.stop();
    }
    assert.equal(invoker.for('thresholded', (r) => blobName(r) === 'blob-threshold/bad.json').length, 4);
  });

  test('two hosts scanning the same storage run each version once (receipt leases)', async () => {
    const c = await container('shared-scan');
    const names = Array.from({ length: 12 }, (_, i) => `item-${String(i).padStart(2, '0')}.json`);
    // Each run takes a while, as real work does, so the two hosts' scans overlap with runs under way.
    const invoker = new RecordingInvoker(async () => {
      await sleep(20);
      return true;
    });
    const fn = blobFunction('shared', 'shared-scan/{name}');
    const a = listener([fn], invoker, { pollIntervalMs: 50 });
    const b = listener([fn], invoker, { pollIntervalMs: 70 });
    await Promise.all([a.start(), b.start()]);
    try {
      for (const n of names) await upload(c, n, `{"n":"${n}"}`);
      await eventually(async () => (await a.isDrained()) && (await b.isDrained()), 'both listeners to drain');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const counts = new Map<string, number>();
    for (const r of invoker.for('shared')) counts.set(blobName(r)!, (counts.get(blobName(r)!) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), names.map((n) => `shared-scan/${n}`));
    assert.ok([...counts.values()].every((n) => n === 1), `each version ran once: ${JSON.stringify([...counts])}`);
  });

  test('parallelism is bounded by maxDegreeOfParallelism', async () => {
    const c = await container('bounded');
    // The first two invocations wait for each other, so the bound is reached for certain if the
    // listener allows it (the wait's bound only turns a listener that never runs two into a
    // failure: 3 s was short for a loaded machine to start the second); all of them hold a
    // while so any excess would overlap.
    const invoker: RecordingInvoker = new RecordingInvoker(async (_r, attempt) => {
      if (attempt <= 2) await eventually(() => invoker.inFlight >= 2, 'two at once').catch(() => undefined);
      // The run's own duration (not a wait for anything): what would make an excess overlap.
      await sleep(40);
      return true;
    });
    const l = listener([blobFunction('bounded', 'bounded/{name}')], invoker, { maxDegreeOfParallelism: 2 });
    for (let i = 0; i < 8; i++) await upload(c, `b${i}.json`, '{}');
    await l.start();
    try {
      await eventually(() => invoker.for('bounded').length === 8, 'all eight blobs');
      await eventually(() => l.isDrained(), 'the listener to drain');
    } finally {
      await l.stop();
    }
    assert.equal(invoker.maxInFlight, 2);
  });

  test('an EventGrid-sourced function is not polled (the webhook feeds it); others still run', async () => {
    const c = await container('by-source');
    const invoker = new RecordingInvoker(() => true);
    const log = new RecordingLogger();
    const l = listener(
      [blobFunction('viaEventGrid', 'by-source/{name}', { source: 'EventGrid' }), blobFunction('viaScan', 'by-source/{name}', { source: 'LogsAndContainerScan' })],
      invoker,
      {},
      log,
    );
    await l.start();
    try {
      await upload(c, 'one.json', '{}');
      await settle(l, invoker, c, 'viaScan', 'z-sentinel');
    } finally {
      await l.stop();
    }
    assert.equal(invoker.for('viaEventGrid').length, 0);
    assert.equal(invoker.for('viaScan', (r) => blobName(r) === 'by-source/one.json').length, 1);
    assert.equal(l.servesEventGrid, true);
    assert.ok(!log.entries.some((e) => e.level === 'error'), 'the EventGrid function is not in error');
  });

  test('a function with an invalid path is reported and skipped', async () => {
    const log = new RecordingLogger();
    const l = listener([blobFunction('badPath', 'Bad_Container/{name}'), blobFunction('unset', '%MISSING_CONTAINER%/{name}')], new RecordingInvoker(), {}, log);
    await l.start();
    await l.stop();
    const errors = log.entries.filter((e) => e.level === 'error').map((e) => e.message);
    assert.equal(errors.length, 2);
    assert.match(errors[0]!, /'badPath'.*Bad_Container/);
    assert.match(errors[1]!, /'unset'.*MISSING_CONTAINER/);
  });
});
