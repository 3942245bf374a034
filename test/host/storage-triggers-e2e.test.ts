/**
 * The storage triggers end to end: the host CLI in a child process loads a function app that
 * registers through the real `@azure/functions` API, against a private Azurite.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { HostProcess } from '../../dev/host';
import type { ProbeRecord } from '../host-app/functions/queue-and-blob';
import { base64, eventually } from './recording-invoker';

const QUEUE = 'probe-jobs';
const CONTAINER = 'probe-items';
const HOST_ID = 'storage-e2e';
const APP_ENTRY = path.resolve(__dirname, '../host-app/functions/queue-and-blob.js');

describe('storage triggers through the host process and @azure/functions', () => {
  let azurite: TestAzurite;
  let appRoot: string;
  let recordDir: string;
  let host: HostProcess | undefined;
  let queue: QueueClient;
  let poison: QueueClient;
  let container: ContainerClient;

  before(async () => {
    azurite = await startTestAzurite();
    appRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-e2e-app-'));
    recordDir = path.join(appRoot, 'records');
    fs.mkdirSync(recordDir);
    const hostJson = {
      version: '2.0',
      logging: { logLevel: { default: 'Information' } },
      extensions: { queues: { batchSize: 4, maxPollingInterval: '00:00:00.5', visibilityTimeout: '00:00:00', maxDequeueCount: 5 } },
    };
    fs.writeFileSync(path.join(appRoot, 'host.json'), JSON.stringify(hostJson, null, 2));
    fs.writeFileSync(path.join(appRoot, 'package.json'), JSON.stringify({ name: 'storage-e2e-app', version: '1.0.0', main: APP_ENTRY }, null, 2));
    fs.writeFileSync(
      path.join(appRoot, 'local.settings.json'),
      JSON.stringify(
        {
          IsEncrypted: false,
          Values: {
            AzureWebJobsStorage: azurite.connectionString,
            FUNCTIONS_WORKER_RUNTIME: 'node',
            STORAGE_PROBE_QUEUE: QUEUE,
            STORAGE_PROBE_RECORD_DIR: recordDir,
          },
        },
        null,
        2,
      ),
    );
    const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    queue = queues.getQueueClient(QUEUE);
    poison = queues.getQueueClient(`${QUEUE}-poison`);
    // Whoever sends to a queue creates it; the queue trigger does not.
    await queue.createIfNotExists();
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    container = blobs.getContainerClient(CONTAINER);
    await container.createIfNotExists();
    host = await HostProcess.start({ appRoot, hostId: HOST_ID });
  });

  after(async () => {
    await host?.stop();
    await azurite?.stop();
    if (appRoot) fs.rmSync(appRoot, { recursive: true, force: true });
  });

  function records(functionName: string): ProbeRecord[] {
    const file = path.join(recordDir, `${functionName}.jsonl`);
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as ProbeRecord);
  }

  async function poisonTexts(): Promise<string[]> {
    if (!(await poison.exists())) return [];
    return (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageText);
  }

  function queueRecords(id: string): ProbeRecord[] {
    return records('storageQueueProbe').filter((r) => (r.input as { id?: unknown } | null)?.id === id);
  }

  function blobRecords(name: string): ProbeRecord[] {
    return records('storageBlobProbe').filter((r) => r.triggerMetadata.name === name);
  }

  test('a JSON queue message reaches the handler parsed, with camel-cased metadata', async () => {
    await queue.sendMessage(base64(JSON.stringify({ id: 'ok-1', window: '2024-05-01' })));
    const [received] = await eventually(() => (queueRecords('ok-1').length > 0 ? queueRecords('ok-1') : undefined), 'the handler to run');
    await host!.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    assert.equal(received!.inputKind, 'object');
    assert.deepEqual(received!.input, { id: 'ok-1', window: '2024-05-01' });
    assert.equal(received!.triggerMetadata.dequeueCount, 1);
    assert.equal(typeof received!.triggerMetadata.id, 'string');
    assert.equal(typeof received!.triggerMetadata.popReceipt, 'string');
    assert.match(String(received!.triggerMetadata.insertionTime), /\+00:00$/);
    assert.equal(queueRecords('ok-1').length, 1);
  });

  test('a failing queue message lands in <queue>-poison after exactly five attempts', async () => {
    const raw = base64(JSON.stringify({ id: 'poison-1', fail: true }));
    await queue.sendMessage(raw);
    await eventually(async () => (await poisonTexts()).includes(raw), 'the message in the poison queue');
    await host!.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    const attempts = queueRecords('poison-1');
    assert.deepEqual(
      attempts.map((r) => r.triggerMetadata.dequeueCount),
      [1, 2, 3, 4, 5],
    );
    assert.equal((await queue.getProperties()).approximateMessagesCount, 0);
    assert.ok(host!.output.some((l) => l.includes("Executed 'Functions.storageQueueProbe' (Failed")));
  });

  test('a message the host cannot decode goes to <queue>-poison without running the function', async () => {
    const undecodable = JSON.stringify({ id: 'not-encoded' }); // sent without base64, as a careless producer would
    await queue.sendMessage(undecodable);
    await queue.sendMessage(base64(JSON.stringify({ id: 'after-bad' })));
    await eventually(async () => (await poisonTexts()).includes(undecodable) && queueRecords('after-bad').length === 1, 'poison + the next message');
    await host!.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    assert.equal(queueRecords('not-encoded').length, 0);
    assert.equal(
      records('storageQueueProbe').filter((r) => r.input === undecodable).length,
      0,
      'the undecoded text never reached the handler either',
    );
  });

  test('a blob runs once, again after an overwrite, and not again after a host restart', async () => {
    const item = 'c1/item-1.json';
    await container.getBlockBlobClient(item).upload('{"v":1}', 7);
    await eventually(() => blobRecords(item).length === 1, 'the first run');
    await host!.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    const [first] = blobRecords(item);
    assert.equal(first!.inputKind, 'buffer');
    assert.equal(first!.input, '{"v":1}');
    assert.equal(first!.triggerMetadata.blobTrigger, `${CONTAINER}/${item}`);
    assert.match(String(first!.triggerMetadata.uri), /\/probe-items\/c1\/item-1\.json$/);
    assert.equal((first!.triggerMetadata.properties as { contentLength?: unknown }).contentLength, 7);

    await container.getBlockBlobClient(item).upload('{"v":2}', 7);
    await eventually(() => blobRecords(item).length === 2, 'the run after the overwrite');
    await host!.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    assert.deepEqual(
      blobRecords(item).map((r) => r.input),
      ['{"v":1}', '{"v":2}'],
    );

    // Restart: stop the host process and start a new one on the same storage and app.
    assert.equal(await host!.stop(), 0);
    host = await HostProcess.start({ appRoot, hostId: HOST_ID });
    // The sentinel sorts after the item, so once it has run, a scan has passed the item too.
    await container.getBlockBlobClient('z-sentinel.json').upload('{}', 2);
    await eventually(() => blobRecords('z-sentinel.json').length === 1, 'the sentinel after the restart');
    await host.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    assert.equal(blobRecords(item).length, 2);
  });
});
