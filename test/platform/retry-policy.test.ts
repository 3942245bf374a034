import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  RETRY_BUDGETS,
  RetryBudgetExhaustedError,
  RetryPolicy,
  jitteredBackoffMs,
  parseRetryAfter,
  retryAfterMs,
  sleep,
  validateRetryOptions,
} from '../../shared/platform/resilience';

const OPTIONS = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 60_000 };

/** A clock that moves only when told to, so budgets are tested without waiting. */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('retry policy: back-off', () => {
  test('doubles per retry, is capped, and jitters within its upper half', () => {
    assert.equal(jitteredBackoffMs(1, OPTIONS, () => 0), 50);
    assert.equal(jitteredBackoffMs(1, OPTIONS, () => 1), 100);
    assert.equal(jitteredBackoffMs(3, OPTIONS, () => 1), 400);
    assert.equal(jitteredBackoffMs(10, OPTIONS, () => 1), 1_000);
    assert.equal(jitteredBackoffMs(10, OPTIONS, () => 0), 500);
  });

  test('jitter stays within [half, whole] of the exponential wait for any random draw', () => {
    for (let retry = 1; retry <= 8; retry++) {
      const exponential = Math.min(OPTIONS.maxDelayMs, OPTIONS.baseDelayMs * 2 ** (retry - 1));
      for (const r of [0, 0.001, 0.25, 0.5, 0.75, 0.999, Math.random()]) {
        const policy = new RetryPolicy({ stage: 'test', ...OPTIONS, random: () => r });
        const wait = policy.delayMs(retry);
        assert.ok(wait >= exponential / 2 && wait <= exponential, `retry ${retry}, draw ${r}: ${wait} outside [${exponential / 2}, ${exponential}]`);
      }
    }
    // Two draws give two different waits: clients failing together spread out.
    const spread = new Set([0.1, 0.9].map((r) => new RetryPolicy({ stage: 'test', ...OPTIONS, random: () => r }).delayMs(4)));
    assert.equal(spread.size, 2);
  });

  test('Retry-After is a floor, even above maxDelayMs, with at most one base delay of jitter on top', () => {
    const at = (r: number): RetryPolicy => new RetryPolicy({ stage: 'test', ...OPTIONS, random: () => r });
    assert.equal(at(0).delayMs(1, 5_000), 5_000);
    assert.ok(at(0.99).delayMs(4, 2_000) >= 2_000 && at(0.99).delayMs(4, 2_000) <= 2_000 + OPTIONS.baseDelayMs);
    assert.equal(at(0).delayMs(1, 0), 0);
  });

  test('bad options are refused with the field named', () => {
    assert.throws(() => validateRetryOptions({ ...OPTIONS, maxAttempts: 0 }), /maxAttempts/);
    assert.throws(() => validateRetryOptions({ ...OPTIONS, baseDelayMs: -1 }), /baseDelayMs/);
    assert.throws(() => validateRetryOptions({ ...OPTIONS, maxDelayMs: 10 }), /maxDelayMs/);
    assert.throws(() => validateRetryOptions({ ...OPTIONS, budgetMs: 0 }), /budgetMs/);
  });
});

describe('retry policy: Retry-After', () => {
  const now = Date.parse('2026-11-20T14:00:00Z');

  test('in seconds', () => {
    assert.equal(parseRetryAfter('3'), 3_000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    assert.equal(retryAfterMs(new Headers({ 'Retry-After': '7' }), now), 7_000);
  });

  test('as an HTTP-date, from now; a date past asks for no wait', () => {
    assert.equal(parseRetryAfter('Fri, 20 Nov 2026 14:00:07 GMT', now), 7_000);
    assert.equal(parseRetryAfter('Fri, 20 Nov 2026 13:00:00 GMT', now), 0);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Fri, 20 Nov 2026 14:01:00 GMT' }), now), 60_000);
  });

  test('retry-after-ms and x-ms-retry-after-ms, in milliseconds, before Retry-After', () => {
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'Retry-After': '9' }), now), 250);
    assert.equal(retryAfterMs(new Headers({ 'x-ms-retry-after-ms': '1500', 'Retry-After': '9' }), now), 1_500);
  });

  test('absent or unreadable: none', () => {
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter('-1'), undefined);
    assert.equal(retryAfterMs(new Headers(), now), undefined);
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': 'later' }), now), undefined);
    assert.equal(retryAfterMs(undefined, now), undefined);
  });
});

