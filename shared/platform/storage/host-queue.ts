import type { QueueClient } from '@azure/storage-queue';

/**
 * Sends JSON messages to a queue a Functions queue trigger reads: base64, the encoding the host
 * decodes. The queue is created on first use (the trigger waits for it, it does not create it);
 * a failed create is tried again on the next send instead of being remembered for good.
 */
export class HostQueueSender<T> {
  #ensured: Promise<unknown> | undefined;

  constructor(private readonly queue: QueueClient) {}

  async send(message: T): Promise<void> {
    this.#ensured ??= this.queue.createIfNotExists().catch((error: unknown) => {
      this.#ensured = undefined;
      throw error;
    });
    await this.#ensured;
    await this.queue.sendMessage(Buffer.from(JSON.stringify(message), 'utf8').toString('base64'));
  }
}
