import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { RETRY_BUDGETS } from '../../shared/platform/resilience';
import { dropZoneBlobService, StorageClients } from '../../shared/platform/storage/storage-clients';
import { QUEUE_SERVER_TIMEOUT_MS } from '../../shared/platform/storage/storage-sdk-options';

/**
 * Issue #9: the Azure Storage SDKs retry each request themselves, under the app's own loops.
 * Their defaults (storage-blob and storage-queue: 4 tries; data-tables: 1 + 3 retries) would
 * multiply the stage budgets, so every client the app builds takes its tries from the storage
 * policy. A real HTTP server on loopback answers every request 503 (the status Azure Storage
 * sends when it is busy) and counts the tries each SDK makes of one call.
 */
describe('storage SDK clients retry on the storage policy', () => {
  const tries = RETRY_BUDGETS.storage.options.maxAttempts;
  const requests: string[] = [];
  let server: Server;
  let connectionString = '';

  before(async () => {
    server = createServer((request, response) => {
      request.resume();
      requests.push(request.url ?? '');
      response.writeHead(503, { 'content-type': 'text/plain' }).end('server busy');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A SAS connection string names the endpoints without an account key.
    connectionString = [
      `BlobEndpoint=${base}/blobs`,
      `QueueEndpoint=${base}/queues`,
      `TableEndpoint=${base}/tables`,
      'SharedAccessSignature=sv=2024-08-04&ss=bqt&srt=sco&sp=rl&se=2099-01-01T00:00:00Z&sig=c2ln',
    ].join(';');
  });

  beforeEach(() => {
    requests.length = 0;
  });

  after(() => {
    server?.close();
  });

  function clients(): StorageClients {
    return new StorageClients({ kind: 'connection-string', connectionString });
  }

  test('the policy asks for fewer tries than the SDK defaults, so the counts below tell them apart', () => {
    assert.ok(tries >= 1 && tries < 4, `storage policy tries: ${tries}`);
  });

  test('a blob request is tried as often as the policy says, then fails with the 503', async () => {
    await assert.rejects(clients().blobs.getContainerClient('retried').getProperties(), { statusCode: 503 });
    assert.equal(requests.filter((url) => url.startsWith('/blobs/retried')).length, tries);
  });

  test('a queue request is tried as often as the policy says, then fails with the 503', async () => {
    await assert.rejects(clients().queue('retried').getProperties(), { statusCode: 503 });
    assert.equal(requests.filter((url) => url.startsWith('/queues/retried')).length, tries);
  });

  test('a table request is tried as often as the policy says, then fails with the 503', async () => {
    await assert.rejects(clients().table('retried').getEntity('p', 'r'), { statusCode: 503 });
    assert.equal(requests.filter((url) => url.startsWith('/tables/retried')).length, tries);
  });

  test("the drop zone's blob service is built with the same retries", async () => {
    const dropZone = dropZoneBlobService({ kind: 'connection-string', connectionString }, clients(), () => {
      throw new Error('a connection string needs no credential');
    });
    await assert.rejects(dropZone.getContainerClient('dropzone').getProperties(), { statusCode: 503 });
    assert.equal(requests.filter((url) => url.startsWith('/blobs/dropzone')).length, tries);
  });

  test("blob tries keep the service's own server timeout, queue tries the queue service's 30 s, whichever client went first", async () => {
    const storage = clients();
    // The queue first: storage-queue once wrote its default into retry options it shared with blobs.
    await assert.rejects(storage.queue('timeout').getProperties(), { statusCode: 503 });
    await assert.rejects(storage.blobs.getContainerClient('timeout').getProperties(), { statusCode: 503 });
    const timeouts = (prefix: string): Array<string | null> =>
      requests.filter((url) => url.startsWith(prefix)).map((url) => new URL(url, 'http://loopback').searchParams.get('timeout'));
    assert.deepEqual(timeouts('/queues/timeout'), Array<string>(tries).fill(String(QUEUE_SERVER_TIMEOUT_MS / 1000)));
    // A shorter one than the service's default would cut long blob reads and writes.
    assert.deepEqual(timeouts('/blobs/timeout'), Array<null>(tries).fill(null));
  });
});
