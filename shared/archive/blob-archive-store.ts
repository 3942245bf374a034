import { pipeline } from 'node:stream';
import { RestError, type BlobServiceClient, type BlockBlobClient, type ContainerClient } from '@azure/storage-blob';
import type { ArchiveProduct, ArchiveSource } from '../telemessage/archive-source';
import { isArchiveSourceError } from '../telemessage/archive-source-errors';
import { Containers } from '../platform/storage/storage-names';
import type { ArchiveStore, StoreItemOptions, StoreItemRequest, StoreItemResult } from './archive-store';
import { readAttachmentRefs, type AttachmentRef } from './attachment-refs';
import { attachmentBlobName, itemBlobName } from './blob-names';
import { IntegrityVerifier } from './integrity-verifier';
import { openResumableDownload } from './resumable-download';
import { toStoredItem, type MissingAttachment } from './stored-item';

export interface BlobArchiveStoreOptions {
  blobServiceClient: BlobServiceClient;
  /** Default `archive-items`. */
  itemsContainer?: string;
  /** Default `archive-attachments`. */
  attachmentsContainer?: string;
  /**
   * Size of each staged block. Memory held per upload is about
   * blockSizeBytes × (uploadConcurrency + 1), whatever the attachment's size. Default 2 MiB.
   */
  blockSizeBytes?: number;
  /** Blocks staged in parallel per attachment. Default 2. */
  uploadConcurrency?: number;
  /** Times one attachment download may be resumed after breaking part-way. Default 3. */
  maxResumes?: number;
}

/** Metadata names on attachment blobs: the verified size and lower-case hex SHA-256. */
export const ATTACHMENT_METADATA = { size: 'size', sha256: 'sha256' } as const;

const DEFAULT_BLOCK_SIZE = 2 * 1024 * 1024;
const MAX_BLOCK_SIZE = 4000 * 1024 * 1024;

/**
 * {@link ArchiveStore} on Azure Blob Storage.
 *
 * Attachments are streamed from the source into block blobs: blocks are staged as bytes arrive
 * and the block list is committed only after the whole attachment has passed its size and
 * SHA-256 check, so a wrong or half-downloaded attachment never becomes a blob (staged blocks
 * that are never committed are discarded by the service). The item JSON is written last with
 * If-None-Match: *, so it is created once and never overwritten (an overwrite would trigger
 * the import again).
 */
export class BlobArchiveStore implements ArchiveStore {
  readonly #items: ContainerClient;
  readonly #attachments: ContainerClient;
  readonly #blockSize: number;
  readonly #concurrency: number;
  readonly #maxResumes: number;

  constructor(options: BlobArchiveStoreOptions) {
    this.#items = options.blobServiceClient.getContainerClient(options.itemsContainer ?? Containers.items);
    this.#attachments = options.blobServiceClient.getContainerClient(options.attachmentsContainer ?? Containers.attachments);
    this.#blockSize = positiveInteger(options.blockSizeBytes ?? DEFAULT_BLOCK_SIZE, 'blockSizeBytes', MAX_BLOCK_SIZE);
    this.#concurrency = positiveInteger(options.uploadConcurrency ?? 2, 'uploadConcurrency', 64);
    this.#maxResumes = nonNegativeInteger(options.maxResumes ?? 3, 'maxResumes');
  }

  /** Creates both containers if they are missing (infra creates them in Azure; this serves local runs and tests). */
  async ensureContainers(options: StoreItemOptions = {}): Promise<void> {
    await this.#items.createIfNotExists({ abortSignal: options.signal });
    await this.#attachments.createIfNotExists({ abortSignal: options.signal });
  }

