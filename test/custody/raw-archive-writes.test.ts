/**
 * The raw archive is write-once: in Azure an immutability policy refuses any overwrite or delete in
 * `archive-items` and `archive-attachments`. Azurite has no such policy, so this test watches every
 * request the fetch stage and a replay send to those containers, through a recording proxy: each
 * write must be conditional on the blob's absence, and no delete may reach them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { replayItems } from '../../shared/admin/item-admin';
import { StorageImportReplayQueue } from '../../shared/import/import-replay-queue';
import type { ItemOutcome } from '../../shared/outcomes/item-outcome';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { Containers, Queues } from '../../shared/platform/storage/storage-names';
import { day, during, FetchFixture } from '../fetch/fetch-fixture';
import { blobEndpointOf, RecordingBlobProxy, withBlobEndpoint, type BlobRequest } from './recording-blob-proxy';

const RAW = [Containers.items, Containers.attachments];

/** A request that would change or remove a blob, unless it is a create-if-absent. */
function violation(request: BlobRequest): string | undefined {
  const comp = request.query.get('comp');
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  if (request.method === 'PUT' && comp === 'block') return undefined; // staged blocks change nothing until committed
  if (request.method === 'PUT' && (comp === null || comp === 'blocklist') && request.ifNoneMatch === '*') return undefined;
  return `${request.method} ${request.path}${comp ? ` (comp=${comp})` : ''}${request.ifNoneMatch ? ` If-None-Match: ${request.ifNoneMatch}` : ''}`;
}

describe('the raw archive is never overwritten or deleted', () => {
  let fx: FetchFixture;
  let proxy: RecordingBlobProxy;
  let connectionString: string;

  before(async () => {
    fx = await FetchFixture.start(
      async (s) => {
        const photo = await s.attachment('att-w-photo', 20_000, 'image/jpeg');
        const video = await s.attachment('att-w-video', 9 * 1024 * 1024 + 3, 'video/mp4');
        s.item({ id: 'tm-w-1', product: 'att-network', archivedAt: during(0, 1) });
        s.item({ id: 'tm-w-2', product: 'att-network', archivedAt: during(0, 2), attachments: [photo, video] });
        const good = await s.attachment('att-w-good', 3_000, 'image/jpeg');
        const corrupt = await s.attachment('att-w-corrupt', 3_000, 'image/jpeg');
        s.item({ id: 'tm-w-3', product: 'att-network', archivedAt: during(1, 1), attachments: [good, { ...corrupt, sha256: 'b'.repeat(64) }] });
      },
      {
        connectionString: async (azurite) => {
          proxy = await RecordingBlobProxy.start(blobEndpointOf(azurite.connectionString));
          connectionString = withBlobEndpoint(azurite.connectionString, proxy.url);
          return connectionString;
        },
      },
    );
  });
  after(async () => {
    await proxy?.stop();
    await fx?.close();
  });

  test('fetching a window twice, quarantining a bad item on its last attempt and replaying items only ever create blobs', async () => {
    const connector = await fx.createConnector(day(0));
    const job = await fx.queue(connector.id, day(0), day(1));
    assert.equal((await fx.service().fetchWindow(job, { attempt: 1 })).stored, 2);
    assert.equal((await fx.service().fetchWindow(await fx.requeue(job), { attempt: 1 })).alreadyStored, 2);
    const bad = await fx.queue(connector.id, day(1), day(2));
    await assert.rejects(fx.service().fetchWindow(bad, { attempt: 1 }));
    assert.equal((await fx.service().fetchWindow(bad, { attempt: 5 })).quarantined, 1);

    const now = new Date().toISOString();
    for (const itemId of ['tm-w-1', 'tm-w-2']) {
      const outcome: ItemOutcome = {
        connectorId: connector.id, itemId, blobName: '', status: 'unmapped', mailboxes: [], unmapped: [{ participant: 'x', reason: 'not in the mapping file' }],
        attempts: 1, firstProcessedAt: now, updatedAt: now,
      };
      await fx.imports.putOutcome(outcome);
    }
    const storage = new StorageClients({ kind: 'connection-string', connectionString });
    const replay = await replayItems(
      { connectorId: connector.id },
      { connectors: fx.connectors, imports: fx.imports, items: storage.blobs.getContainerClient(Containers.items), replays: new StorageImportReplayQueue(storage.queue(Queues.importReplays)) },
    );
    assert.deepEqual([...replay.replayed].sort(), ['tm-w-1', 'tm-w-2']);

    for (const container of RAW) {
      const writes = proxy.to(container).filter((r) => r.method === 'PUT');
      assert.ok(writes.length > 0, `the test wrote to ${container}`);
      assert.deepEqual(proxy.to(container).map(violation).filter((v) => v !== undefined), [], `${container}: only create-if-absent writes`);
    }
    assert.ok(proxy.to(Containers.attachments).some((r) => r.query.get('comp') === 'blocklist'), 'a large attachment was committed from staged blocks');
    assert.ok(proxy.to(Containers.quarantine).length > 0, 'the bad item went to the quarantine container, not the archive');
  });
});
