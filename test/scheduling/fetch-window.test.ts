import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitIntoDailyWindows } from '../../shared/schedule/fetch-window';
import { parseFetchJob, InvalidFetchJobError } from '../../shared/schedule/fetch-job';

test('a window is split at UTC midnights, contiguous, covering exactly [from, to)', () => {
  const w = splitIntoDailyWindows(new Date('2026-11-18T22:30:00Z'), new Date('2026-11-21T06:00:00Z'));
  assert.deepEqual(w, [
    { from: '2026-11-18T22:30:00.000Z', to: '2026-11-19T00:00:00.000Z' },
    { from: '2026-11-19T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z' },
    { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' },
    { from: '2026-11-21T00:00:00.000Z', to: '2026-11-21T06:00:00.000Z' },
  ]);
});

test('an empty or inverted interval gives no window', () => {
  assert.deepEqual(splitIntoDailyWindows(new Date('2026-11-20T00:00:00Z'), new Date('2026-11-20T00:00:00Z')), []);
  assert.deepEqual(splitIntoDailyWindows(new Date('2026-11-21T00:00:00Z'), new Date('2026-11-20T00:00:00Z')), []);
});

test('a fetch job message is validated field by field', () => {
  const ok = { connectorId: 'att', runId: 'r1', from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' };
  assert.deepEqual(parseFetchJob(ok), ok);
  assert.throws(() => parseFetchJob('hello'), /message is not a JSON object/);
  assert.throws(() => parseFetchJob({ ...ok, connectorId: '' }), (e: unknown) => e instanceof InvalidFetchJobError && e.field === 'connectorId');
  assert.throws(() => parseFetchJob({ ...ok, from: '2026-11-20 00:00' }), /from is not an ISO 8601 UTC instant/);
  assert.throws(() => parseFetchJob({ ...ok, to: ok.from }), /to must be after from/);
});
