import { RETRY_BUDGETS } from '../../shared/platform/resilience';
import { createHash, randomUUID } from 'node:crypto';
import type { BlobServiceClient } from '@azure/storage-blob';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { BlobMappingFileStore } from '../../shared/mapping/mapping-file-store';
import { attachmentBlobName, itemBlobName } from '../../shared/archive/blob-names';
import { ATTACHMENT_METADATA } from '../../shared/archive/blob-archive-store';
import { toStoredItem, type ArchiveMetadata } from '../../shared/archive/stored-item';
import type { Connector } from '../../shared/connectors/connector';
import { TableConnectorStore } from '../../shared/connectors/connector-store';
import { GraphMailboxWriter, type GraphMailboxWriterOptions } from '../../shared/graph/mailbox-writer';
import { GraphUserDirectory } from '../../shared/graph/graph-user-directory';
import { sourceItemIdPropertyId } from '../../shared/conversion';
import { ImportItemService, type ImportItemServiceOptions } from '../../shared/import/import-item-service';
import { BlobStoredItemReader } from '../../shared/archive/stored-item-reader';
import { BlobQuarantineStore } from '../../shared/outcomes/quarantine-store';
import { TableImportStore, type ImportStore } from '../../shared/outcomes/import-store';
import type { ItemOutcome, MailboxDelivery } from '../../shared/outcomes/item-outcome';
import type { ArchiveItem } from '../../shared/telemessage/archive-source';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { Containers, Tables } from '../../shared/platform/storage/storage-names';
import { RecordingTelemetry } from '../../shared/platform/telemetry/telemetry';
import { GraphFixture } from '../graph-writer/graph-fixture';

export type RawItem = Record<string, unknown>;

