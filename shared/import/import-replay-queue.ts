import type { QueueClient } from '@azure/storage-queue';
import { itemBlobName } from '../archive/blob-names';
import { HostQueueSender } from '../platform/storage/host-queue';

/**
 * A request to import a stored item again (after its mapping was fixed, say). The raw archive is
 * write-once, so a replay is a message naming the blob rather than a rewrite of the blob.
 */
export interface ImportReplayRequest {
  connectorId: string;
  itemId: string;
  /** The item's blob in `archive-items`. */
  blobName: string;
}

export class InvalidReplayRequestError extends Error {
  override readonly name = 'InvalidReplayRequestError';
}

/** Checks a replay message as the queue trigger hands it over (parsed JSON, or a string if not JSON). */
export function parseImportReplayRequest(message: unknown): ImportReplayRequest {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new InvalidReplayRequestError('A replay message must be a JSON object { connectorId, itemId, blobName }');
  }
  const record = message as Record<string, unknown>;
  for (const field of ['connectorId', 'itemId', 'blobName'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      throw new InvalidReplayRequestError(`Replay message: "${field}" must be a non-empty string`);
    }
  }
  const request = { connectorId: record.connectorId as string, itemId: record.itemId as string, blobName: record.blobName as string };
  if (itemBlobName(request.connectorId, request.itemId) !== request.blobName) {
    throw new InvalidReplayRequestError(`Replay message: "blobName" is not the blob of item ${JSON.stringify(request.itemId)} of connector ${JSON.stringify(request.connectorId)}`);
  }
  return request;
}

export interface ImportReplayQueue {
  enqueue(request: ImportReplayRequest): Promise<void>;
}

/** The `import-replays` queue; base64 JSON, the encoding the Functions host decodes. */
export class StorageImportReplayQueue implements ImportReplayQueue {
  readonly #sender: HostQueueSender<ImportReplayRequest>;

  constructor(queue: QueueClient) {
    this.#sender = new HostQueueSender(queue);
  }

  enqueue(request: ImportReplayRequest): Promise<void> {
    return this.#sender.send(request);
  }
}
