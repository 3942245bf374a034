import { randomBytes } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { isStorageError } from './storage-errors';

/**
 * The host's keys, kept where the Functions host keeps them with its default secret storage
 * (`AzureWebJobsSecretStorageType=blob`): `azure-webjobs-secrets/<hostId>/host.json` in the host
 * storage account, in the host's own JSON shape. The first host to need a key creates the file
 * (a conditional create, so instances sharing a host id agree on one set of keys), and whoever
 * must call the host's webhooks reads the key from there, as the deployment reads
 * `listKeys(...).systemKeys.blobs_extension`.
 */
export const SECRETS_CONTAINER = 'azure-webjobs-secrets';

interface StoredKey {
  name: string;
  value: string;
  encrypted: boolean;
}

interface StoredHostSecrets {
  masterKey: StoredKey;
  functionKeys: StoredKey[];
  systemKeys: StoredKey[];
  source?: string;
}

export interface HostKeys {
  masterKey: string;
  /** By name, e.g. `blobs_extension`. */
  systemKeys: Record<string, string>;
}

/** The system key an extension's webhook (`/runtime/webhooks/<extension>`) asks for. */
export function extensionKeyName(extension: string): string {
  return `${extension.toLowerCase()}_extension`;
}

/** Reads the host's keys, creating the file and any missing system key in `systemKeyNames`. */
export async function loadHostKeys(blobs: BlobServiceClient, hostId: string, systemKeyNames: readonly string[] = []): Promise<HostKeys> {
  const container = blobs.getContainerClient(SECRETS_CONTAINER);
  const blob = container.getBlockBlobClient(`${hostId}/host.json`);
  for (let attempt = 0; attempt < 5; attempt++) {
    let stored: StoredHostSecrets | undefined;
    let etag: string | undefined;
    try {
      const body = await blob.downloadToBuffer();
      stored = JSON.parse(body.toString('utf8')) as StoredHostSecrets;
      etag = (await blob.getProperties()).etag;
    } catch (err) {
      if (!isStorageError(err, 404)) throw err;
    }
    const missing = systemKeyNames.filter((name) => !stored?.systemKeys.some((k) => k.name === name));
    if (stored && missing.length === 0) return toKeys(stored);

    const next: StoredHostSecrets = stored ?? { masterKey: newKey('master'), functionKeys: [newKey('default')], systemKeys: [], source: 'runtime' };
    next.systemKeys = [...next.systemKeys, ...missing.map(newKey)];
    try {
      await container.createIfNotExists();
      const text = JSON.stringify(next, null, 2);
      await blob.upload(text, Buffer.byteLength(text), {
        conditions: etag ? { ifMatch: etag } : { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return toKeys(next);
    } catch (err) {
      // Another instance wrote first: read its keys.
      if (!isStorageError(err, 409) && !isStorageError(err, 412)) throw err;
    }
  }
  throw new Error(`Could not create the host keys in ${SECRETS_CONTAINER}/${hostId}/host.json (other writers kept changing it).`);
}

/** The value of a system key, e.g. `blobs_extension`, as a caller of the host's webhook needs it. */
export async function readSystemKey(blobs: BlobServiceClient, hostId: string, name: string): Promise<string> {
  const keys = await loadHostKeys(blobs, hostId, [name]);
  return keys.systemKeys[name]!;
}

function toKeys(stored: StoredHostSecrets): HostKeys {
  return { masterKey: stored.masterKey.value, systemKeys: Object.fromEntries(stored.systemKeys.map((k) => [k.name, k.value])) };
}

function newKey(name: string): StoredKey {
  // The host's keys are 40 bytes, URL-safe base64.
  return { name, value: randomBytes(40).toString('base64url'), encrypted: false };
}

/** The `blobs_extension` key of the host with this id on this storage, for whoever plays Event Grid. */
export async function readBlobsExtensionKey(connectionString: string, hostId: string): Promise<string> {
  return readSystemKey(BlobServiceClient.fromConnectionString(connectionString), hostId, extensionKeyName('blobs'));
}
