import type { Readable } from 'node:stream';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { attachmentBlobName, decodeBlobNameSegment, itemBlobName, parseItemBlobName } from './blob-names';
import { ARCHIVE_METADATA_FIELD, type ArchiveMetadata, type MissingAttachment } from './stored-item';
import { ItemValidationError } from '../items';
import { Containers } from '../platform/storage/storage-names';

/** What the import stage reads from and writes beside the fetch stage's blobs. */
export interface StoredItemAccess {
  openAttachment(connectorId: string, itemId: string, attachmentId: string): Promise<Readable>;
  /**
   * Keeps a refused item, with the reason, where an administrator can find it: container
   * `quarantine`, under the item's own blob name. Returns that name.
   */
  quarantine(connectorId: string, itemId: string, bytes: Uint8Array, reason: string): Promise<string>;
}

export class BlobStoredItemAccess implements StoredItemAccess {
  readonly #attachments: ContainerClient;
  readonly #quarantine: ContainerClient;
  readonly #clock: () => Date;
  #quarantineReady: Promise<unknown> | undefined;

  constructor(blobs: BlobServiceClient, options: { clock?: () => Date } = {}) {
    this.#attachments = blobs.getContainerClient(Containers.attachments);
    this.#quarantine = blobs.getContainerClient(Containers.quarantine);
    this.#clock = options.clock ?? (() => new Date());
  }

  async openAttachment(connectorId: string, itemId: string, attachmentId: string): Promise<Readable> {
    const download = await this.#attachments.getBlobClient(attachmentBlobName(connectorId, itemId, attachmentId)).download();
    if (!download.readableStreamBody) throw new Error(`Attachment ${attachmentId} of item ${itemId} has no body`);
    return download.readableStreamBody as Readable;
  }

  async quarantine(connectorId: string, itemId: string, bytes: Uint8Array, reason: string): Promise<string> {
    this.#quarantineReady ??= this.#quarantine.createIfNotExists().catch((err: unknown) => {
      this.#quarantineReady = undefined;
      throw err;
    });
    await this.#quarantineReady;
    // The archive's own encoding: `%` sequences would be decoded by the service into another name.
    const name = itemBlobName(connectorId, itemId);
    // Blob metadata is ASCII: keep the reason readable but safe.
    const safeReason = reason.replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 1024);
    await this.#quarantine.getBlockBlobClient(name).uploadData(bytes, {
      metadata: { reason: safeReason, quarantinedat: this.#clock().toISOString() },
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    return name;
  }
}

/**
 * The archive's own field of a stored item, checked: the import stage must not act on metadata
 * it does not understand. Absent means an item stored without it (nothing known missing).
 */
export function readArchiveMetadata(json: unknown, itemId: string, connectorId: string): ArchiveMetadata | undefined {
  const value = (json as Record<string, unknown>)[ARCHIVE_METADATA_FIELD];
  if (value === undefined) return undefined;
  const fail = (field: string, reason: string): never => {
    throw new ItemValidationError({ itemId, field: `${ARCHIVE_METADATA_FIELD}${field}`, reason });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('', 'must be an object');
  const record = value as Record<string, unknown>;
  if (record.version !== 1) return fail('.version', 'must be 1, the only version this reader knows');
  if (record.connectorId !== undefined && record.connectorId !== connectorId) {
    fail('.connectorId', "does not match the blob name's connector");
  }
  const missing = record.missingAttachments ?? [];
  if (!Array.isArray(missing)) return fail('.missingAttachments', 'must be an array');
  const missingAttachments: MissingAttachment[] = missing.map((entry: unknown, index) => {
    const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' || id === '') return fail(`.missingAttachments[${index}].id`, 'must be a non-empty string');
    return { id, reason: 'not-found' };
  });
  return { ...(record as unknown as ArchiveMetadata), missingAttachments };
}

/**
 * The connector and item an item blob is named after. A name made from an overlong id ends in
 * a hash and cannot be read back: the id then comes from the item itself, and the blob name must
 * be exactly the one the archive makes from that id.
 */
export function itemOfBlobName(blobName: string, bytes: Uint8Array): { connectorId: string; itemId: string } | undefined {
  const parsed = parseItemBlobName(blobName);
  if (parsed) return parsed;
  const match = /^([^/]+)\/([^/]+~~[0-9a-f]{64})\.json$/.exec(blobName);
  const connectorId = match ? decodeBlobNameSegment(match[1] as string) : undefined;
  if (connectorId === undefined) return undefined;
  let id: unknown;
  try {
    id = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
  return typeof id === 'string' && id !== '' && itemBlobName(connectorId, id) === blobName ? { connectorId, itemId: id } : undefined;
}
