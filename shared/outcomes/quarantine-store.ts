import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { quarantineBlobName } from '../archive/blob-names';
import { Containers } from '../platform/storage/storage-names';

/** Where refused items are kept: never in the raw archive, which is written once and never changed. */
export interface QuarantineStore {
  /**
   * Keeps a refused item, with the reason, where an administrator can find it: container
   * `quarantine`, under the item's own blob name. Returns that name.
   */
  quarantine(connectorId: string, itemId: string, bytes: Uint8Array, reason: string): Promise<string>;
}

export class BlobQuarantineStore implements QuarantineStore {
  readonly #quarantine: ContainerClient;
  readonly #clock: () => Date;
  #quarantineReady: Promise<unknown> | undefined;

  constructor(blobs: BlobServiceClient, options: { clock?: () => Date } = {}) {
    this.#quarantine = blobs.getContainerClient(Containers.quarantine);
    this.#clock = options.clock ?? (() => new Date());
  }

  async quarantine(connectorId: string, itemId: string, bytes: Uint8Array, reason: string): Promise<string> {
    this.#quarantineReady ??= this.#quarantine.createIfNotExists().catch((err: unknown) => {
      this.#quarantineReady = undefined;
      throw err;
    });
    await this.#quarantineReady;
    // The archive's own encoding: `%` sequences would be decoded by the service into another name.
    const name = quarantineBlobName(connectorId, itemId);
    // Blob metadata is ASCII: keep the reason readable but safe.
    const safeReason = reason.replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 1024);
    await this.#quarantine.getBlockBlobClient(name).uploadData(bytes, {
      metadata: { reason: safeReason, quarantinedat: this.#clock().toISOString() },
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    return name;
  }
}
