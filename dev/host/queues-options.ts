import type { HostJson } from './contracts';
import { parseTimeSpan } from './timespan';

/** `host.json` → `extensions.queues` with the storage extension 5.x defaults applied. */
export interface QueuesOptions {
  /** Messages fetched per receive (1-32). */
  batchSize: number;
  /** A new batch is fetched once the messages in flight drop to this number. */
  newBatchThreshold: number;
  /** Failed attempts after which a message (or a blob version) is poisoned. */
  maxDequeueCount: number;
  /** How long a failed message stays invisible before it is retried. */
  visibilityTimeoutMs: number;
  /** Cap of the polling back-off while a queue stays empty. */
  maxPollingIntervalMs: number;
  messageEncoding: 'base64' | 'none';
}

export class HostJsonValueError extends Error {
  override readonly name = 'HostJsonValueError';
  constructor(readonly field: string, readonly value: unknown, cause: string) {
    super(`host.json ${field}: ${JSON.stringify(value)} ${cause}`);
  }
}

/** The host's floor for the polling interval (QueuePollingIntervals.Minimum). */
export const MIN_POLLING_INTERVAL_MS = 100;
const MAX_BATCH_SIZE = 32;

/** Applies defaults and the real host's range checks; throws {@link HostJsonValueError} naming the field. */
export function resolveQueuesOptions(hostJson: HostJson): QueuesOptions {
  const q = hostJson.extensions?.queues ?? {};
  const field = (name: string): string => `extensions.queues.${name}`;

  const batchSize = integerIn(q.batchSize ?? 16, field('batchSize'), 1, MAX_BATCH_SIZE);
  const newBatchThreshold = integerIn(q.newBatchThreshold ?? Math.floor(batchSize / 2), field('newBatchThreshold'), 0, Number.MAX_SAFE_INTEGER);
  const maxDequeueCount = integerIn(q.maxDequeueCount ?? 5, field('maxDequeueCount'), 1, Number.MAX_SAFE_INTEGER);

  const visibilityTimeoutMs = q.visibilityTimeout === undefined ? 0 : parseTimeSpan(q.visibilityTimeout, field('visibilityTimeout'));
  if (visibilityTimeoutMs < 0) throw new HostJsonValueError(field('visibilityTimeout'), q.visibilityTimeout, 'must not be negative');

  const maxPollingIntervalMs = q.maxPollingInterval === undefined ? 60_000 : parseTimeSpan(q.maxPollingInterval, field('maxPollingInterval'));
  if (maxPollingIntervalMs < MIN_POLLING_INTERVAL_MS) {
    throw new HostJsonValueError(field('maxPollingInterval'), q.maxPollingInterval, `must be at least ${MIN_POLLING_INTERVAL_MS} ms ("00:00:00.1")`);
  }

  const encoding = String(q.messageEncoding ?? 'base64').toLowerCase();
  if (encoding !== 'base64' && encoding !== 'none') {
    throw new HostJsonValueError(field('messageEncoding'), q.messageEncoding, 'must be "base64" or "none"');
  }

  return { batchSize, newBatchThreshold, maxDequeueCount, visibilityTimeoutMs, maxPollingIntervalMs, messageEncoding: encoding };
}

function integerIn(value: unknown, field: string, min: number, max: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new HostJsonValueError(field, value, 'must be an integer');
  if (n < min || n > max) {
    throw new HostJsonValueError(field, value, max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`);
  }
  return n;
}

/** `host.json` → `extensions.blobs`, and the queue options the extension derives from it for its blob trigger queue. */
export interface BlobsOptions {
  maxDegreeOfParallelism: number;
  /** Attempts at a blob before it goes to `webjobs-blobtrigger-poison` (default 5). */
  poisonBlobThreshold: number;
  /**
   * SharedBlobQueueListenerFactory.BlobsOptionsToQueuesOptions: batchSize min(32, dop/2+1),
   * newBatchThreshold dop - batchSize, maxDequeueCount poisonBlobThreshold; the rest are
   * QueuesOptions defaults (visibilityTimeout 0, maxPollingInterval 1 min), not extensions.queues.
   */
  queues: QueuesOptions;
}

export function resolveBlobsOptions(hostJson: HostJson, defaultParallelism: number): BlobsOptions {
  const b = hostJson.extensions?.blobs ?? {};
  const maxDegreeOfParallelism = integerIn(b.maxDegreeOfParallelism ?? defaultParallelism, 'extensions.blobs.maxDegreeOfParallelism', 1, Number.MAX_SAFE_INTEGER);
  const poisonBlobThreshold = integerIn(b.poisonBlobThreshold ?? 5, 'extensions.blobs.poisonBlobThreshold', 1, Number.MAX_SAFE_INTEGER);
  const batchSize = Math.min(MAX_BATCH_SIZE, Math.floor(maxDegreeOfParallelism / 2) + 1);
  return {
    maxDegreeOfParallelism,
    poisonBlobThreshold,
    queues: {
      batchSize,
      newBatchThreshold: maxDegreeOfParallelism - batchSize,
      maxDequeueCount: poisonBlobThreshold,
      visibilityTimeoutMs: 0,
      maxPollingIntervalMs: 60_000,
      messageEncoding: 'base64',
    },
  };
}
