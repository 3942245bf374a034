import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { isStorageError } from './storage-errors';

/**
 * Blob receipts: the host's record that a function has dealt with one version (ETag) of one blob,
 * kept as empty blobs in `azure-webjobs-hosts` under
 * `blobreceipts/<hostId>/<functionId>/<etag>/<container>/<blobName>` (the ETag comes before the
 * name because names may contain slashes), like the storage extension's receipts. A receipt is
 * created "incomplete" and leased by whoever processes the version, so two scans or two hosts
 * never run one version at the same time, and a restarted host skips what is settled.
 *
 * The metadata also counts attempts, so a version that keeps failing is poisoned after the same
 * number of tries even across restarts (the real host counts them on its internal queue).
 */

export const HOSTS_CONTAINER = 'azure-webjobs-hosts';
const RECEIPTS_DIRECTORY = 'blobreceipts';

const INCOMPLETE = 'Incomplete';
const ATTEMPTS = 'Attempts';
const POISONED = 'Poisoned';

export interface BlobVersion {
  container: string;
  blobName: string;
  /** The quoted HTTP form, e.g. `"0x8DC..."`. */
  etag: string;
}

export type ReceiptStatus = 'incomplete' | 'completed' | 'poisoned';

export interface ReceiptState {
  status: ReceiptStatus;
  /** Invocations started for this version so far. */
  attempts: number;
}

/** Listing etags come bare, response headers quoted; receipts always use the quoted form. */
export function quoteEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

export class BlobReceiptStore {
  readonly #hosts: ContainerClient;
  readonly #hostId: string;

  constructor(hostsContainer: ContainerClient, hostId: string) {
    this.#hosts = hostsContainer;
    this.#hostId = hostId;
  }

  receipt(functionId: string, version: BlobVersion): BlobReceipt {
    const name = `${this.#directory(functionId)}${quoteEtag(version.etag)}/${version.container}/${version.blobName}`;
    return new BlobReceipt(this.#hosts, this.#hosts.getBlockBlobClient(name));
  }

  /** Versions this function has finished with (completed or poisoned), from one listing. */
  async listSettled(functionId: string): Promise<BlobVersion[]> {
    const directory = this.#directory(functionId);
    const settled: BlobVersion[] = [];
    try {
      for await (const item of this.#hosts.listBlobsFlat({ prefix: directory, includeMetadata: true })) {
        if (readState(item.metadata).status === 'incomplete') continue;
        const rest = item.name.slice(directory.length);
        const [etag, container, ...name] = rest.split('/');
        if (!etag || !container || name.length === 0) continue;
        settled.push({ etag, container, blobName: name.join('/') });
      }
    } catch (err) {
      if (!isStorageError(err, 404)) throw err;
    }
    return settled;
  }

  #directory(functionId: string): string {
    return `${RECEIPTS_DIRECTORY}/${this.#hostId}/${functionId}/`;
  }
}

export class BlobReceipt {
  readonly #hosts: ContainerClient;
  readonly blob: BlockBlobClient;

  constructor(hosts: ContainerClient, blob: BlockBlobClient) {
    this.#hosts = hosts;
    this.blob = blob;
  }

  /** Creates the receipt as incomplete unless it exists (also creates the hosts container). */
  async ensureExists(): Promise<void> {
    try {
      await this.#createIncomplete();
    } catch (err) {
      if (!isStorageError(err, 404)) throw err;
      await this.#hosts.createIfNotExists();
      await this.#createIncomplete();
    }
  }

  /** The receipt under a lease, or `undefined` while someone else holds it. */
  async tryLease(durationSeconds: number): Promise<LeasedBlobReceipt | undefined> {
    try {
      const lease = await this.blob.getBlobLeaseClient().acquireLease(durationSeconds);
      if (!lease.leaseId) return undefined;
      return new LeasedBlobReceipt(this.blob, lease.leaseId, durationSeconds);
    } catch (err) {
      if (isStorageError(err, 409) || isStorageError(err, 404)) return undefined;
      throw err;
    }
  }

  async #createIncomplete(): Promise<void> {
    try {
      await this.blob.upload('', 0, { metadata: { [INCOMPLETE]: 'true' }, conditions: { ifNoneMatch: '*' } });
    } catch (err) {
      // Exists already (leased or not): that is the receipt to use.
      if (isStorageError(err, 409) || isStorageError(err, 412)) return;
      throw err;
    }
  }
}

/** A receipt this process holds; every write goes under the lease. */
export class LeasedBlobReceipt {
  readonly #blob: BlockBlobClient;
  readonly leaseId: string;
  readonly durationSeconds: number;

  constructor(blob: BlockBlobClient, leaseId: string, durationSeconds: number) {
    this.#blob = blob;
    this.leaseId = leaseId;
    this.durationSeconds = durationSeconds;
  }

  async readState(): Promise<ReceiptState> {
    const properties = await this.#blob.getProperties({ conditions: { leaseId: this.leaseId } });
    return readState(properties.metadata);
  }

  async recordAttempt(attempts: number): Promise<void> {
    await this.#setMetadata({ [INCOMPLETE]: 'true', [ATTEMPTS]: String(attempts) });
  }

  async markCompleted(attempts: number): Promise<void> {
    await this.#setMetadata({ [ATTEMPTS]: String(attempts) });
  }

  async markPoisoned(attempts: number): Promise<void> {
    await this.#setMetadata({ [POISONED]: 'true', [ATTEMPTS]: String(attempts) });
  }

  async renew(): Promise<void> {
    await this.#blob.getBlobLeaseClient(this.leaseId).renewLease();
  }

  /** Releases the lease; a lease that expired or a receipt someone deleted is not an error. */
  async release(): Promise<void> {
    try {
      await this.#blob.getBlobLeaseClient(this.leaseId).releaseLease();
    } catch (err) {
      if (isStorageError(err, 404) || isStorageError(err, 409)) return;
      throw err;
    }
  }

  /** Removes the receipt of a version that no longer exists (the blob changed or went away). */
  async delete(): Promise<void> {
    try {
      await this.#blob.delete({ conditions: { leaseId: this.leaseId } });
    } catch (err) {
      if (!isStorageError(err, 404)) throw err;
    }
  }

  async #setMetadata(metadata: Record<string, string>): Promise<void> {
    await this.#blob.setMetadata(metadata, { conditions: { leaseId: this.leaseId } });
  }
}

/** Metadata names come back lower-cased from property reads and as written from listings. */
function readState(metadata: Record<string, string> | undefined): ReceiptState {
  const get = (key: string): string | undefined => {
    if (!metadata) return undefined;
    const found = Object.keys(metadata).find((k) => k.toLowerCase() === key.toLowerCase());
    return found === undefined ? undefined : metadata[found];
  };
  const attempts = Number.parseInt(get(ATTEMPTS) ?? '0', 10);
  const status: ReceiptStatus = get(INCOMPLETE) === 'true' ? 'incomplete' : get(POISONED) === 'true' ? 'poisoned' : 'completed';
  return { status, attempts: Number.isFinite(attempts) && attempts > 0 ? attempts : 0 };
}
