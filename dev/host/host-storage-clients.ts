import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient, type StoragePipelineOptions } from '@azure/storage-queue';

/**
 * Short client-side retries: against a stopped Azurite the SDK defaults would keep a start-up or
 * an invocation waiting for a minute before failing.
 */
const PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000, tryTimeoutInMs: 30_000 } };

/**
 * Storage clients shared by the host's own storage work (output bindings, timer schedule
 * status), one per connection string, with each queue and container created once.
 */
export class HostStorageClients {
  readonly #blobServices = new Map<string, BlobServiceClient>();
  readonly #queueServices = new Map<string, QueueServiceClient>();
  readonly #ensured = new Map<string, Promise<void>>();

  blobService(connectionString: string): BlobServiceClient {
    let client = this.#blobServices.get(connectionString);
    if (!client) {
      client = BlobServiceClient.fromConnectionString(connectionString, PIPELINE);
      this.#blobServices.set(connectionString, client);
    }
    return client;
  }

  queueService(connectionString: string): QueueServiceClient {
    let client = this.#queueServices.get(connectionString);
    if (!client) {
      client = QueueServiceClient.fromConnectionString(connectionString, PIPELINE);
      this.#queueServices.set(connectionString, client);
    }
    return client;
  }

  /** The queue, created if missing (as the queue output binding does). */
  async queue(connectionString: string, queueName: string): Promise<QueueClient> {
    const client = this.queueService(connectionString).getQueueClient(queueName);
    await this.#ensure(`queue|${connectionString}|${queueName}`, async () => {
      await client.createIfNotExists();
    });
    return client;
  }

  /** The container, created if missing (as the blob output binding does). */
  async container(connectionString: string, containerName: string): Promise<ContainerClient> {
    const client = this.blobService(connectionString).getContainerClient(containerName);
    await this.#ensure(`container|${connectionString}|${containerName}`, async () => {
      await client.createIfNotExists();
    });
    return client;
  }

  async #ensure(key: string, create: () => Promise<void>): Promise<void> {
    let pending = this.#ensured.get(key);
    if (!pending) {
      pending = create();
      this.#ensured.set(key, pending);
      // A failed creation is retried by the next caller rather than cached.
      pending.catch(() => this.#ensured.delete(key));
    }
    await pending;
  }
}
