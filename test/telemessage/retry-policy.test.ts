import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRetryAfterMs, retryDelayMs, sleep, validateRetryOptions } from '../../shared/telemessage/retry-policy';
import { ArchiveWindowError, validateWindow } from '../../shared/telemessage';

const OPTIONS = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('retry policy', () => {
  test('backoff doubles per attempt, is capped, and jitters within its upper half', () => {
    assert.equal(retryDelayMs(1, OPTIONS, undefined, () => 0), 50);
    assert.equal(retryDelayMs(1, OPTIONS, undefined, () => 1), 100);
    assert.equal(retryDelayMs(3, OPTIONS, undefined, () => 1), 400);
    assert.equal(retryDelayMs(10, OPTIONS, undefined, () => 1), 1_000);
    assert.equal(retryDelayMs(10, OPTIONS, undefined, () => 0), 500);
  });

  test('Retry-After is a floor, even above maxDelayMs', () => {
    assert.equal(retryDelayMs(1, OPTIONS, 5_000, () => 0), 5_000);
    assert.ok(retryDelayMs(4, OPTIONS, 2_000, () => 0.99) >= 2_000);
    assert.equal(retryDelayMs(1, OPTIONS, 0, () => 0), 0);
  });

  test('Retry-After is read as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfterMs('3'), 3_000);
    assert.equal(parseRetryAfterMs(' 0 '), 0);
    const now = Date.parse('2026-11-20T14:00:00Z');
    assert.equal(parseRetryAfterMs('Fri, 20 Nov 2026 14:00:07 GMT', now), 7_000);
    assert.equal(parseRetryAfterMs('Fri, 20 Nov 2026 13:00:00 GMT', now), 0);
    assert.equal(parseRetryAfterMs(null), undefined);
    assert.equal(parseRetryAfterMs('soon'), undefined);
    assert.equal(parseRetryAfterMs('-1'), undefined);
  });

  test('bad options are refused with the field named', () => {
    assert.throws(() => validateRetryOptions({ ...OPTIONS, maxAttempts: 0 }), /maxAttempts/);
    assert.throws(() => validateRetryOptions({ ...OPTIONS, baseDelayMs: -1 }), /baseDelayMs/);
    assert.throws(() => validateRetryOptions({ ...OPTIONS, maxDelayMs: 10 }), /maxDelayMs/);
  });

  test('sleep rejects with the signal’s own reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = sleep(60_000, controller.signal);
    controller.abort(reason);
    await assert.rejects(pending, (error: unknown) => error === reason);
  });
});

describe('validateWindow', () => {
  const from = new Date('2026-11-01T00:00:00Z');
  test('accepts up to 31 days', () => {
    validateWindow({ from, to: new Date('2026-12-02T00:00:00Z') });
    validateWindow({ from, to: new Date(from.getTime() + 1) });
  });
  test('refuses empty, reversed, overlong and invalid windows', () => {
    assert.throws(() => validateWindow({ from, to: from }), ArchiveWindowError);
    assert.throws(() => validateWindow({ from, to: new Date('2026-10-31T00:00:00Z') }), /must be earlier/);
    assert.throws(() => validateWindow({ from, to: new Date('2026-12-02T00:00:00.001Z') }), /longer than 31 days/);
    assert.throws(() => validateWindow({ from: new Date('nonsense'), to: from }), /"from" must be a valid Date/);
  });
});
