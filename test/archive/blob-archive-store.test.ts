import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import {
  ARCHIVE_METADATA_FIELD,
  AttachmentIntegrityError,
  BlobArchiveStore,
  attachmentBlobName,
  itemBlobName,
  parseItemBlobName,
  type StoredArchiveItem,
} from '../../shared/archive';
import { TeleMessageClient, type ArchiveItem, type ArchiveSource } from '../../shared/telemessage';
import { RetainedMemorySampler } from './memory-sampler';
import { ScenarioBuilder, TEST_PASSWORD, TEST_USERNAME, at, type AttachmentFile, type TestScenario } from '../telemessage/telemessage-test-scenario';

const CONNECTOR = 'conn-att-1';
const MB = 1024 * 1024;

describe('BlobArchiveStore against Azurite and the TeleMessage simulator', () => {
  let azurite: TestAzurite;
  let sim: TeleMessageSimulator;
  let scenario: TestScenario;
  let blobs: BlobServiceClient;
  let store: BlobArchiveStore;
  let source: TeleMessageClient;
  let itemsContainer: ContainerClient;
  let attachmentsContainer: ContainerClient;
  const items = new Map<string, ArchiveItem>();
  const files: Record<string, AttachmentFile> = {};

  before(async () => {
    const builder = await ScenarioBuilder.create();
    for (const [id, size] of [
      ['att-small-1', 50_000],
      ['att-mid-1', 3 * MB + 123],
      ['att-bad-hash', 100_000],
      ['att-bad-size', 100_000],
      ['att-small-2', 20_000],
      ['att-cut-1', 5 * MB + 7],
      ['att-big-40', 40 * MB],
      ['att-small-3', 70_000],
      ['att-small-4', 30_000],
      ['att-empty', 0],
    ] as const) {
      files[id] = await builder.attachment(id, size);
    }
    const f = (id: string): AttachmentFile => files[id] as AttachmentFile;
    builder
      .item({ id: 'tm-two-att', product: 'att-network', archivedAt: at(1), attachments: [f('att-small-1'), f('att-mid-1')] })
      .item({ id: 'tm-bad-hash', product: 'att-network', archivedAt: at(2), attachments: [{ ...f('att-bad-hash'), sha256: 'ab'.repeat(32) }] })
      .item({ id: 'tm-bad-size', product: 'att-network', archivedAt: at(3), attachments: [{ ...f('att-bad-size'), size: 99_999 }] })
      .item({ id: 'tm-gone', product: 'att-network', archivedAt: at(4), attachments: [builder.goneAttachment('att-gone-9'), f('att-small-2')] })
      .item({ id: 'tm-cut', product: 'att-network', archivedAt: at(5), attachments: [f('att-cut-1')] })
      .item({ id: 'tm-big', product: 'att-network', archivedAt: at(6), attachments: [f('att-big-40')] })
      .item({ id: 'tm/odd id ✓ ~%2F..', product: 'att-network', archivedAt: at(7) })
      .item({ id: 'tm-race', product: 'att-network', archivedAt: at(8), attachments: [f('att-small-3')] })
      .item({ id: 'tm-crash', product: 'att-network', archivedAt: at(9), attachments: [f('att-small-4'), f('att-empty')] });
    scenario = await builder.write();
    [azurite, sim] = await Promise.all([startTestAzurite(), TeleMessageSimulator.start({ scenarioDir: scenario.dir, port: 0 })]);
    blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    store = new BlobArchiveStore({ blobServiceClient: blobs });
    await store.ensureContainers();
    itemsContainer = blobs.getContainerClient('archive-items');
    attachmentsContainer = blobs.getContainerClient('archive-attachments');
    source = new TeleMessageClient({
      baseUrl: sim.url,
      username: TEST_USERNAME,
      password: TEST_PASSWORD,
      retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
      requestTimeoutMs: 10_000,
      addressPolicy: { allowLoopback: true },
    });
    for await (const item of source.listItems('att-network', { from: new Date(at(0)), to: new Date(at(59)) })) items.set(item.id, item);
  });

  after(async () => {
    await Promise.all([sim?.stop(), azurite?.stop()]);
    await scenario?.remove();
  });

  afterEach(() => {
    sim.faults.clear();
    sim.stats.reset();
  });

  const item = (id: string): ArchiveItem => {
    const found = items.get(id);
    assert.ok(found, `item ${id} listed`);
    return found;
  };
  const attachmentBlob = (itemId: string, attachmentId: string) =>
    attachmentsContainer.getBlockBlobClient(attachmentBlobName(CONNECTOR, itemId, attachmentId));
  const itemBlob = (itemId: string) => itemsContainer.getBlockBlobClient(itemBlobName(CONNECTOR, itemId));

  async function blobSha256(blob: ReturnType<typeof attachmentBlob>): Promise<{ size: number; sha256: string }> {
    const response = await blob.download();
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of response.readableStreamBody as NodeJS.ReadableStream) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async function storedJson(itemId: string): Promise<StoredArchiveItem> {
    return JSON.parse((await itemBlob(itemId).downloadToBuffer()).toString('utf8')) as StoredArchiveItem;
  }

  test('stores the attachments, verified, and then the item JSON', async () => {
    const events: string[] = [];
    // Observe the store through its source: when each attachment is fetched, the item JSON must not exist yet.
    const observed: ArchiveSource = {
      listItems: (...args) => source.listItems(...args),
      verifyConnection: (options) => source.verifyConnection(options),
      openAttachment: async (product, attachmentId, options) => {
        events.push(`open ${attachmentId} (item JSON exists: ${await itemBlob('tm-two-att').exists()})`);
        return source.openAttachment(product, attachmentId, options);
      },
    };
    const result = await store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-two-att'), source: observed });

    assert.deepEqual(events, ['open att-small-1 (item JSON exists: false)', 'open att-mid-1 (item JSON exists: false)']);
    const json = await storedJson('tm-two-att');
    assert.equal(result.outcome, 'stored');
    assert.deepEqual(result.attachments, { stored: 2, alreadyStored: 0, missing: [] });
    const jsonBytes = (await itemBlob('tm-two-att').getProperties()).contentLength ?? 0;
    assert.equal(result.bytes, 50_000 + 3 * MB + 123 + jsonBytes);

    for (const id of ['att-small-1', 'att-mid-1']) {
      const expected = files[id] as AttachmentFile;
      const blob = attachmentBlob('tm-two-att', id);
      assert.deepEqual(await blobSha256(blob), { size: expected.size, sha256: expected.sha256 });
      const properties = await blob.getProperties();
      assert.deepEqual(properties.metadata, { size: String(expected.size), sha256: expected.sha256 });
      assert.equal(properties.contentType, 'application/octet-stream');
    }
    // The JSON is the listed item unchanged, plus the archive's own field.
    const { [ARCHIVE_METADATA_FIELD]: archive, ...rest } = json;
    assert.deepEqual(rest, item('tm-two-att'));
    assert.deepEqual(archive, { version: 1, connectorId: CONNECTOR, product: 'att-network', missingAttachments: [] });
  });

  test('a second run writes nothing and downloads nothing', async () => {
    const first = await store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-two-att'), source });
    assert.equal(first.outcome, 'alreadyStored', 'stored by the previous test');
    const etag = (await itemBlob('tm-two-att').getProperties()).etag;
    sim.stats.reset();
    const again = await store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-two-att'), source });
    assert.deepEqual(again, { itemId: 'tm-two-att', outcome: 'alreadyStored', bytes: 0, attachments: { stored: 0, alreadyStored: 0, missing: [] } });
    assert.equal(sim.stats.requests(), 0);
    assert.equal((await itemBlob('tm-two-att').getProperties()).etag, etag, 'item JSON not rewritten');
  });

  test('after a crash between attachments and item JSON, stored attachments are not downloaded again', async () => {
    await store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-crash'), source });
    const attachmentEtag = (await attachmentBlob('tm-crash', 'att-small-4').getProperties()).etag;
    await itemBlob('tm-crash').delete(); // as if the run died before writing the JSON
    sim.stats.reset();
    const result = await store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-crash'), source });
    assert.equal(result.outcome, 'stored');
    assert.deepEqual(result.attachments, { stored: 0, alreadyStored: 2, missing: [] });
    assert.equal(sim.stats.requests('attachment'), 0);
    assert.equal((await attachmentBlob('tm-crash', 'att-small-4').getProperties()).etag, attachmentEtag);
    assert.equal((await attachmentBlob('tm-crash', 'att-empty').getProperties()).contentLength, 0);
  });

  test('a sha256 mismatch fails the item: no committed attachment, no item JSON', async () => {
    await assert.rejects(
      store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-bad-hash'), source }),
      (error: unknown) => {
        assert.ok(error instanceof AttachmentIntegrityError);
        assert.equal(error.itemId, 'tm-bad-hash');
        assert.equal(error.attachmentId, 'att-bad-hash');
        assert.deepEqual(error.expected, { size: 100_000, sha256: 'ab'.repeat(32) });
        assert.deepEqual(error.actual, { size: 100_000, sha256: (files['att-bad-hash'] as AttachmentFile).sha256 });
        assert.match(error.message, /"tm-bad-hash".*"att-bad-hash".*sha256 [0-9a-f]{64}, expected (ab){32}/);
        return true;
      },
    );
    assert.equal(await attachmentBlob('tm-bad-hash', 'att-bad-hash').exists(), false);
    assert.equal(await itemBlob('tm-bad-hash').exists(), false);
  });

  test('a size mismatch fails as soon as it shows, with nothing committed', async () => {
    await assert.rejects(
      store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-bad-size'), source }),
      (error: unknown) => {
        assert.ok(error instanceof AttachmentIntegrityError);
        assert.deepEqual(error.expected, { size: 99_999 });
        assert.equal(error.actual.size, 100_000);
        assert.match(error.message, /"tm-bad-size".*"att-bad-size".*size 100000 bytes, expected 99999/);
        return true;
      },
    );
    assert.equal(await attachmentBlob('tm-bad-size', 'att-bad-size').exists(), false);
    assert.equal(await itemBlob('tm-bad-size').exists(), false);
  });

  test('an attachment gone at TeleMessage (404) is recorded as missing and the item is still stored', async () => {
    const result = await store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-gone'), source });
    assert.equal(result.outcome, 'stored');
    assert.deepEqual(result.attachments, { stored: 1, alreadyStored: 0, missing: ['att-gone-9'] });
    assert.equal(sim.stats.outcomes(404, 'attachment'), 1, 'asked once, not looped');
    assert.deepEqual((await storedJson('tm-gone'))[ARCHIVE_METADATA_FIELD].missingAttachments, [{ id: 'att-gone-9', reason: 'not-found' }]);
    assert.equal(await attachmentBlob('tm-gone', 'att-gone-9').exists(), false);
    assert.equal(await attachmentBlob('tm-gone', 'att-small-2').exists(), true);
  });

  test('a download cut mid-way is resumed from where it stopped and yields one correct blob', async () => {
    sim.faults.add({ route: 'attachment', kind: 'truncate' });
    const result = await store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-cut'), source });
    assert.equal(result.outcome, 'stored');
    assert.equal(sim.stats.outcomes('truncated', 'attachment'), 1);
    assert.equal(sim.stats.outcomes(206, 'attachment'), 1, 'resumed with a Range request');
    assert.equal(sim.stats.requests('attachment'), 2);
    const expected = files['att-cut-1'] as AttachmentFile;
    assert.deepEqual(await blobSha256(attachmentBlob('tm-cut', 'att-cut-1')), { size: expected.size, sha256: expected.sha256 });
    const blockList = await attachmentBlob('tm-cut', 'att-cut-1').getBlockList('all');
    assert.equal(blockList.uncommittedBlocks?.length ?? 0, 0);
  });

  test('a 40 MB attachment is streamed without holding it in memory', async (t) => {
    const bound = 16 * MB;
    const sampler = await RetainedMemorySampler.start(bound / 2);
    let result;
    let growth: { retainedGrowth: number; rssGrowth: number };
    try {
      result = await store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: item('tm-big'), source });
    } finally {
      growth = sampler.stop();
    }
    t.diagnostic(
      `40 MB attachment: peak retained heap+external growth ${(growth.retainedGrowth / MB).toFixed(1)} MB, ` +
        `peak RSS growth ${(growth.rssGrowth / MB).toFixed(1)} MB, ${sampler.collections} full collections`,
    );
    assert.equal(result.outcome, 'stored');
    const expected = files['att-big-40'] as AttachmentFile;
    assert.deepEqual(await blobSha256(attachmentBlob('tm-big', 'att-big-40')), { size: expected.size, sha256: expected.sha256 });
    // Holding the attachment whole would retain 40 MB or more; the store keeps a few 2 MiB blocks.
    assert.ok(growth.retainedGrowth < bound, `retained memory grew by ${(growth.retainedGrowth / MB).toFixed(1)} MB`);
  });

  test('any item id gets a safe, deterministic blob name', async () => {
    const odd = item('tm/odd id ✓ ~%2F..');
    const result = await store.storeItem({ connectorId: CONNECTOR, product: 'att-network', item: odd, source });
    assert.equal(result.outcome, 'stored');
    const names: string[] = [];
    for await (const blob of itemsContainer.listBlobsFlat({ prefix: `${CONNECTOR}/tm~2Fodd` })) names.push(blob.name);
    assert.deepEqual(names, [itemBlobName(CONNECTOR, odd.id)]);
    assert.deepEqual(parseItemBlobName(names[0] as string), { connectorId: CONNECTOR, itemId: odd.id });
    assert.equal((await storedJson(odd.id)).id, odd.id);
  });

  test('two runs storing the same item at once: one stores it, the other finds it stored', async () => {
    const request = { connectorId: CONNECTOR, product: 'att-network' as const, item: item('tm-race'), source };
    const results = await Promise.all([store.storeItem(request), store.storeItem(request)]);
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['alreadyStored', 'stored']);
    assert.equal((await storedJson('tm-race')).id, 'tm-race');
  });
});
