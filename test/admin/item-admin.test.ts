import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { listItemOutcomes, replayItems } from '../../shared/admin/item-admin';
import { itemBlobName } from '../../shared/archive/blob-names';
import type { Connector } from '../../shared/connectors/connector';
import { ConnectorNotFoundError } from '../../shared/connectors/connector-store';
import type { ItemOutcome, ItemOutcomeStatus } from '../../shared/outcomes/item-outcome';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { drainMessages, isolatedStores } from './admin-fixture';
import { parseImportReplayRequest, type ImportReplayRequest } from '../../shared/import/import-replay-queue';

let azurite: TestAzurite;
let clients: StorageClients;
before(async () => {
  azurite = await startTestAzurite();
  clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
});
after(async () => azurite?.stop());

const CONNECTOR: Connector = {
  id: 'att-main', product: 'att-network', folderName: 'AT&T SMS/MMS Network Archiver', baseUrl: 'https://tm.example',
  username: 'u', passwordSecretName: 'p', enabled: true, autoMapping: true, defaultRegion: 'US',
  checkpoint: '2026-03-09T00:00:00.000Z', scheduledThrough: '2026-03-09T00:00:00.000Z',
  createdAt: '2026-03-09T00:00:00.000Z', updatedAt: '2026-03-09T00:00:00.000Z',
};

function outcome(itemId: string, status: ItemOutcomeStatus, extra: Partial<ItemOutcome> = {}): ItemOutcome {
  return {
    connectorId: CONNECTOR.id, itemId, blobName: itemBlobName(CONNECTOR.id, itemId), status, archivedAt: '2026-03-09T10:00:00Z',
    mailboxes: [], unmapped: [], attempts: 1, firstProcessedAt: '2026-03-09T10:05:00Z', updatedAt: '2026-03-09T10:05:00Z', ...extra,
  };
}

async function fixture() {
  const f = isolatedStores(clients);
  await f.connectors.create(CONNECTOR);
  await f.items.createIfNotExists();
  const store = async (itemId: string): Promise<string> => {
    const body = JSON.stringify({ id: itemId, text: `item ${itemId} ✓` });
    const blob = f.items.getBlockBlobClient(itemBlobName(CONNECTOR.id, itemId));
    await blob.upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
      metadata: { sha256: 'abc', fetchrunid: 'run-1' },
    });
    return (await blob.getProperties()).etag as string;
  };
  const state = async (itemId: string) => {
    const blob = f.items.getBlobClient(itemBlobName(CONNECTOR.id, itemId));
    const props = await blob.getProperties();
    return { etag: props.etag, contentType: props.contentType, metadata: props.metadata, body: (await blob.downloadToBuffer()).toString('utf8') };
  };
  return { ...f, store, state };
}

test('items unmapped lists each unmapped item with its participants and why; items failed lists failures', async () => {
  const f = await fixture();
  await f.imports.putOutcome(outcome('tm-2', 'unmapped', { unmapped: [{ participant: 'Bob (+1 310 555 0199)', reason: '+1 310 555 0199: not in the mapping file, no email address' }] }));
  await f.imports.putOutcome(outcome('tm-1', 'imported'));
  await f.imports.putOutcome(outcome('tm-3', 'failed', { error: 'Graph answered 500 three times' }));
  const unmapped = await listItemOutcomes('att-main', 'unmapped', f);
  assert.deepEqual(unmapped.map((o) => [o.itemId, o.unmapped.map((u) => u.reason)]), [['tm-2', ['+1 310 555 0199: not in the mapping file, no email address']]]);
  assert.deepEqual((await listItemOutcomes('att-main', 'failed', f)).map((o) => [o.itemId, o.error]), [['tm-3', 'Graph answered 500 three times']]);
  await assert.rejects(listItemOutcomes('nope', 'unmapped', f), ConnectorNotFoundError);
});

test('replay queues exactly the unmapped items and never touches the raw archive', async () => {
  const f = await fixture();
  const ids = ['tm-u1', 'tm/u2 #ü', 'tm-imported', 'tm-failed'];
  for (const id of ids) await f.store(id);
  const before = new Map(await Promise.all(ids.map(async (id) => [id, await f.state(id)] as const)));
  await f.imports.putOutcome(outcome('tm-u1', 'unmapped'));
  await f.imports.putOutcome(outcome('tm/u2 #ü', 'unmapped'));
  await f.imports.putOutcome(outcome('tm-gone', 'unmapped'));
  await f.imports.putOutcome(outcome('tm-imported', 'imported'));
  await f.imports.putOutcome(outcome('tm-failed', 'failed'));

  const result = await replayItems({ connectorId: 'att-main' }, f);
  assert.deepEqual(
    { listed: result.listed, replayed: [...result.replayed].sort(), missing: result.missing, failed: result.failed },
    { listed: 3, replayed: ['tm-u1', 'tm/u2 #ü'], missing: ['tm-gone'], failed: [] },
  );
  const queued = await drainMessages<ImportReplayRequest>(f.replayQueue);
  assert.deepEqual(
    queued.map((r) => parseImportReplayRequest(r)).sort((x, y) => x.itemId.localeCompare(y.itemId)),
    ['tm-u1', 'tm/u2 #ü'].map((itemId) => ({ connectorId: 'att-main', itemId, blobName: itemBlobName('att-main', itemId) })),
  );
  for (const id of ids) assert.deepEqual(await f.state(id), before.get(id), `${id}: the archived blob is unchanged, ETag included`);
  assert.equal(await f.items.getBlobClient(itemBlobName('att-main', 'tm-gone')).exists(), false, 'a missing blob is not recreated');

  const failed = await replayItems({ connectorId: 'att-main', status: 'failed' }, f);
  assert.deepEqual([failed.listed, failed.replayed], [1, ['tm-failed']]);
  assert.deepEqual((await drainMessages<ImportReplayRequest>(f.replayQueue)).map((r) => r.itemId), ['tm-failed']);
});

test('replay of a connector without unmapped items writes nothing', async () => {
  const f = await fixture();
  const etag = await f.store('tm-ok');
  await f.imports.putOutcome(outcome('tm-ok', 'imported'));
  const result = await replayItems({ connectorId: 'att-main' }, f);
  assert.deepEqual([result.listed, result.replayed, result.missing], [0, [], []]);
  assert.equal((await f.state('tm-ok')).etag, etag);
  assert.deepEqual(await drainMessages(f.replayQueue), []);
});

test('replay --from/--to takes only the items archived in that window (first processed, for one never read)', async () => {
  const f = await fixture();
  for (const id of ['tm-early', 'tm-inside', 'tm-late']) await f.store(id);
  await f.imports.putOutcome(outcome('tm-early', 'failed', { archivedAt: '2026-03-08T23:59:59Z' }));
  await f.imports.putOutcome(outcome('tm-inside', 'failed', { archivedAt: '2026-03-09T00:00:00Z' }));
  await f.imports.putOutcome(outcome('tm-late', 'failed', { archivedAt: '2026-03-10T00:00:00Z' }));
  const result = await replayItems({ connectorId: 'att-main', status: 'failed', from: '2026-03-09', to: '2026-03-10' }, f);
  assert.deepEqual([result.listed, result.replayed], [1, ['tm-inside']]);
  assert.deepEqual((await drainMessages<ImportReplayRequest>(f.replayQueue)).map((r) => r.itemId), ['tm-inside']);
  await assert.rejects(replayItems({ connectorId: 'att-main', from: '2026-03-10', to: '2026-03-09' }, f), /to: must be after from/);
});
