/**
 * A retried operation gave up: its attempts or its stage's time budget are spent. The message
 * says which, for which stage, and what the last failure was.
 */
export class RetryBudgetExhaustedError extends Error {
  override readonly name = 'RetryBudgetExhaustedError';

  constructor(
    readonly stage: string,
    /** Why no further attempt is made, e.g. `5 attempts made, the most the fetch stage allows`. */
    readonly reason: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`Retry budget of the ${stage} stage exhausted: ${reason}; last error: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
