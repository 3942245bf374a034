import { CronExpressionParser } from 'cron-parser';
import { InvalidScheduleError } from './errors';

interface FieldRule {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldRule[] = [
  { label: 'second', min: 0, max: 59 },
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { label: 'day-of-week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const ITEM = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i;
const MAX_CANDIDATES = 100_000;

/**
 * A six-field NCRONTAB schedule (`{second} {minute} {hour} {day} {month} {day-of-week}`), or a
 * five-field one without the seconds (run at second 0), as the timer extension accepts both,
 * evaluated in UTC as on Linux plans. Occurrences come from cron-parser; this class holds
 * NCRONTAB's stricter grammar and its rule that a restricted day AND day-of-week must both match
 * (cron-parser, like Vixie cron, accepts either).
 */
export class NcrontabSchedule {
  readonly #normalized: string;
  readonly #days?: ReadonlySet<number>;
  readonly #weekdays?: ReadonlySet<number>;

  private constructor(
    readonly expression: string,
    normalized: string,
    days?: ReadonlySet<number>,
    weekdays?: ReadonlySet<number>,
  ) {
    this.#normalized = normalized;
    if (days) this.#days = days;
    if (weekdays) this.#weekdays = weekdays;
  }

  /** Parses and checks `expression`; errors name the function, the schedule and the field. */
  static parse(expression: string, functionName: string): NcrontabSchedule {
    const fail = (reason: string): never => {
      throw new InvalidScheduleError(functionName, expression, reason);
    };
    const given = expression.trim().split(/\s+/).filter((f) => f !== '');
    // The timer extension parses five fields as minute-level NCRONTAB (IncludingSeconds is false
    // exactly when there are five: CronSchedule.HasSeconds), i.e. at second 0.
    const fields = given.length === 5 ? ['0', ...given] : given;
    if (fields.length !== 6) {
      fail(`expected six NCRONTAB fields '{second} {minute} {hour} {day} {month} {day-of-week}' (or five, without the seconds), found ${given.length}.`);
    }
    const normalized = fields.map((field, i) => normalizeField(field, FIELDS[i]!, fail));
    const days = fields[3] === '*' ? undefined : valuesOf(normalized[3]!, FIELDS[3]!);
    const weekdays = fields[5] === '*' ? undefined : valuesOf(normalized[5]!, FIELDS[5]!);
    const schedule = new NcrontabSchedule(expression, normalized.join(' '), days && weekdays ? days : undefined, days && weekdays ? weekdays : undefined);
    try {
      schedule.next(new Date());
    } catch (err) {
      fail((err as Error).message);
    }
    return schedule;
  }

  /** The first occurrence strictly after `after`. */
  next(after: Date): Date {
    const cron = CronExpressionParser.parse(this.#normalized, { currentDate: after, tz: 'UTC' });
    for (let i = 0; i < MAX_CANDIDATES; i++) {
      const candidate = cron.next().toDate();
      if (candidate.getTime() <= after.getTime()) continue;
      if (this.#days && this.#weekdays && !(this.#days.has(candidate.getUTCDate()) && this.#weekdays.has(candidate.getUTCDay()))) continue;
      return candidate;
    }
    throw new Error('the schedule never occurs (no day matches both the day and the day-of-week fields).');
  }

  /** The gap between the next two occurrences after `from`, in milliseconds. */
  intervalAfter(from: Date): number {
    const first = this.next(from);
    return this.next(first).getTime() - first.getTime();
  }

  toString(): string {
    return this.expression;
  }
}

function normalizeField(field: string, rule: FieldRule, fail: (reason: string) => never): string {
  return field
    .split(',')
    .map((item) => {
      const m = ITEM.exec(item);
      if (!m) fail(`the ${rule.label} field '${field}' is not valid NCRONTAB ('*', numbers, ranges 'a-b', steps '/n' and lists 'a,b').`);
      const [, range, step] = m;
      if (step !== undefined && Number(step) < 1) fail(`the ${rule.label} field '${field}' has a step of 0.`);
      if (range === '*') return item;
      const bounds = range!.split('-').map((v) => toNumber(v, rule, field, fail));
      if (bounds.length === 2 && bounds[0]! > bounds[1]!) fail(`the ${rule.label} field '${field}' has a range that ends before it starts.`);
      return `${bounds.join('-')}${step === undefined ? '' : `/${step}`}`;
    })
    .join(',');
}

function toNumber(value: string, rule: FieldRule, field: string, fail: (reason: string) => never): number {
  let n: number;
  if (/^\d+$/.test(value)) n = Number(value);
  else {
    const index = rule.names?.indexOf(value.toLowerCase()) ?? -1;
    if (index < 0) fail(`the ${rule.label} field '${field}' has '${value}', which is neither a number nor a ${rule.label} name.`);
    n = rule.min + index;
  }
  if (n < rule.min || n > rule.max) fail(`the ${rule.label} field '${field}' has ${n}, outside ${rule.min}-${rule.max}.`);
  return n;
}

/** The set of values a normalized (numeric) field allows. */
function valuesOf(field: string, rule: FieldRule): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let [start, end] = range === '*' ? [rule.min, rule.max] : range!.split('-').map(Number);
    start ??= rule.min;
    // 'a/n' means from a to the field's maximum, every n.
    end ??= stepText === undefined ? start : rule.max;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return values;
}
