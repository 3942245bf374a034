import { jitteredBackoffMs, retryAfterWithJitterMs } from './backoff';
import { RetryBudgetExhaustedError } from './retry-budget-exhausted-error';
import { RetrySchedule } from './retry-schedule';

export interface RetryOptions {
  /** Attempts in all, the first included (1 means no retry). */
  maxAttempts: number;
  /** Backoff before the first retry; doubled for each later one. */
  baseDelayMs: number;
  /** Ceiling for the exponential backoff (a server's Retry-After may ask for longer). */
  maxDelayMs: number;
  /**
   * Time one operation may spend, its attempts and waits together: a wait that would end past
   * it is not started. Keeps a stage's retries inside what its trigger allows.
   */
  budgetMs: number;
}

export interface RetryPolicyOptions extends RetryOptions {
  /** The stage the budget belongs to (`fetch`, `import`, `admin`, …), named in errors. */
  stage: string;
  random?: () => number;
  now?: () => number;
}

/** What a failed attempt tells the policy. */
export interface RetryVerdict {
  retry: boolean;
  /** The server's Retry-After, in ms, when it gave one. */
  retryAfterMs?: number;
}

/**
 * The one retry policy of the app: jittered exponential back-off, a server's Retry-After
 * honoured as a floor, a number of attempts and a time budget per operation, cancellation by
 * `AbortSignal`. Each stage has its own numbers (`stage-budgets.ts`); every retry loop of the
 * product, HTTP or not, runs on a {@link RetrySchedule} this policy starts.
 */
export class RetryPolicy {
  readonly stage: string;
  readonly options: Readonly<RetryOptions>;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(options: RetryPolicyOptions) {
    this.stage = options.stage;
    this.options = validateRetryOptions(options);
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** The same policy with some numbers changed (a component's own attempt count, a test's short delays). */
  with(overrides: Partial<RetryOptions> & { random?: () => number; now?: () => number } = {}): RetryPolicy {
    return new RetryPolicy({ stage: this.stage, ...this.options, random: this.#random, now: this.#now, ...overrides });
  }

  /** The wait before retry number `retry` (1-based), Retry-After honoured when given. */
  delayMs(retry: number, retryAfterMs?: number): number {
    return retryAfterMs === undefined
      ? jitteredBackoffMs(retry, this.options, this.#random)
      : retryAfterWithJitterMs(retryAfterMs, this.options, this.#random);
  }

  /** Starts one operation's attempts: its count and its time budget start now. */
  begin(signal?: AbortSignal): RetrySchedule {
    return new RetrySchedule(this, this.#now, signal);
  }

  /**
   * Runs `operation` until it succeeds, `verdict` calls its failure final, or the attempts or
   * the budget are spent ({@link RetryBudgetExhaustedError}, the last failure as its cause).
   */
  async run<T>(operation: (attempt: number) => Promise<T>, verdict: (error: unknown) => RetryVerdict, signal?: AbortSignal): Promise<T> {
    const schedule = this.begin(signal);
    for (;;) {
      signal?.throwIfAborted();
      try {
        return await operation(schedule.failures + 1);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const { retry, retryAfterMs } = verdict(error);
        if (!retry) throw error;
        if (!(await schedule.backOff(retryAfterMs))) {
          throw new RetryBudgetExhaustedError(this.stage, schedule.exhaustedBecause ?? 'no attempt left', schedule.failures, error);
        }
      }
    }
  }
}

export function validateRetryOptions(options: RetryOptions): RetryOptions {
  const { maxAttempts, baseDelayMs, maxDelayMs, budgetMs } = options;
  if (!(Number.isInteger(maxAttempts) || maxAttempts === Infinity) || maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be an integer of at least 1, got ${String(maxAttempts)}`);
  }
  if (!Number.isFinite(baseDelayMs) || baseDelayMs < 0) {
    throw new RangeError(`retry.baseDelayMs must be a non-negative number, got ${String(baseDelayMs)}`);
  }
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < baseDelayMs) {
    throw new RangeError(`retry.maxDelayMs must be a number no smaller than retry.baseDelayMs, got ${String(maxDelayMs)}`);
  }
  if (!(budgetMs > 0)) {
    throw new RangeError(`retry.budgetMs must be a positive number, got ${String(budgetMs)}`);
  }
  return { maxAttempts, baseDelayMs, maxDelayMs, budgetMs };
}
