import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RestError, type BlobServiceClient, type BlockBlobClient, type ContainerClient } from '@azure/storage-blob';
import { ATTACHMENT_METADATA } from '../archive/blob-archive-store';
import { attachmentBlobName, encodeBlobNameSegment, itemBlobName } from '../archive/blob-names';
import { IntegrityVerifier } from '../archive/integrity-verifier';
import { toStoredItem } from '../archive/stored-item';
import type { ConnectorStore } from '../connectors/connector-store';
import { connectorTransport, type Connector } from '../connectors/connector';
import { isProduct, type Product } from '../items/item-catalog';
import { ItemValidationError } from '../items/item-validation-error';
import { parseArchivedItem } from '../items/parse-archived-item';
import { parseRegionCode, type RegionCode } from '../mapping/phone-number';
import { Containers } from '../platform/storage/storage-names';
import type { ArchiveItem } from '../telemessage/archive-source';
import { DropRefusedError } from './drop-errors';
import { DEFAULT_DROP_LIMITS, type DropLimits } from './drop-limits';
import { checkDropManifest, findDropContents, parseDropManifest } from './drop-manifest';
import { emlToArchiveItem } from './eml-archive-item';
import { discardAttachment, readEmlMessage, type AttachmentSink } from './eml-message';
import { ZipArchive } from './zip-archive';
import { EML_DROP_CONTAINER } from './drop-zone';

export { EML_DROP_CONTAINER } from './drop-zone';

export interface EmlDropServiceOptions {
  readonly connectors: ConnectorStore;
  /** The app's storage account: `archive-items`, `archive-attachments`, `quarantine`. */
  readonly blobs: BlobServiceClient;
  readonly limits?: Partial<DropLimits>;
  readonly clock?: () => Date;
}

export type DropStatus = 'imported' | 'quarantined' | 'ignored';

export interface DropOutcome {
  readonly blobName: string;
  readonly connectorId: string | undefined;
  readonly status: DropStatus;
  /** EML files in the ZIP. */
  readonly messages: number;
  /** Items this call wrote (their JSON triggers the import stage). */
  readonly stored: number;
  /** Items found already stored: a ZIP delivered again, or a message in two ZIPs. */
  readonly alreadyStored: number;
  /** Why the ZIP was quarantined or ignored. */
  readonly reason?: string;
  /** Where the quarantined copy is, in container `quarantine`. */
  readonly quarantinedAs?: string;
}

interface PlannedItem {
  readonly entry: string;
  readonly item: ArchiveItem;
}

/**
 * The EML transport's import: a ZIP that TeleMessage delivered over SFTP into the drop container
 * becomes the same stored items the fetch stage writes, and the import stage takes them from there.
 *
 * All or nothing: the whole ZIP is checked first (structure and limits, the manifest's rules,
 * every EML parsed and turned into a valid item, attachments hashed), and only then is anything
 * written; a ZIP that fails any check is quarantined with the reason and nothing of it is
 * imported. Writing is the fetch stage's: attachments first (committed only with the size and
 * SHA-256 the check found), the item JSON last with If-None-Match: *, so a ZIP delivered twice,
 * or an invocation retried half-way, stores nothing twice and imports nothing twice.
 */
export class EmlDropService {
  readonly #connectors: ConnectorStore;
  readonly #items: ContainerClient;
  readonly #attachments: ContainerClient;
  readonly #quarantine: ContainerClient;
  readonly #limits: DropLimits;
  readonly #clock: () => Date;

