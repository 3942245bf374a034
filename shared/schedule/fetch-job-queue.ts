import type { QueueClient } from '@azure/storage-queue';
import { HostQueueSender } from '../platform/storage/host-queue';
import type { FetchJob } from './fetch-job';

export interface FetchJobQueue {
  enqueue(job: FetchJob): Promise<void>;
}

/** The `fetch-jobs` queue. Messages are base64 JSON, the encoding the Functions host decodes. */
export class StorageFetchJobQueue implements FetchJobQueue {
  readonly #sender: HostQueueSender<FetchJob>;

  constructor(queue: QueueClient) {
    this.#sender = new HostQueueSender(queue);
  }

  enqueue(job: FetchJob): Promise<void> {
    return this.#sender.send(job);
  }
}
