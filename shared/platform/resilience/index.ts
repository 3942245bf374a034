export { RetryPolicy, validateRetryOptions, type RetryOptions, type RetryPolicyOptions, type RetryVerdict } from './retry-policy';
export { RetrySchedule } from './retry-schedule';
export { RetryBudgetExhaustedError } from './retry-budget-exhausted-error';
export { RETRY_BUDGETS } from './stage-budgets';
export { retryAfterMs, parseRetryAfter, type HeaderSource } from './retry-after';
export { jitteredBackoffMs, retryAfterWithJitterMs, type BackoffOptions } from './backoff';
export { sleep } from './sleep';
