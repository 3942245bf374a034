import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { DirectoryUnavailableError, MappingFileRejectedError } from '../../shared/admin/admin-errors';
import { enableConnector } from '../../shared/admin/connector-admin';
import { applyMappingFile, listMappingVersions, showMapping, validateMappingFile } from '../../shared/admin/mapping-admin';
import { BlobMappingFileStore } from '../../shared/mapping/mapping-file-store';
import type { Connector } from '../../shared/connectors/connector';
import type { UserDirectory } from '../../shared/mapping/directory';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { directoryUser, InMemoryUserDirectory } from '../mapping/in-memory-user-directory';
import { isolatedStores } from './admin-fixture';

let azurite: TestAzurite;
let clients: StorageClients;
before(async () => {
  azurite = await startTestAzurite();
  clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
});
after(async () => azurite?.stop());

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

const GOOD_FILE = utf8(['Mobile Number,UserPrincipalName', '(202) 555-0143,ana.diaz@contoso.com', '+1 310 555 0199,bob.lee@contoso.com', ''].join('\n'));
const SECOND_FILE = utf8(['Phone;Email', '202 555 0143;ana.diaz@contoso.com', ''].join('\r\n'));
// Line 3: a number with too few digits; line 5: no address; line 4 is fine.
const BAD_FILE = utf8(['Mobile,UPN', '', '555-01,ana.diaz@contoso.com', '+1 310 555 0199,bob.lee@contoso.com', '+1 646 555 0100,', ''].join('\n'));

let clockMs = Date.parse('2026-03-10T09:00:00.000Z');
const clock = (): Date => new Date((clockMs += 1000));

async function fixture(overrides: Partial<Connector> = {}) {
  const stores = isolatedStores(clients, clock);
  const connector: Connector = {
    id: 'att-main', product: 'att-network', folderName: 'AT&T SMS/MMS Network Archiver', baseUrl: 'https://tm.example',
    username: 'u', passwordSecretName: 'p', enabled: false, autoMapping: false, defaultRegion: 'US',
    checkpoint: '2026-03-09T00:00:00.000Z', scheduledThrough: '2026-03-09T00:00:00.000Z',
    createdAt: '2026-03-09T00:00:00.000Z', updatedAt: '2026-03-09T00:00:00.000Z', ...overrides,
  };
  await stores.connectors.create(connector);
  const blobNames = async (): Promise<string[]> => {
    if (!(await stores.mappingContainer.exists())) return [];
    const names: string[] = [];
    for await (const b of stores.mappingContainer.listBlobsFlat()) names.push(b.name);
    return names.sort();
  };
  return { ...stores, blobNames };
}

describe('mapping validate', () => {
  test('reports each problem with its line and changes nothing', async () => {
    const f = await fixture();
    const report = await validateMappingFile({ connectorId: 'att-main', bytes: BAD_FILE }, f);
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems.map((p) => [p.line, p.severity, p.code]), [
      [3, 'error', 'unreadable-number'],
      [5, 'error', 'missing-address'],
    ]);
    assert.deepEqual(await f.blobNames(), []);
    assert.equal((await f.connectors.get('att-main')).mappingFile, undefined);

    const good = await validateMappingFile({ connectorId: 'att-main', bytes: GOOD_FILE }, f);
    assert.equal(good.ok, true);
    assert.equal(good.stats.entries, 2);
    assert.deepEqual(await f.blobNames(), [], 'even a good file is only read');
  });

  test("reads numbers in the connector's region", async () => {
    const f = await fixture({ defaultRegion: 'GB' });
    const report = await validateMappingFile({ connectorId: 'att-main', bytes: utf8('Mobile,UPN\n07911 123456,ana@contoso.com\n') }, f);
    assert.ok(report.ok);
    assert.deepEqual(report.mapping.entries, { '+447911123456': 'ana@contoso.com' });
  });

  test('with a directory, an address that cannot receive items is a warning on its line; a directory that cannot answer is an error', async () => {
    const f = await fixture();
    const directory = new InMemoryUserDirectory([directoryUser('u-ana', 'ana.diaz@contoso.com')]);
    const report = await validateMappingFile({ connectorId: 'att-main', bytes: GOOD_FILE }, { ...f, directory });
    assert.equal(report.ok, true);
    assert.deepEqual(report.problems.map((p) => [p.line, p.severity, p.code]), [[3, 'warning', 'address-not-found']]);

    const broken: UserDirectory = { resolve: async () => Promise.reject(new Error('Graph answered 503')) };
    await assert.rejects(validateMappingFile({ connectorId: 'att-main', bytes: GOOD_FILE }, { ...f, directory: broken }), (error: unknown) => {
      assert.ok(error instanceof DirectoryUnavailableError);
      assert.match(error.message, /Graph answered 503/);
      return true;
    });
  });
});

