/**
 * The blob extension's Event Grid webhook on the local host (`POST /runtime/webhooks/blobs`), as
 * the storage extension and the Functions host answer it: the validation handshake, the
 * `blobs_extension` system key, the answers to bad requests (which decide whether Event Grid
 * retries), and BlobCreated events run through the host's blob trigger queue with the blob
 * retry rules (`extensions.blobs.poisonBlobThreshold`, not `extensions.queues`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { blobCreatedEvent, subscriptionValidationEvent } from '../../dev/event-grid';
import { FunctionsHost } from '../../dev/host';
import { loadHostKeys } from '../../dev/host/host-secrets';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { azureFunctionsRequire, createTestApp, type TestApp } from './host-test-app';
import { eventually, RecordingLogger } from './recording-invoker';

const CONTAINER = 'eg-items';
const HOST_ID = 'webhook-test-host';

function appSource(recordDir: string): string {
  return `
const { app } = ${azureFunctionsRequire()};
const fs = require('node:fs');
const path = require('node:path');
app.storageBlob('egImport', {
  path: '${CONTAINER}/{name}',
  connection: 'AzureWebJobsStorage',
  source: 'EventGrid',
  handler: async (blob, context) => {
    const name = context.triggerMetadata.name;
    fs.appendFileSync(path.join(${JSON.stringify(recordDir)}, 'egImport.jsonl'), JSON.stringify({ name, body: blob.toString('utf8') }) + '\\n');
    if (blob.toString('utf8').includes('fail')) throw new Error('told to fail');
  },
});
`;
}

describe('the blobs extension webhook on the local host', () => {
  let azurite: TestAzurite;
  let app: TestApp;
  let host: FunctionsHost;
  let container: ContainerClient;
  let key: string;
  let masterKey: string;

  before(async () => {
    azurite = await startTestAzurite();
    app = createTestApp({
      values: { AzureWebJobsStorage: azurite.connectionString },
      // The queue settings must not count for blobs: the blob threshold (3) does.
      hostJson: { version: '2.0', extensions: { queues: { maxDequeueCount: 7 }, blobs: { poisonBlobThreshold: 3 } } },
    });
    const entry = path.join(app.appRoot, 'eg-app.js');
    fs.writeFileSync(entry, appSource(app.recordDir));
    fs.writeFileSync(path.join(app.appRoot, 'package.json'), JSON.stringify({ name: 'eg-app', version: '1.0.0', main: 'eg-app.js' }));
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER);
    await container.createIfNotExists();
    host = await FunctionsHost.start({ appRoot: app.appRoot, port: 0, hostId: HOST_ID, logger: new RecordingLogger() });
    const keys = await loadHostKeys(BlobServiceClient.fromConnectionString(azurite.connectionString), HOST_ID);
    key = keys.systemKeys.blobs_extension!;
    masterKey = keys.masterKey;
  });

  after(async () => {
    await host?.stop();
    await azurite?.stop();
    app?.remove();
  });

  function url(code: string | undefined, functionName = 'Host.Functions.egImport'): string {
    const u = new URL(`${host.baseUrl}/runtime/webhooks/blobs`);
    u.searchParams.set('functionName', functionName);
    if (code !== undefined) u.searchParams.set('code', code);
    return u.href;
  }

  async function post(target: string, eventType: string | undefined, body: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(eventType ? { 'aeg-event-type': eventType } : {}), ...headers },
      body,
    });
  }

  function records(): { name: string; body: string }[] {
    const file = path.join(app.recordDir, 'egImport.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; body: string });
  }

  async function upload(name: string, body: string): Promise<ReturnType<typeof blobCreatedEvent>> {
    const blob = container.getBlockBlobClient(name);
    const res = await blob.upload(body, Buffer.byteLength(body));
    return blobCreatedEvent({ account: azurite.account ?? 'devstoreaccount1', container: CONTAINER, blobName: name, url: blob.url, etag: res.etag! });
  }

  test('answers the subscription validation handshake with the validation code', async () => {
    const res = await post(url(key), 'SubscriptionValidation', JSON.stringify([subscriptionValidationEvent('/topic', 'code-123')]));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { validationResponse: 'code-123' });
  });

  test('refuses a missing or wrong key with 401 (Event Grid does not retry it); takes the key from code or x-functions-key, or the master key', async () => {
    const body = JSON.stringify([subscriptionValidationEvent('/topic', 'c')]);
    assert.equal((await post(url(undefined), 'SubscriptionValidation', body)).status, 401);
    assert.equal((await post(url('not-the-key'), 'SubscriptionValidation', body)).status, 401);
    assert.equal((await post(url(undefined), 'SubscriptionValidation', body, { 'x-functions-key': key })).status, 200);
    assert.equal((await post(url(masterKey), 'SubscriptionValidation', body)).status, 200);
    // The key check comes before the extension lookup.
    assert.equal((await post(`${host.baseUrl}/runtime/webhooks/nosuch?code=wrong`, 'Notification', '[]')).status, 401);
    assert.equal((await post(`${host.baseUrl}/runtime/webhooks/nosuch?code=${masterKey}`, 'Notification', '[]')).status, 404);
  });

  test('bad requests: no aeg-event-type 400; a body that is not JSON or an event without data.url 500 (retried); Unsubscribe 202', async () => {
    assert.equal((await post(url(key), undefined, '[]')).status, 400);
    assert.equal((await post(url(key), 'Notification', '{not json')).status, 500);
    assert.equal((await post(url(key), 'Notification', JSON.stringify([{ id: '1', data: { eTag: 'x', blobType: 'BlockBlob' } }]))).status, 500);
    assert.equal((await post(url(key), 'Unsubscribe', '[]')).status, 202);
  });

  test('a BlobCreated event is accepted with 202 and runs the function once with its path bindings', async () => {
    const event = await upload('ok-1.json', '{"ok":1}');
    const res = await post(url(key), 'Notification', JSON.stringify([event]));
    assert.equal(res.status, 202);
    await eventually(() => records().some((r) => r.name === 'ok-1.json'), 'the invocation');
    await host.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    assert.equal(records().filter((r) => r.name === 'ok-1.json').length, 1);
  });

  test('a failing blob is tried poisonBlobThreshold times, then its message goes to webjobs-blobtrigger-poison in the extension format', async () => {
    const event = await upload('bad-1.json', 'please fail');
    assert.equal((await post(url(key), 'Notification', JSON.stringify(event))).status, 202, 'one event as an object is accepted too');
    const poison = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('webjobs-blobtrigger-poison');
    const peeked = await eventually(async () => {
      if (!(await poison.exists())) return undefined;
      const items = (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
      return items.length > 0 ? items : undefined;
    }, 'the poison message');
    await host.waitForDrained({ timeoutMs: 60_000, settleMs: 0 });
    assert.equal(records().filter((r) => r.name === 'bad-1.json').length, 3, 'extensions.blobs.poisonBlobThreshold attempts');
    const notice = JSON.parse(Buffer.from(peeked[0]!.messageText, 'base64').toString('utf8')) as Record<string, string>;
    assert.deepEqual(notice, {
      Type: 'BlobTrigger',
      FunctionId: 'Host.Functions.egImport',
      BlobType: 'BlockBlob',
      ContainerName: CONTAINER,
      BlobName: 'bad-1.json',
      ETag: `"${String(event.data.eTag)}"`,
    });
  });
});
