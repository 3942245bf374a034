import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { DropZoneStorageConfig, StorageConfig } from '../settings/app-config';
import { storageSdkOptions } from './storage-sdk-options';

/** Every storage client of the app is built here, with the SDK retries of the one policy. */
const SDK = storageSdkOptions();

/**
 * One factory for the three storage services, so every stage reaches the same account the
 * host's triggers watch, whether by connection string (locally) or managed identity (Azure).
 */
export class StorageClients {
  readonly blobs: BlobServiceClient;
  readonly queues: QueueServiceClient;
  readonly #table: (name: string) => TableClient;

  /**
   * @param credential for identity-based storage (asked for only then): the app's one managed
   *   identity, or the administrator's own credential when the admin commands run outside Azure.
   */
  constructor(config: StorageConfig, credential?: () => TokenCredential) {
    if (config.kind === 'connection-string') {
      // `UseDevelopmentStorage=true` is passed as it is: each SDK knows Azurite's endpoints and key.
      const cs = config.connectionString;
      this.blobs = BlobServiceClient.fromConnectionString(cs, SDK.blob);
      this.queues = QueueServiceClient.fromConnectionString(cs, SDK.queue);
      this.#table = (name) => TableClient.fromConnectionString(cs, name, { ...SDK.table, allowInsecureConnection: cs.includes('http://') });
    } else {
      if (credential === undefined) {
        throw new TypeError(`Storage account "${config.accountName}" is reached by identity, and no credential was given for it`);
      }
      const identity = credential();
      const uri = (service: 'blob' | 'queue' | 'table'): string =>
        config.serviceUris?.[service] ?? `https://${config.accountName}.${service}.core.windows.net`;
      this.blobs = new BlobServiceClient(uri('blob'), identity, SDK.blob);
      this.queues = new QueueServiceClient(uri('queue'), identity, SDK.queue);
      this.#table = (name) => new TableClient(uri('table'), name, identity, SDK.table);
    }
  }

  table(name: string): TableClient {
    return this.#table(name);
  }

  /** Queue messages are base64: the Functions host decodes them before the trigger sees them. */
  queue(name: string): QueueClient {
    return this.queues.getQueueClient(name);
  }
}

/**
 * The blob service of the SFTP drop zone's account, reached the way the importEmlDrop trigger
 * reaches it (the `DropZoneStorage` connection); without one, the pipeline's own account.
 * `UseDevelopmentStorage=true` goes to the SDK as it is; an identity-based account is reached
 * with the caller's credential (the app's one managed identity, or the administrator's).
 */
export function dropZoneBlobService(config: DropZoneStorageConfig | undefined, pipeline: StorageClients, credential: () => TokenCredential): BlobServiceClient {
  if (config === undefined) return pipeline.blobs;
  if (config.kind === 'connection-string') return BlobServiceClient.fromConnectionString(config.connectionString, SDK.blob);
  return new BlobServiceClient(config.blobServiceUri, credential(), SDK.blob);
}

/**
 * Whether the app runs in local development: its storage is the local emulator (`UseDevelopmentStorage=true`,
 * or a connection string whose every endpoint is on loopback, as Azurite's are). Storage in Azure
 * is never on loopback, so this cannot be true of a deployed app by mistake. It is what allows a
 * TeleMessage base URL on loopback (the local simulator).
 */
export function isLocalDevelopmentStorage(config: StorageConfig): boolean {
  if (config.kind !== 'connection-string') return false;
  const parts = config.connectionString.split(';').map((part) => part.trim());
  // The emulator's shorthand stands for Azurite's loopback endpoints; the SDKs expand it themselves.
  if (parts.some((part) => /^UseDevelopmentStorage=true$/i.test(part))) return true;
  const endpoints = parts
    .map((part) => /^(?:Blob|Queue|Table)Endpoint=(.+)$/i.exec(part)?.[1])
    .filter((value): value is string => value !== undefined);
  return (
    endpoints.length > 0 &&
    endpoints.every((value) => {
      try {
        const host = new URL(value).hostname;
        return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
      } catch {
        return false;
      }
    })
  );
}