describe('retry policy: attempts and budget', () => {
  test('run retries what the verdict calls transient, and stops at the attempts, saying so', async () => {
    const policy = new RetryPolicy({ stage: 'fetch', ...OPTIONS, maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 });
    let calls = 0;
    await assert.rejects(
      policy.run(async () => {
        calls += 1;
        throw new Error(`503 number ${calls}`);
      }, () => ({ retry: true })),
      (error: unknown) => {
        assert.ok(error instanceof RetryBudgetExhaustedError);
        assert.equal(error.stage, 'fetch');
        assert.equal(error.attempts, 3);
        assert.match(error.message, /^Retry budget of the fetch stage exhausted: 3 attempts made, the most the fetch stage allows; last error: 503 number 3$/);
        assert.equal((error.cause as Error).message, '503 number 3');
        return true;
      },
    );
    assert.equal(calls, 3);
    assert.equal(await policy.run(async (attempt) => attempt, () => ({ retry: true })), 1);
  });

  test('a final failure is not retried', async () => {
    let calls = 0;
    const refused = new Error('400');
    await assert.rejects(new RetryPolicy({ stage: 't', ...OPTIONS }).run(async () => {
      calls += 1;
      throw refused;
    }, () => ({ retry: false })), (error: unknown) => error === refused);
    assert.equal(calls, 1);
  });

  test('budget exhausted: a wait that would end past the stage budget is not started, and the error says so', async () => {
    const clock = manualClock();
    const policy = new RetryPolicy({ stage: 'import', ...OPTIONS, maxAttempts: 100, budgetMs: 10_000, now: clock.now, random: () => 0 });
    const schedule = policy.begin();
    assert.equal(schedule.next(), 50);
    clock.advance(9_000);
    // Retry-After 5 s from 9 s in: would end at 14 s, past the 10 s budget.
    assert.equal(schedule.next(5_000), undefined);
    assert.match(schedule.exhaustedBecause ?? '', /waiting 5000 ms more after 9000 ms would pass the import stage's budget of 10000 ms \(2 attempts made\)/);

    let calls = 0;
    await assert.rejects(
      policy.run(async () => {
        calls += 1;
        clock.advance(4_000);
        throw new Error('429');
      }, () => ({ retry: true, retryAfterMs: 0 })),
      (error: unknown) => error instanceof RetryBudgetExhaustedError && /import stage's budget of 10000 ms/.test(error.message) && /last error: 429/.test(error.message),
    );
    assert.equal(calls, 3, 'attempts at 4 s and 8 s are retried; the one ending at 12 s is the last');
  });

  test('a Retry-After longer than the whole budget ends the attempts at once instead of sleeping', async () => {
    const schedule = new RetryPolicy({ stage: 'admin', ...OPTIONS, budgetMs: 1_000 }).begin();
    assert.equal(await schedule.backOff(60_000), false);
    assert.match(schedule.exhaustedBecause ?? '', /admin stage's budget/);
  });

  test('a wait for a shared resource spends the budget without counting an attempt', async () => {
    const clock = manualClock();
    const schedule = new RetryPolicy({ stage: 'import', ...OPTIONS, maxAttempts: 2, budgetMs: 10_000, now: clock.now }).begin();
    for (let i = 0; i < 5; i++) assert.equal(await schedule.wait(1, 'a free slot'), true);
    assert.equal(schedule.failures, 0, 'waits are not failed attempts');
    clock.advance(9_500);
    assert.equal(await schedule.wait(600, 'a free slot'), false);
    assert.match(schedule.exhaustedBecause ?? '', /waiting 600 ms more for a free slot after 9500 ms would pass the import stage's budget of 10000 ms/);
    assert.equal(schedule.stage, 'import');
  });

  test('every stage has its budget in one place', () => {
    assert.deepEqual(Object.keys(RETRY_BUDGETS).sort(), ['admin', 'fetch', 'import', 'storage', 'tableConflict']);
    for (const policy of Object.values(RETRY_BUDGETS)) {
      assert.ok(Number.isFinite(policy.options.budgetMs) && policy.options.budgetMs > 0, policy.stage);
      assert.ok(Number.isFinite(policy.options.maxAttempts), policy.stage);
    }
  });
});

describe('retry policy: cancellation', () => {
  test('an abort mid-wait ends the wait at once with the signal’s own reason', async () => {
    const controller = new AbortController();
    const reason = new Error('invocation cancelled');
    const schedule = new RetryPolicy({ stage: 'fetch', ...OPTIONS, baseDelayMs: 600_000, maxDelayMs: 600_000, budgetMs: 3_600_000 }).begin(controller.signal);
    const waiting = schedule.backOff();
    controller.abort(reason);
    await assert.rejects(waiting, (error: unknown) => error === reason);
  });

  test('run stops between attempts when the signal aborts during the back-off', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    let calls = 0;
    const running = new RetryPolicy({ stage: 'fetch', ...OPTIONS, baseDelayMs: 600_000, maxDelayMs: 600_000, budgetMs: 3_600_000 }).run(async () => {
      calls += 1;
      // The abort lands while the policy waits before the second attempt.
      queueMicrotask(() => controller.abort(reason));
      throw new Error('503');
    }, () => ({ retry: true }), controller.signal);
    await assert.rejects(running, (error: unknown) => error === reason);
    assert.equal(calls, 1);
  });

  test('an abort ends a wait for a shared resource with the signal’s own reason', async () => {
    const controller = new AbortController();
    const reason = new Error('invocation cancelled');
    const waiting = new RetryPolicy({ stage: 'import', ...OPTIONS, budgetMs: 3_600_000 }).begin(controller.signal).wait(600_000, 'a free slot');
    controller.abort(reason);
    await assert.rejects(waiting, (error: unknown) => error === reason);
  });

  test('an already aborted signal starts no wait', async () => {
    const reason = new Error('gone');
    await assert.rejects(sleep(60_000, AbortSignal.abort(reason)), (error: unknown) => error === reason);
    await assert.rejects(new RetryPolicy({ stage: 't', ...OPTIONS }).begin(AbortSignal.abort(reason)).backOff(), (error: unknown) => error === reason);
  });
});
