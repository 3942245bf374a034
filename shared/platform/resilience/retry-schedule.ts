import type { RetryPolicy } from './retry-policy';
import { sleep } from './sleep';

/**
 * One operation's attempts under a {@link RetryPolicy}: how many have failed, how much of the
 * time budget is left, and the wait before the next. Loops that must do something between
 * attempts (look up whether a lost create took effect, make a whole mailbox back off) use it
 * directly; the rest use `RetryPolicy.run`. A schedule may be handed down to an inner call so
 * that nested retries share one budget instead of multiplying.
 */
export class RetrySchedule {
  #failures = 0;
  #exhaustedBecause: string | undefined;
  readonly #started: number;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly now: () => number,
    readonly signal: AbortSignal | undefined,
  ) {
    this.#started = now();
  }

  /** The stage whose budget this schedule spends, named in errors. */
  get stage(): string {
    return this.policy.stage;
  }

  /** Failed attempts so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Why the last {@link next} or {@link backOff} allowed no further attempt. */
  get exhaustedBecause(): string | undefined {
    return this.#exhaustedBecause;
  }

  /**
   * Counts a failed attempt and returns the wait before the next one, or undefined when no
   * attempt is left or the wait would end past the stage's budget (see {@link exhaustedBecause}).
   * For a caller that waits in its own way (a limiter's shared back-off).
   */
  next(retryAfterMs?: number): number | undefined {
    this.#failures += 1;
    const { maxAttempts, budgetMs } = this.policy.options;
    const stage = this.policy.stage;
    if (this.#failures >= maxAttempts) {
      this.#exhaustedBecause = `${this.#failures} attempt${this.#failures === 1 ? '' : 's'} made, the most the ${stage} stage allows`;
      return undefined;
    }
    const delayMs = this.policy.delayMs(this.#failures, retryAfterMs);
    const elapsed = this.now() - this.#started;
    if (elapsed + delayMs > budgetMs) {
      this.#exhaustedBecause =
        `waiting ${delayMs} ms more after ${elapsed} ms would pass the ${stage} stage's budget of ${budgetMs} ms (${this.#failures} attempt${this.#failures === 1 ? '' : 's'} made)`;
      return undefined;
    }
    return delayMs;
  }

  /**
   * Waits `ms` for something that is not a failure — a shared resource to free up, such as a
   * mailbox's place among its 4 concurrent requests — without counting an attempt: true after
   * the wait, false at once when the wait would end past the stage's budget (see
   * {@link exhaustedBecause}). Rejects with the signal's reason when it aborts mid-wait.
   */
  async wait(ms: number, what: string): Promise<boolean> {
    this.signal?.throwIfAborted();
    const elapsed = this.now() - this.#started;
    if (elapsed + ms > this.policy.options.budgetMs) {
      this.#exhaustedBecause = `waiting ${Math.round(ms)} ms more for ${what} after ${elapsed} ms would pass the ${this.policy.stage} stage's budget of ${this.policy.options.budgetMs} ms`;
      return false;
    }
    await sleep(ms, this.signal);
    return true;
  }

  /**
   * Counts a failed attempt and waits before the next one: true after the wait, false at once
   * when none is left. Rejects with the signal's reason when it aborts mid-wait.
   */
  async backOff(retryAfterMs?: number): Promise<boolean> {
    this.signal?.throwIfAborted();
    const delayMs = this.next(retryAfterMs);
    if (delayMs === undefined) return false;
    await sleep(delayMs, this.signal);
    return true;
  }
}