  async storeItem(request: StoreItemRequest, options: StoreItemOptions = {}): Promise<StoreItemResult> {
    const { connectorId, product, item, source } = request;
    const { signal } = options;
    if (typeof connectorId !== 'string' || connectorId === '') throw new TypeError('storeItem: connectorId must be a non-empty string');
    const refs = readAttachmentRefs(item);
    const result: StoreItemResult = {
      itemId: item.id,
      outcome: 'alreadyStored',
      bytes: 0,
      attachments: { stored: 0, alreadyStored: 0, missing: [] },
    };

    const itemBlob = this.#items.getBlockBlobClient(itemBlobName(connectorId, item.id));
    // The JSON is written last, so its presence means the whole item was stored before.
    if (await itemBlob.exists({ abortSignal: signal })) return result;

    const missing: MissingAttachment[] = [];
    for (const ref of refs) {
      const blob = this.#attachments.getBlockBlobClient(attachmentBlobName(connectorId, item.id, ref.id));
      if (await isStoredAlready(blob, ref, signal)) {
        result.attachments.alreadyStored += 1;
        continue;
      }
      try {
        result.bytes += await this.#uploadAttachment(blob, source, product, item.id, ref, signal);
        result.attachments.stored += 1;
      } catch (error) {
        if (isArchiveSourceError(error) && error.reason === 'not-found') {
          missing.push({ id: ref.id, reason: 'not-found' });
          result.attachments.missing.push(ref.id);
          continue;
        }
        // Another run committed the same attachment while this one staged blocks (a commit
        // discards other writers' uncommitted blocks): its verified copy is as good as ours.
        // Or committed it first outright: the write-once commit is refused, and theirs stands.
        if ((isInvalidBlockList(error) || isAlreadyThere(error)) && (await isStoredAlready(blob, ref, signal))) {
          result.attachments.alreadyStored += 1;
          continue;
        }
        throw error;
      }
    }

    const json = JSON.stringify(toStoredItem(item, { version: 1, connectorId, product, missingAttachments: missing }));
    const body = Buffer.from(json, 'utf8');
    try {
      await itemBlob.upload(body, body.length, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
        abortSignal: signal,
      });
    } catch (error) {
      // Another run stored the item meanwhile: theirs stands, nothing is overwritten.
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) return result;
      throw error;
    }
    result.outcome = 'stored';
    result.bytes += body.length;
    return result;
  }

  /** Streams one attachment into `blob`, committing only verified bytes; returns the byte count. */
  async #uploadAttachment(
    blob: BlockBlobClient,
    source: ArchiveSource,
    product: ArchiveProduct,
    itemId: string,
    ref: AttachmentRef,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const download = openResumableDownload({
      source,
      product,
      itemId,
      attachmentId: ref.id,
      expectedSize: ref.size,
      maxResumes: this.#maxResumes,
      signal,
    });
    const verifier = new IntegrityVerifier({ itemId, attachmentId: ref.id, expectedSize: ref.size, expectedSha256: ref.sha256 });
    // A failure anywhere destroys both streams; the upload sees it as the verifier's error and
    // never reaches commitBlockList.
    pipeline(download, verifier, () => undefined);
    try {
      await blob.uploadStream(verifier, this.#blockSize, this.#concurrency, {
        blobHTTPHeaders: { blobContentType: ref.contentType ?? 'application/octet-stream' },
        metadata: { [ATTACHMENT_METADATA.size]: String(ref.size), [ATTACHMENT_METADATA.sha256]: ref.sha256 },
        // The archive is write-once (an immutability policy in Azure): commit only a new blob.
        conditions: { ifNoneMatch: '*' },
        abortSignal: signal,
      });
    } catch (error) {
      verifier.destroy();
      throw error;
    }
    return verifier.bytes;
  }
}

function isAlreadyThere(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412);
}

async function isStoredAlready(blob: BlockBlobClient, ref: AttachmentRef, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    const properties = await blob.getProperties({ abortSignal: signal });
    return (
      properties.contentLength === ref.size &&
      properties.metadata?.[ATTACHMENT_METADATA.size] === String(ref.size) &&
      properties.metadata?.[ATTACHMENT_METADATA.sha256] === ref.sha256
    );
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return false;
    throw error;
  }
}

function isInvalidBlockList(error: unknown): boolean {
  return error instanceof RestError && error.statusCode === 400 && error.code === 'InvalidBlockList';
}

function positiveInteger(value: number, name: string, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`BlobArchiveStore: ${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`BlobArchiveStore: ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}