describe('mapping apply', () => {
  test('stores the file as a version and the parsed mapping as current.json, and records it on the connector', async () => {
    const f = await fixture();
    const applied = await applyMappingFile({ connectorId: 'att-main', bytes: GOOD_FILE, fileName: 'phones.csv' }, f);
    const sha256 = createHash('sha256').update(GOOD_FILE).digest('hex');
    assert.match(applied.current.version, new RegExp(`^\\d{8}T\\d{9}Z-${sha256.slice(0, 8)}$`));
    assert.deepEqual(await f.blobNames(), ['att-main/current.json', `att-main/versions/${applied.current.version}.csv`]);

    const stored = await f.mappingContainer.getBlobClient(`att-main/versions/${applied.current.version}.csv`).downloadToBuffer();
    assert.deepEqual(new Uint8Array(stored), GOOD_FILE, 'the version is the file exactly as given');
    const current = JSON.parse((await f.mappingContainer.getBlobClient('att-main/current.json').downloadToBuffer()).toString('utf8'));
    assert.deepEqual(current, {
      version: applied.current.version,
      appliedAt: applied.current.appliedAt,
      sha256,
      rows: 2,
      mapping: { version: 1, defaultRegion: 'US', entries: { '+12025550143': 'ana.diaz@contoso.com', '+13105550199': 'bob.lee@contoso.com' } },
    });
    assert.deepEqual((await f.connectors.get('att-main')).mappingFile, { version: applied.current.version, appliedAt: applied.current.appliedAt, rows: 2 });
    assert.deepEqual(await f.mappingFiles.getCurrentMapping('att-main'), current.mapping);

    // With a mapping file, a connector with automatic mapping off may be enabled.
    assert.equal((await enableConnector('att-main', f)).enabled, true);
    const listing = await listMappingVersions('att-main', f);
    assert.equal(listing.current, applied.current.version);
    assert.deepEqual(listing.versions.map((v) => [v.version, v.rows, v.bytes, v.fileName, v.sha256]), [
      [applied.current.version, 2, GOOD_FILE.length, 'phones.csv', sha256],
    ]);
  });

  test('a file with errors is refused and the mapping in force stays in force', async () => {
    const f = await fixture();
    const first = await applyMappingFile({ connectorId: 'att-main', bytes: GOOD_FILE }, f);
    const blobsBefore = await f.blobNames();
    await assert.rejects(applyMappingFile({ connectorId: 'att-main', bytes: BAD_FILE }, f), (error: unknown) => {
      assert.ok(error instanceof MappingFileRejectedError);
      assert.match(error.message, /2 errors; the mapping in force stays in force/);
      assert.deepEqual(error.report.problems.map((p) => p.line), [3, 5]);
      return true;
    });
    assert.deepEqual(await f.blobNames(), blobsBefore, 'no version is stored for a refused file');
    assert.equal((await showMapping('att-main', f))?.version, first.current.version);
    assert.equal((await f.connectors.get('att-main')).mappingFile?.version, first.current.version);
    assert.deepEqual(await new BlobMappingFileStore(f.mappingContainer).getCurrentMapping('att-main'), first.current.mapping);
  });

  test('each applied file is kept; the newest is in force', async () => {
    const f = await fixture();
    const first = await applyMappingFile({ connectorId: 'att-main', bytes: GOOD_FILE }, f);
    const second = await applyMappingFile({ connectorId: 'att-main', bytes: SECOND_FILE }, f);
    const listing = await listMappingVersions('att-main', f);
    assert.deepEqual(listing.versions.map((v) => v.version), [first.current.version, second.current.version]);
    assert.equal(listing.current, second.current.version);
    assert.deepEqual((await showMapping('att-main', f))?.mapping.entries, { '+12025550143': 'ana.diaz@contoso.com' });
  });

  test('getCurrentMapping reuses what it read for a while; a fresh store sees a newly applied file', async () => {
    const f = await fixture();
    const cached = new BlobMappingFileStore(f.mappingContainer, { cacheMs: 10 * 60_000 });
    assert.equal(await cached.getCurrentMapping('att-main'), undefined);
    await applyMappingFile({ connectorId: 'att-main', bytes: GOOD_FILE }, f);
    assert.equal(await cached.getCurrentMapping('att-main'), undefined, 'within the cache time the earlier answer stands');
    const uncached = new BlobMappingFileStore(f.mappingContainer, { cacheMs: 0 });
    assert.equal(Object.keys((await uncached.getCurrentMapping('att-main'))?.entries ?? {}).length, 2);
  });

  test('a fresh read (a replay) sees a file applied within the cache time, and refreshes the cache', async () => {
    const f = await fixture();
    const cached = new BlobMappingFileStore(f.mappingContainer, { cacheMs: 10 * 60_000 });
    assert.equal(await cached.getCurrentMapping('att-main'), undefined);
    await applyMappingFile({ connectorId: 'att-main', bytes: GOOD_FILE }, f);
    assert.equal(Object.keys((await cached.getCurrentMapping('att-main', { fresh: true }))?.entries ?? {}).length, 2);
    assert.equal(Object.keys((await cached.getCurrentMapping('att-main'))?.entries ?? {}).length, 2, 'the next cached read has the new file too');
  });

  test('a damaged current.json is reported, not taken for "no mapping"', async () => {
    const f = await fixture();
    await applyMappingFile({ connectorId: 'att-main', bytes: GOOD_FILE }, f);
    await f.mappingContainer.getBlockBlobClient('att-main/current.json').upload('{"version":"x"}', 15);
    await assert.rejects(new BlobMappingFileStore(f.mappingContainer).getCurrentMapping('att-main'), /stored mapping of connector "att-main".*is not valid/);
  });
});
