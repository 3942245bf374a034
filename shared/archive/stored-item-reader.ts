import type { Readable } from 'node:stream';
import { RestError, type BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { attachmentBlobName, decodeBlobNameSegment, itemBlobName, parseItemBlobName } from './blob-names';
import { ARCHIVE_METADATA_FIELD, type ArchiveMetadata, type MissingAttachment } from './stored-item';
import { ItemValidationError } from '../items';
import { Containers } from '../platform/storage/storage-names';


/** What the import stage reads of the fetch stage's blobs besides the item itself. */
export interface StoredItemReader {
  openAttachment(connectorId: string, itemId: string, attachmentId: string): Promise<Readable>;
  /** The item's JSON exactly as stored; undefined when there is no such blob. */
  readItem(blobName: string): Promise<Buffer | undefined>;
}

export class BlobStoredItemReader implements StoredItemReader {
  readonly #attachments: ContainerClient;
  readonly #items: ContainerClient;

  constructor(blobs: BlobServiceClient) {
    this.#attachments = blobs.getContainerClient(Containers.attachments);
    this.#items = blobs.getContainerClient(Containers.items);
  }

  async readItem(blobName: string): Promise<Buffer | undefined> {
    try {
      return await this.#items.getBlobClient(blobName).downloadToBuffer();
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async openAttachment(connectorId: string, itemId: string, attachmentId: string): Promise<Readable> {
    const download = await this.#attachments.getBlobClient(attachmentBlobName(connectorId, itemId, attachmentId)).download();
    if (!download.readableStreamBody) throw new Error(`Attachment ${attachmentId} of item ${itemId} has no body`);
    return download.readableStreamBody as Readable;
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