export const FOLDER = 'AT&T SMS/MMS';
/** Ana's own number; her email address is her mailbox. */
export const ANA_PARTY = { phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' };
/** Ben is known to TeleMessage by his number only; the mapping file maps it to his mailbox. */
export const BEN_BY_PHONE = { phone: '+13105550199', displayName: 'Ben Ng' };
export const BEN_BY_EMAIL = { email: 'ben.ng@contoso.com', displayName: 'Ben' };
/** Someone outside the company. */
export const OUTSIDER = { phone: '+13105550100' };

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

let sequence = 0;

/** An SMS sent by Ana to an outsider, as TeleMessage lists it. */
export function smsItem(overrides: RawItem = {}): RawItem {
  sequence += 1;
  return {
    id: `tm-sms-${sequence}-${randomUUID().slice(0, 6)}`,
    product: 'att-network',
    kind: 'sms',
    archivedAt: '2026-11-20T14:03:07Z',
    sentAt: '2026-11-20T14:02:55Z',
    direction: 'outbound',
    account: { phone: ANA_PARTY.phone, email: ANA_PARTY.email },
    conversation: { id: 'c-1901', type: 'direct', title: null },
    from: { ...ANA_PARTY },
    to: [{ ...OUTSIDER }],
    text: 'Running <b>10</b> min late & "sorry" <script>alert(1)</script>',
    attachments: [],
    ...overrides,
  };
}

export function mmsItem(attachments: RawItem[], overrides: RawItem = {}): RawItem {
  return smsItem({ kind: 'mms', text: 'Photos from the site visit', attachments, ...overrides });
}

/** An attachment entry of an item, for the given bytes. */
export function attachmentEntry(id: string, fileName: string, bytes: Buffer, contentType = 'image/jpeg'): RawItem {
  return { id, fileName, contentType, size: bytes.length, sha256: sha256Hex(bytes) };
}

/**
 * Azurite and the Graph simulator, a connector with a mapping file, and the import stage wired
 * as the app wires it (the Graph client, writer and directory are the real ones).
 */
export class ImportFixture {
  readonly telemetry = new RecordingTelemetry();
  readonly connectors: TableConnectorStore;
  readonly imports: TableImportStore;
  readonly mappings: BlobMappingFileStore;
  readonly storage: BlobStoredItemReader;
  readonly quarantine: BlobQuarantineStore;
  readonly blobs: BlobServiceClient;
  readonly writer: GraphMailboxWriter;
  readonly directory: GraphUserDirectory;
  connector!: Connector;

  private constructor(
    readonly azurite: TestAzurite,
    readonly graph: GraphFixture,
  ) {
    const clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
    this.blobs = clients.blobs;
    this.connectors = new TableConnectorStore(clients.table(Tables.connectors));
    this.imports = new TableImportStore(clients.table(Tables.imports));
    this.mappings = new BlobMappingFileStore(clients.blobs.getContainerClient(Containers.mappingFiles));
    this.storage = new BlobStoredItemReader(clients.blobs);
    this.quarantine = new BlobQuarantineStore(clients.blobs);
    this.writer = new GraphMailboxWriter({ client: graph.client, sourceItemIdPropertyId: sourceItemIdPropertyId(), retry: RETRY_BUDGETS.import.with({ baseDelayMs: 10 }) });
    this.directory = new GraphUserDirectory(graph.client);
  }

  static async start(options: Parameters<typeof GraphFixture.start>[0] = {}): Promise<ImportFixture> {
    const azurite = await startTestAzurite();
    const graph = await GraphFixture.start(options);
    const fixture = new ImportFixture(azurite, graph);
    await fixture.blobs.getContainerClient(Containers.items).createIfNotExists();
    await fixture.blobs.getContainerClient(Containers.attachments).createIfNotExists();
    fixture.connector = await fixture.createConnector();
    return fixture;
  }

  async close(): Promise<void> {
    await this.graph.close();
    await this.azurite.stop();
  }

  async createConnector(): Promise<Connector> {
    const now = new Date().toISOString();
    const connector: Connector = {
      id: `att-${randomUUID().slice(0, 8)}`,
      product: 'att-network',
      folderName: FOLDER,
      baseUrl: 'http://127.0.0.1:9',
      username: 'connector',
      passwordSecretName: 'telemessage-password',
      enabled: true,
      autoMapping: true,
      defaultRegion: 'US',
      checkpoint: now,
      scheduledThrough: now,
      createdAt: now,
      updatedAt: now,
    };
    await this.connectors.create(connector);
    const csv = Buffer.from('mobile,address\n+13105550199,ben.ng@contoso.com\n', 'utf8');
    await this.mappings.apply(connector.id, {
      bytes: csv,
      rows: 1,
      mapping: { version: 1, defaultRegion: 'US', entries: { '+13105550199': 'ben.ng@contoso.com' } },
    });
    return connector;
  }

  /** The import stage; `imports` may be replaced (a test double around the store only). */
  service(options: Partial<ImportItemServiceOptions> = {}): ImportItemService {
    return new ImportItemService({
      connectors: this.connectors,
      imports: this.imports,
      writer: this.writer,
      directory: this.directory,
      mappings: this.mappings,
      storage: this.storage,
      quarantine: this.quarantine,
      telemetry: this.telemetry,
      ...options,
    });
  }

  /**
   * The import stage as another instance of the app has it: its own storage and Graph clients,
   * caches and per-mailbox limiter, over the same storage account and mailboxes.
   */
  otherInstance(options: Partial<Omit<ImportItemServiceOptions, 'writer'>> & { writer?: Partial<GraphMailboxWriterOptions> } = {}): ImportItemService {
    const { writer, ...rest } = options;
    const clients = new StorageClients({ kind: 'connection-string', connectionString: this.azurite.connectionString });
    const client = GraphFixture.client(this.graph.sim);
    return new ImportItemService({
      connectors: new TableConnectorStore(clients.table(Tables.connectors)),
      imports: new TableImportStore(clients.table(Tables.imports)),
      writer: new GraphMailboxWriter({ client, sourceItemIdPropertyId: sourceItemIdPropertyId(), retry: RETRY_BUDGETS.import.with({ baseDelayMs: 10 }), ...writer }),
      directory: new GraphUserDirectory(client),
      mappings: new BlobMappingFileStore(clients.blobs.getContainerClient(Containers.mappingFiles)),
      storage: new BlobStoredItemReader(clients.blobs),
      quarantine: new BlobQuarantineStore(clients.blobs),
      telemetry: this.telemetry,
      ...rest,
    });
  }

  /**
   * Stores an item as the fetch stage does: its attachments' blobs (with size and sha256), then
   * the item JSON with the archive's metadata. Returns the blob name and bytes the trigger gets.
   */
  async store(
    item: RawItem,
    attachments: Record<string, Buffer> = {},
    archive: Partial<ArchiveMetadata> = {},
  ): Promise<{ blobName: string; bytes: Buffer; itemId: string }> {
    const itemId = item.id as string;
    for (const [attachmentId, bytes] of Object.entries(attachments)) {
      await this.blobs
        .getContainerClient(Containers.attachments)
        .getBlockBlobClient(attachmentBlobName(this.connector.id, itemId, attachmentId))
        .uploadData(bytes, { metadata: { [ATTACHMENT_METADATA.size]: String(bytes.length), [ATTACHMENT_METADATA.sha256]: sha256Hex(bytes) } });
    }
    const stored = toStoredItem(item as unknown as ArchiveItem, {
      version: 1, connectorId: this.connector.id, product: 'att-network', missingAttachments: [], ...archive,
    });
    const bytes = Buffer.from(JSON.stringify(stored), 'utf8');
    const blobName = itemBlobName(this.connector.id, itemId);
    await this.blobs.getContainerClient(Containers.items).getBlockBlobClient(blobName).uploadData(bytes);
    return { blobName, bytes, itemId };
  }
}

/** Passes everything to the real store, but loses the first `imported` record, as a process killed between the Graph create and the record would. */
export class LosesFirstImportedRecord implements ImportStore {
  lost = 0;

  constructor(private readonly inner: ImportStore) {}

  getOutcome: ImportStore['getOutcome'] = (c, i) => this.inner.getOutcome(c, i);
  putOutcome: ImportStore['putOutcome'] = (o) => this.inner.putOutcome(o);
  listOutcomes: ImportStore['listOutcomes'] = (c, s) => this.inner.listOutcomes(c, s);
  getDelivery: ImportStore['getDelivery'] = (c, i, u) => this.inner.getDelivery(c, i, u);
  readDelivery: ImportStore['readDelivery'] = (k) => this.inner.readDelivery(k);
  createDelivery: ImportStore['createDelivery'] = (d) => this.inner.createDelivery(d);

  async replaceDelivery(delivery: MailboxDelivery, etag: string): Promise<string | undefined> {
    if (delivery.status === 'imported' && this.lost === 0) {
      this.lost += 1;
      throw new Error('the table service did not answer');
    }
    return this.inner.replaceDelivery(delivery, etag);
  }

  async replaceDeliveryWithOutcome(delivery: MailboxDelivery, etag: string, outcome: ItemOutcome): Promise<boolean> {
    if (this.lost === 0) {
      this.lost += 1;
      throw new Error('the table service did not answer');
    }
    return this.inner.replaceDeliveryWithOutcome(delivery, etag, outcome);
  }
}

/**
 * The store as a process sees it that dies right after Graph created the message: from the
 * `imported` record on, no write reaches the table (nor the release after it), so its claim stays
 * as it was, held until its lease runs out.
 */
export class DiesAfterCreate implements ImportStore {
  died = false;

  constructor(private readonly inner: ImportStore) {}

  getOutcome: ImportStore['getOutcome'] = (c, i) => this.inner.getOutcome(c, i);
  listOutcomes: ImportStore['listOutcomes'] = (c, s) => this.inner.listOutcomes(c, s);
  getDelivery: ImportStore['getDelivery'] = (c, i, u) => this.inner.getDelivery(c, i, u);
  readDelivery: ImportStore['readDelivery'] = (k) => this.inner.readDelivery(k);
  createDelivery: ImportStore['createDelivery'] = (d) => this.inner.createDelivery(d);

  async putOutcome(outcome: ItemOutcome): Promise<void> {
    if (this.died) throw new Error('the process is gone');
    await this.inner.putOutcome(outcome);
  }

  async replaceDelivery(delivery: MailboxDelivery, etag: string): Promise<string | undefined> {
    if (delivery.status === 'imported') this.died = true;
    if (this.died) throw new Error('the process is gone');
    return this.inner.replaceDelivery(delivery, etag);
  }

  replaceDeliveryWithOutcome(): Promise<boolean> {
    this.died = true;
    return Promise.reject(new Error('the process is gone'));
  }
}
