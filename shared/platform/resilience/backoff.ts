/** The exponential part of a retry policy. */
export interface BackoffOptions {
  /** The wait before the first retry; doubled for each later one. */
  baseDelayMs: number;
  /** Ceiling for the exponential wait (a server's Retry-After may ask for longer). */
  maxDelayMs: number;
}

/**
 * The wait before retry number `retry` (1-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that many clients failing together do not retry together. The
 * same rule as `@azure/core-rest-pipeline`'s exponential strategy (`calculateRetryDelay`).
 */
export function jitteredBackoffMs(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/**
 * The wait when the server named one: Retry-After is a floor, never shortened, with a little
 * jitter on top (at most one base delay, at most 1 s) so that clients told the same instant
 * do not all return at it.
 */
export function retryAfterWithJitterMs(retryAfterMs: number, options: BackoffOptions, random: () => number = Math.random): number {
  return Math.ceil(retryAfterMs + random() * Math.min(options.baseDelayMs, 1_000));
}
