import type { TableServiceClientOptions } from '@azure/data-tables';
import { StorageRetryPolicyType, type StoragePipelineOptions as BlobPipelineOptions, type StorageRetryOptions } from '@azure/storage-blob';
import type { StoragePipelineOptions as QueuePipelineOptions } from '@azure/storage-queue';
import { RETRY_BUDGETS, type RetryPolicy } from '../resilience';

/**
 * The options every Azure Storage SDK client of the app is built with. The SDKs retry each
 * request themselves, under the app's own loops; left at their defaults (storage-blob and
 * storage-queue: 4 tries, 4 s growing to 120 s between them; data-tables: 4 tries, 1 s to 64 s)
 * those retries would multiply the stage budgets above them. Here they follow one policy
 * instead (docs/architecture.md, "Retries").
 */
export interface StorageSdkOptions {
  /** `@azure/storage-blob` and `@azure/storage-queue` clients: both run `@azure/storage-common`'s retry policy. */
  readonly blob: BlobPipelineOptions;
  readonly queue: QueuePipelineOptions;
  /** `@azure/data-tables` clients: `@azure/core-rest-pipeline`'s default retry policy. */
  readonly table: TableServiceClientOptions;
}

/**
 * The queue service's own limit on one request, the longest server timeout it accepts; sent as
 * `timeout=30` on each try, as storage-queue does by default.
 */
export const QUEUE_SERVER_TIMEOUT_MS = 30_000;

/**
 * The SDK options for a retry policy's attempts and back-off. Its time budget cannot be handed
 * to the SDKs: each try ends at the service's own server timeout. Blob requests send none, so
 * the service's default holds (30 s, and per megabyte for reading and writing blob data: a
 * shorter one would cut long reads and writes); queue requests send the queue service's 30 s.
 */
export function storageSdkOptions(policy: RetryPolicy = RETRY_BUDGETS.storage): StorageSdkOptions {
  const { maxAttempts, baseDelayMs, maxDelayMs } = policy.options;
  if (!Number.isFinite(maxAttempts)) {
    throw new RangeError(`The ${policy.stage} retry policy must allow a finite number of attempts to configure the storage SDKs, got ${String(maxAttempts)}`);
  }
  // Waits min((2^(n-1) - 1) × base, max) after try n: none before the second try, then base, 3 × base, …
  const storageRetry = (): StorageRetryOptions => ({
    retryPolicyType: StorageRetryPolicyType.EXPONENTIAL,
    maxTries: maxAttempts,
    retryDelayInMs: baseDelayMs,
    maxRetryDelayInMs: maxDelayMs,
  });
  return {
    blob: { retryOptions: storageRetry() },
    // storage-queue writes its 30 s default into the retry options it is given when they name
    // none: named here, so the options are not changed under the clients that share them.
    queue: { retryOptions: { ...storageRetry(), tryTimeoutInMs: QUEUE_SERVER_TIMEOUT_MS } },
    // Waits base × 2^(n-1), capped, with equal jitter; a Retry-After on a 429 or 503 is waited as given.
    table: { retryOptions: { maxRetries: maxAttempts - 1, retryDelayInMs: baseDelayMs, maxRetryDelayInMs: maxDelayMs } },
  };
}
