import { RestError, type ContainerClient } from '@azure/storage-blob';
import { manifestBlobName, sha256Hex, SIGNATURE_FORMAT, type ManifestSignature } from './day-manifest';
import type { UtcDay } from './day-reconciliation';

export interface StoredManifest {
  blobName: string;
  bytes: Buffer;
  sha256: string;
  signature?: ManifestSignature;
}

/**
 * `archive-manifests`: one manifest per connector and day, written once (`If-None-Match: *`),
 * never overwritten or deleted; in Azure the container has the raw archive's immutability policy.
 */
export class BlobManifestStore {
  #ready: Promise<unknown> | undefined;

  constructor(private readonly container: ContainerClient) {}

  /** Writes the manifest (and its signature) unless the day already has one; returns what is stored. */
  async writeOnce(connectorId: string, day: UtcDay, bytes: Buffer, signature?: Omit<ManifestSignature, 'format' | 'manifestBlob' | 'manifestSha256'>): Promise<StoredManifest> {
    await this.#ensure();
    const blobName = manifestBlobName(connectorId, day);
    const sha256 = sha256Hex(bytes);
    if (signature !== undefined) {
      const full: ManifestSignature = { format: SIGNATURE_FORMAT, keyId: signature.keyId, algorithm: signature.algorithm, manifestBlob: blobName, manifestSha256: sha256, signature: signature.signature };
      // The signature first: a manifest is never visible without the signature it was made with.
      if (!(await this.#createOnce(`${blobName.slice(0, -'.json'.length)}.sig.json`, Buffer.from(`${JSON.stringify(full, null, 2)}\n`, 'utf8')))) {
        return (await this.read(connectorId, day)) ?? { blobName, bytes, sha256, signature: full };
      }
    }
    if (!(await this.#createOnce(blobName, bytes))) {
      const existing = await this.read(connectorId, day);
      if (existing !== undefined) return existing;
    }
    return (await this.read(connectorId, day)) ?? { blobName, bytes, sha256 };
  }

  async read(connectorId: string, day: UtcDay): Promise<StoredManifest | undefined> {
    const blobName = manifestBlobName(connectorId, day);
    const bytes = await this.#download(blobName);
    if (bytes === undefined) return undefined;
    const signatureBytes = await this.#download(`${blobName.slice(0, -'.json'.length)}.sig.json`);
    return {
      blobName,
      bytes,
      sha256: sha256Hex(bytes),
      ...(signatureBytes === undefined ? {} : { signature: JSON.parse(signatureBytes.toString('utf8')) as ManifestSignature }),
    };
  }

  async #createOnce(name: string, bytes: Buffer): Promise<boolean> {
    try {
      await this.container.getBlockBlobClient(name).uploadData(bytes, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return true;
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) return false;
      throw error;
    }
  }

  async #download(name: string): Promise<Buffer | undefined> {
    try {
      return await this.container.getBlobClient(name).downloadToBuffer();
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  #ensure(): Promise<unknown> {
    this.#ready ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }
}
