import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidScheduleError } from '../../dev/host/errors';
import { NcrontabSchedule } from '../../dev/host/ncrontab-schedule';

function nextTimes(expression: string, from: string, count: number): string[] {
  const schedule = NcrontabSchedule.parse(expression, 'fn');
  const times: string[] = [];
  let cursor = new Date(from);
  for (let i = 0; i < count; i++) {
    cursor = schedule.next(cursor);
    times.push(cursor.toISOString());
  }
  return times;
}

describe('NcrontabSchedule', () => {
  test('computes six-field occurrences in UTC, strictly after the given time', () => {
    assert.deepEqual(nextTimes('0 */5 * * * *', '2024-01-01T00:02:30Z', 2), ['2024-01-01T00:05:00.000Z', '2024-01-01T00:10:00.000Z']);
    assert.deepEqual(nextTimes('0 */5 * * * *', '2024-01-01T00:05:00.000Z', 1), ['2024-01-01T00:10:00.000Z']);
    // The project's default schedule, across the US DST change: UTC does not move.
    assert.deepEqual(nextTimes('0 0 1 * * *', '2024-03-10T05:00:00Z', 2), ['2024-03-11T01:00:00.000Z', '2024-03-12T01:00:00.000Z']);
    assert.deepEqual(nextTimes('*/20 * * * * *', '2024-01-01T00:00:00Z', 3), ['2024-01-01T00:00:20.000Z', '2024-01-01T00:00:40.000Z', '2024-01-01T00:01:00.000Z']);
    assert.deepEqual(nextTimes('0 5/15 * * * *', '2024-01-01T00:00:00Z', 2), ['2024-01-01T00:05:00.000Z', '2024-01-01T00:20:00.000Z']);
  });

  test('accepts month and day names, case-insensitively', () => {
    assert.deepEqual(nextTimes('0 30 9 * jan Mon-FRI', '2024-01-05T10:00:00Z', 2), ['2024-01-08T09:30:00.000Z', '2024-01-09T09:30:00.000Z']);
  });

  test('requires both a restricted day and day-of-week to match, as NCRONTAB does', () => {
    // Friday the 13th; Vixie cron (and cron-parser alone) would also fire on every 13th and every Friday.
    assert.deepEqual(nextTimes('0 0 0 13 * 5', '2024-01-01T00:00:00Z', 2), ['2024-09-13T00:00:00.000Z', '2024-12-13T00:00:00.000Z']);
  });

  test('reports the interval between occurrences (for the monitor default)', () => {
    const from = new Date('2024-01-01T00:00:00Z');
    assert.equal(NcrontabSchedule.parse('* * * * * *', 'fn').intervalAfter(from), 1_000);
    assert.equal(NcrontabSchedule.parse('0 */5 * * * *', 'fn').intervalAfter(from), 300_000);
  });

  test('accepts five fields as the timer extension does: minute-level NCRONTAB, at second 0', () => {
    assert.deepEqual(nextTimes('*/5 * * * *', '2024-01-01T00:01:30Z', 2), ['2024-01-01T00:05:00.000Z', '2024-01-01T00:10:00.000Z']);
    assert.deepEqual(nextTimes('30 2 * * 1', '2024-01-01T00:00:00Z', 1), ['2024-01-01T02:30:00.000Z']);
    assert.equal(NcrontabSchedule.parse('0 */5 * * *', 'fn').intervalAfter(new Date('2024-01-01T00:00:00Z')), 5 * 3_600_000);
  });

  const invalid: [string, RegExp][] = [
    ['0 */5 * *', /expected six NCRONTAB fields .* found 4/],
    ['0 0 */5 * * * *', /found 7/],
    ['', /found 0/],
    ['0 60 * * * *', /minute field '60' has 60, outside 0-59/],
    ['0 0 0 0 * *', /day field '0' has 0, outside 1-31/],
    ['0 0 0 * * 7', /day-of-week field '7' has 7, outside 0-6/],
    ['0 0 0 L * *', /day field 'L' has 'L', which is neither a number nor a day name/],
    ['0 0 0 ? * *', /day field '\?' is not valid NCRONTAB/],
    ['0 0 0 * * 1#2', /day-of-week field '1#2' is not valid NCRONTAB/],
    ['0 0 5-2 * * *', /hour field '5-2' has a range that ends before it starts/],
    ['0 */0 * * * *', /minute field '\*\/0' has a step of 0/],
    ['0 0 0 30 2 *', /is invalid: /],
  ];
  for (const [expression, reason] of invalid) {
    test(`rejects '${expression}' naming the function, the schedule and the cause`, () => {
      assert.throws(
        () => NcrontabSchedule.parse(expression, 'scheduleFetch'),
        (err: Error) => {
          assert.ok(err instanceof InvalidScheduleError);
          assert.equal(err.functionName, 'scheduleFetch');
          assert.ok(err.message.startsWith(`The schedule '${expression}' of timer function 'scheduleFetch' is invalid: `), err.message);
          assert.match(err.message, reason);
          return true;
        },
      );
    });
  }
});
