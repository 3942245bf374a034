import { RetryPolicy } from './retry-policy';

/**
 * Every retry budget of the app, in one place (docs/architecture.md explains them). Each stage's
 * retries must end well inside what its trigger gives the whole invocation, so that the host's
 * own redelivery (`maxDequeueCount`, a blob's five tries) is the only layer above them:
 *
 * - **fetch**, each TeleMessage call (token, page, download start) and each resumed download:
 *   5 attempts, 0.5 s doubling to 30 s, at most 5 minutes (a request may take 30 s to time out). A window that still fails is retried
 *   by the queue (visibility timeout 30 s, `maxDequeueCount` deliveries).
 * - **import**, each Graph operation, every request of it together (a create, its 429s and its
 *   look-ups; an upload range): 6 attempts, 1 s doubling to 30 s, at most 10 minutes (an
 *   upload range may take 2 minutes to time out). Graph's
 *   Retry-After is honoured; the blob trigger retries the item after that.
 * - **admin**, a command's check against TeleMessage: 2 attempts, 0.5 s to 2 s, at most 45 s —
 *   an administrator is waiting (a request may take 15 s to time out).
 * - **tableConflict**, a read-modify-write of one table row losing to another writer (412):
 *   20 attempts, 20 ms doubling to 1 s, at most 30 s; used by every stage's stores.
 * - **storage**, one request of the Azure Storage SDKs (blob, queue, table), retried by the SDK
 *   itself under every loop above: 3 tries, 0.5 s doubling to 2 s between them. The SDKs take
 *   the attempts and the back-off (`platform/storage/storage-sdk-options.ts`), not the budget:
 *   each try is bounded by the service's own server timeout (30 s for most operations), so the
 *   95 s is what three tries and their waits come to at most, not a limit the SDK enforces.
 */
export const RETRY_BUDGETS = {
  fetch: new RetryPolicy({ stage: 'fetch', maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, budgetMs: 5 * 60_000 }),
  import: new RetryPolicy({ stage: 'import', maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 30_000, budgetMs: 10 * 60_000 }),
  admin: new RetryPolicy({ stage: 'admin', maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 2_000, budgetMs: 45_000 }),
  tableConflict: new RetryPolicy({ stage: 'table conflict', maxAttempts: 20, baseDelayMs: 20, maxDelayMs: 1_000, budgetMs: 30_000 }),
  storage: new RetryPolicy({ stage: 'storage', maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 2_000, budgetMs: 95_000 }),
} as const;
