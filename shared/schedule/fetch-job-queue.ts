import type { QueueClient } from '@azure/storage-queue';
import type { FetchJob } from './fetch-job';

export interface FetchJobQueue {
  enqueue(job: FetchJob): Promise<void>;
}

/** The `fetch-jobs` queue. Messages are base64 JSON, the encoding the Functions host decodes. */
export class StorageFetchJobQueue implements FetchJobQueue {
  #ensured: Promise<unknown> | undefined;

  constructor(private readonly queue: QueueClient) {}

  async enqueue(job: FetchJob): Promise<void> {
    this.#ensured ??= this.queue.createIfNotExists();
    await this.#ensured;
    await this.queue.sendMessage(Buffer.from(JSON.stringify(job), 'utf8').toString('base64'));
  }
}