  constructor(options: EmlDropServiceOptions) {
    this.#connectors = options.connectors;
    this.#items = options.blobs.getContainerClient(Containers.items);
    this.#attachments = options.blobs.getContainerClient(Containers.attachments);
    this.#quarantine = options.blobs.getContainerClient(Containers.quarantine);
    this.#limits = { ...DEFAULT_DROP_LIMITS, ...options.limits };
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Imports one delivered blob, named `{connectorId}/{file}` in the drop container. */
  async importDrop(blobName: string, bytes: Buffer): Promise<DropOutcome> {
    const slash = blobName.indexOf('/');
    const connectorId = slash > 0 ? blobName.slice(0, slash) : undefined;
    const base = { blobName, connectorId, messages: 0, stored: 0, alreadyStored: 0 };
    // SFTP clients upload under temporary names and rename; only the finished .zip counts.
    if (connectorId === undefined || !/\.zip$/i.test(blobName)) {
      return { ...base, status: 'ignored', reason: 'Not a .zip in a connector folder ({connectorId}/{name}.zip).' };
    }
    const connector = await this.#connectors.tryGet(connectorId);
    const refusal =
      connector === undefined
        ? `There is no connector "${connectorId}".`
        : connectorTransport(connector) !== 'eml-drop'
          ? `Connector "${connectorId}" fetches through the archive API, not from EML exports.`
          : !isProduct(connector.product)
            ? `Connector "${connectorId}" has an unknown product ${JSON.stringify(connector.product)}.`
            : undefined;
    if (refusal !== undefined) return this.#quarantineZip(base, connectorId, blobName, bytes, refusal);
    const product = (connector as Connector).product as Product;
    const region = parseRegionCode((connector as Connector).defaultRegion);

    let zip: ZipArchive | undefined;
    try {
      zip = await ZipArchive.open(bytes, this.#limits);
      const plan = await this.#check(zip, product, region);
      let stored = 0;
      let alreadyStored = 0;
      for (const planned of plan) {
        if (await this.#store(zip, connectorId, product, region, planned)) stored++;
        else alreadyStored++;
      }
      return { ...base, status: 'imported', messages: plan.length, stored, alreadyStored };
    } catch (error) {
      if (error instanceof DropRefusedError) return this.#quarantineZip(base, connectorId, blobName, bytes, error.message);
      throw error;
    } finally {
      zip?.close();
    }
  }

  /** Every check, nothing written: returns the items to store, in ZIP order, once each. */
  async #check(zip: ZipArchive, product: Product, region: RegionCode): Promise<PlannedItem[]> {
    const contents = findDropContents(zip.entries);
    const manifestBytes = await readSmall(await zip.openEntry(contents.manifestEntry), this.#limits.maxManifestBytes, contents.manifestEntry);
    const manifest = parseDropManifest(contents.manifestEntry, new TextDecoder('utf-8').decode(manifestBytes));
    checkDropManifest(manifest, contents);
    const plan: PlannedItem[] = [];
    const seen = new Set<string>();
    for (const entry of contents.emlEntries) {
      const item = await this.#readItem(zip, entry.name, product, region, discardAttachment);
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      plan.push({ entry: entry.name, item });
    }
    return plan;
  }

  async #readItem(zip: ZipArchive, entry: string, product: Product, region: RegionCode, sink: AttachmentSink): Promise<ArchiveItem> {
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    const source = await zip.openEntry(entry);
    let message;
    try {
      const parsing = readEmlMessage(hashing, sink);
      await Promise.all([pipeline(source, hashing), parsing]);
      message = await parsing;
    } catch (error) {
      if (error instanceof DropRefusedError || isStorageError(error)) throw error;
      throw new DropRefusedError('eml-unreadable', `The EML cannot be read (${error instanceof Error ? error.message : String(error)}).`, entry);
    }
    const item = emlToArchiveItem(message, { product, defaultRegion: region, entry, emlSha256: hash.digest('hex') });
    try {
      // The import stage's own validation: what passes here, it takes unchanged.
      parseArchivedItem(item, { expectedProduct: product });
    } catch (error) {
      if (error instanceof ItemValidationError) throw new DropRefusedError('eml-unreadable', `It makes no valid item: ${error.message}`, entry);
      throw error;
    }
    return item;
  }

  /** Stores one checked item as the fetch stage would; false when it was stored before. */
  async #store(zip: ZipArchive, connectorId: string, product: Product, region: RegionCode, planned: PlannedItem): Promise<boolean> {
    const { item } = planned;
    const itemBlob = this.#items.getBlockBlobClient(itemBlobName(connectorId, item.id));
    if (await itemBlob.exists()) return false;
    const expected = new Map((item.attachments as { id: string; size: number; sha256: string }[]).map((a) => [a.id, a]));
    await this.#readItem(zip, planned.entry, product, region, async (attachment, content) => {
      const ref = expected.get(String(attachment.index));
      if (ref === undefined) throw new DropRefusedError('eml-unreadable', 'The EML changed between its check and its import.', planned.entry);
      const blob = this.#attachments.getBlockBlobClient(attachmentBlobName(connectorId, item.id, ref.id));
      if (await isStoredAlready(blob, ref)) {
        await discardAttachment(attachment, content);
        return;
      }
      const verifier = new IntegrityVerifier({ itemId: item.id, attachmentId: ref.id, expectedSize: ref.size, expectedSha256: ref.sha256 });
      const body = new PassThrough();
      const upload = blob.uploadStream(body, 2 * 1024 * 1024, 2, {
        blobHTTPHeaders: { blobContentType: attachment.contentType },
        metadata: { [ATTACHMENT_METADATA.size]: String(ref.size), [ATTACHMENT_METADATA.sha256]: ref.sha256 },
      });
      await Promise.all([pipeline(content, verifier, body), upload]);
    });
    const json = Buffer.from(JSON.stringify(toStoredItem(item, { version: 1, connectorId, product, missingAttachments: [] })), 'utf8');
    try {
      await itemBlob.upload(json, json.length, { conditions: { ifNoneMatch: '*' }, blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' } });
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) return false;
      throw error;
    }
    return true;
  }

  async #quarantineZip(base: Omit<DropOutcome, 'status'>, connectorId: string, blobName: string, bytes: Buffer, reason: string): Promise<DropOutcome> {
    await this.#quarantine.createIfNotExists();
    const name = `${EML_DROP_CONTAINER}/${encodeBlobNameSegment(connectorId)}/${encodeBlobNameSegment(blobName.slice(connectorId.length + 1))}`;
    await this.#quarantine.getBlockBlobClient(name).uploadData(bytes, {
      // Blob metadata is ASCII: keep the reason readable but safe.
      metadata: { reason: reason.replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 1024), quarantinedat: this.#clock().toISOString() },
      blobHTTPHeaders: { blobContentType: 'application/zip' },
    });
    return { ...base, status: 'quarantined', reason, quarantinedAs: name };
  }
}

async function readSmall(stream: Readable, limit: number, entry: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new DropRefusedError('manifest-unreadable', `The manifest is larger than ${limit} bytes.`, entry);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function isStoredAlready(blob: BlockBlobClient, ref: { size: number; sha256: string }): Promise<boolean> {
  try {
    const properties = await blob.getProperties();
    return properties.contentLength === ref.size && properties.metadata?.[ATTACHMENT_METADATA.sha256] === ref.sha256;
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return false;
    throw error;
  }
}

function isStorageError(error: unknown): boolean {
  return error instanceof RestError;
}
