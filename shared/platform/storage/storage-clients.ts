import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential, TokenCredential } from '@azure/identity';
import type { DropZoneStorageConfig, StorageConfig } from '../settings/app-config';

/** Azurite's default endpoints, which `UseDevelopmentStorage=true` stands for. */
const DEVELOPMENT_STORAGE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
  'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
  'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;' +
  'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

/**
 * One factory for the three storage services, so every stage reaches the same account the
 * host's triggers watch, whether by connection string (locally) or managed identity (Azure).
 */
export class StorageClients {
  readonly blobs: BlobServiceClient;
  readonly queues: QueueServiceClient;
  readonly #table: (name: string) => TableClient;

  /**
   * @param credential for identity-based storage: the app's managed identity by default; the
   *   administrator's own credential when the admin commands run outside Azure.
   */
  constructor(config: StorageConfig, credential?: () => TokenCredential) {
    if (config.kind === 'connection-string') {
      const cs = expandConnectionString(config.connectionString);
      this.blobs = BlobServiceClient.fromConnectionString(cs);
      this.queues = QueueServiceClient.fromConnectionString(cs);
      this.#table = (name) => TableClient.fromConnectionString(cs, name, { allowInsecureConnection: cs.includes('http://') });
    } else {
      const identity: TokenCredential = credential?.() ?? new ManagedIdentityCredential(config.clientId ? { clientId: config.clientId } : {});
      const uri = (service: 'blob' | 'queue' | 'table'): string =>
        config.serviceUris?.[service] ?? `https://${config.accountName}.${service}.core.windows.net`;
      this.blobs = new BlobServiceClient(uri('blob'), identity);
      this.queues = new QueueServiceClient(uri('queue'), identity);
      this.#table = (name) => new TableClient(uri('table'), name, identity);
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
 */
export function dropZoneBlobService(config: DropZoneStorageConfig | undefined, pipeline: StorageClients, credential?: () => TokenCredential): BlobServiceClient {
  if (config === undefined) return pipeline.blobs;
  if (config.kind === 'connection-string') return BlobServiceClient.fromConnectionString(expandConnectionString(config.connectionString));
  const identity: TokenCredential = credential?.() ?? new ManagedIdentityCredential(config.clientId ? { clientId: config.clientId } : {});
  return new BlobServiceClient(config.blobServiceUri, identity);
}

export function expandConnectionString(value: string): string {
  return value.trim().replace(/;$/, '') === 'UseDevelopmentStorage=true' ? DEVELOPMENT_STORAGE : value;
}

/**
 * Whether the app runs in local development: its storage is the local emulator (`UseDevelopmentStorage=true`,
 * or a connection string whose every endpoint is on loopback, as Azurite's are). Storage in Azure
 * is never on loopback, so this cannot be true of a deployed app by mistake. It is what allows a
 * TeleMessage base URL on loopback (the local simulator).
 */
export function isLocalDevelopmentStorage(config: StorageConfig): boolean {
  if (config.kind !== 'connection-string') return false;
  const endpoints = expandConnectionString(config.connectionString)
    .split(';')
    .map((part) => /^(?:Blob|Queue|Table)Endpoint=(.+)$/i.exec(part.trim())?.[1])
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
