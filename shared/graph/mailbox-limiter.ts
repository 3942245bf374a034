import type { Client } from '@microsoft/microsoft-graph-client';
import { KeyedLimiter } from '../platform/concurrency/keyed-limiter';

/** Graph allows 4 concurrent requests per application per mailbox. */
export const DEFAULT_MAILBOX_CONCURRENCY = 4;

const limiters = new WeakMap<Client, KeyedLimiter>();

/**
 * The one per-mailbox limiter of a Graph client. Graph counts concurrent requests per
 * application and mailbox, whichever component sends them, so the mailbox writer and the
 * directory's mailbox probe must share a limiter: separate limiters of 4 would together send
 * more than 4. The first caller's `limit` wins; later callers get the same limiter.
 */
export function mailboxLimiterFor(client: Client, limit: number = DEFAULT_MAILBOX_CONCURRENCY): KeyedLimiter {
  let limiter = limiters.get(client);
  if (limiter === undefined) {
    limiter = new KeyedLimiter(limit);
    limiters.set(client, limiter);
  }
  return limiter;
}
