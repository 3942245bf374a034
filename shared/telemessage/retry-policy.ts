import { setTimeout as delay } from 'node:timers/promises';

export interface RetryOptions {
  /** Attempts in all, the first included (1 means no retry). */
  maxAttempts: number;
  /** Backoff before the second attempt; doubled for each later one. */
  baseDelayMs: number;
  /** Ceiling for the exponential backoff (a server's Retry-After may ask for longer). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export function validateRetryOptions(options: RetryOptions): RetryOptions {
  const { maxAttempts, baseDelayMs, maxDelayMs } = options;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be an integer of at least 1, got ${String(maxAttempts)}`);
  }
  if (!Number.isFinite(baseDelayMs) || baseDelayMs < 0) {
    throw new RangeError(`retry.baseDelayMs must be a non-negative number, got ${String(baseDelayMs)}`);
  }
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < baseDelayMs) {
    throw new RangeError(`retry.maxDelayMs must be a number no smaller than retry.baseDelayMs, got ${String(maxDelayMs)}`);
  }
  return { maxAttempts, baseDelayMs, maxDelayMs };
}

/**
 * The wait after failed attempt number `attempt` (1-based): exponential, capped, with "equal
 * jitter" (half fixed, half random) so that many clients failing together do not retry together.
 * A server's Retry-After is a floor: the wait is never shorter than it asked.
 */
export function retryDelayMs(attempt: number, options: RetryOptions, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  const backoff = exponential / 2 + random() * (exponential / 2);
  if (retryAfterMs === undefined) return Math.round(backoff);
  // Honour Retry-After exactly as a minimum, plus a little jitter on top of it.
  return Math.ceil(retryAfterMs + random() * Math.min(options.baseDelayMs, 1_000));
}

/** Retry-After as delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone would read "-1" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Waits `ms`, or rejects with the signal's own reason as soon as it aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
