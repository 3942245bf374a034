import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { StorageConfig } from '../settings/app-config';

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
      this.blobs = BlobServiceClient.fromConnectionString(cs);
      this.queues = QueueServiceClient.fromConnectionString(cs);
      this.#table = (name) => TableClient.fromConnectionString(cs, name, { allowInsecureConnection: cs.includes('http://') });
    } else {
      if (credential === undefined) {
        throw new TypeError(`Storage account "${config.accountName}" is reached by identity, and no credential was given for it`);
      }
      const identity = credential();
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
