import type { Client } from '@microsoft/microsoft-graph-client';
import { KeyedLimiter } from '../platform/concurrency/keyed-limiter';
import { RETRY_BUDGETS, type RetrySchedule } from '../platform/resilience';
import { graphRetryAfterMs, graphStatus } from './graph-errors';

/** Graph allows 4 concurrent requests per application per mailbox. */
export const DEFAULT_MAILBOX_CONCURRENCY = 4;

/** What one Graph request costs a mailbox's budgets besides a place among its 4 concurrent requests. */
export interface MailboxRequestCost {
  /** Bytes of the request body (POST, PUT, PATCH): Exchange allows 150 MB per mailbox in 5 minutes. */
  uploadBytes?: number;
}

/**
 * Keeps Graph's per-application, per-mailbox limits: at most 4 requests in flight, 10,000
 * requests per 10 minutes, 150 MB of uploads per 5 minutes, and a 429's Retry-After. Two
 * implementations: {@link KeyedLimiter} for one process (concurrency and back-off), and
 * `TableMailboxLimiter`, which every instance of the app shares through Table Storage.
 */
export interface MailboxLimiter {
  /**
   * Runs one request against `mailbox` once the limits allow it, and frees its place after.
   * Waiting for the place spends `schedule`'s time budget and ends when its signal aborts (by
   * default a fresh schedule of the import stage).
   */
  run<T>(mailbox: string, task: () => Promise<T>, cost?: MailboxRequestCost, schedule?: RetrySchedule): Promise<T>;
  /** Graph answered 429: no request to `mailbox` starts before `untilMs` (ms since the epoch), here or in any instance sharing the limiter. */
  backOff(mailbox: string, untilMs: number): Promise<void>;
}

const limiters = new WeakMap<Client, MailboxLimiter>();

/**
 * The one per-mailbox limiter of a Graph client. Graph counts concurrent requests per
 * application and mailbox, whichever component sends them, so the mailbox writer and the
 * directory's mailbox probe must share a limiter: separate limiters of 4 would together send
 * more than 4. The first caller's `limit` wins; later callers get the same limiter. The app's
 * wiring registers the shared (Table Storage) limiter first with {@link useMailboxLimiter}.
 */
export function mailboxLimiterFor(client: Client, limit: number = DEFAULT_MAILBOX_CONCURRENCY): MailboxLimiter {
  let limiter = limiters.get(client);
  if (limiter === undefined) {
    limiter = new KeyedLimiter(limit);
    limiters.set(client, limiter);
  }
  return limiter;
}

/** Makes `limiter` the one every component using `client` runs its mailbox requests under. */
export function useMailboxLimiter(client: Client, limiter: MailboxLimiter): void {
  limiters.set(client, limiter);
}

/**
 * One mailbox request under the mailbox's limits. A 429 is not this request's alone: the whole
 * mailbox backs off for the wait the retry policy gives (Retry-After honoured), in every
 * instance with the shared limiter, and the request, which Graph refused without doing
 * anything, is sent again while `retries` (the operation's schedule; by default a fresh one of
 * the import stage) allows.
 */
export async function runWithinLimits<T>(
  limiter: MailboxLimiter, mailbox: string, task: () => Promise<T>, cost?: MailboxRequestCost, retries: RetrySchedule = RETRY_BUDGETS.import.begin(),
): Promise<T> {
  for (;;) {
    try {
      return await limiter.run(mailbox, task, cost, retries);
    } catch (err) {
      if (graphStatus(err) !== 429) throw err;
      const waitMs = retries.next(graphRetryAfterMs(err));
      if (waitMs === undefined) throw err;
      // The limiter waits the back-off out before it runs the request again.
      await limiter.backOff(mailbox, Date.now() + waitMs);
    }
  }
}
