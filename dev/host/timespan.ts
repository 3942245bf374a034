/**
 * host.json durations are .NET `TimeSpan` strings (`"00:00:30"`, `"1.02:03:04.5"`), bound by the real
 * host with `TimeSpan.Parse` under the invariant culture. A bare integer is a number of DAYS there,
 * which surprises people, so it is reproduced rather than "fixed".
 */

const CLOCK_FORM = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;
const DAYS_FORM = /^(-)?(\d+)$/;

export class TimeSpanFormatError extends Error {
  override readonly name = 'TimeSpanFormatError';
  constructor(readonly field: string, readonly value: unknown, cause: string) {
    super(`${field}: ${JSON.stringify(value)} is not a TimeSpan (${cause}); use [d.]hh:mm[:ss[.fffffff]], e.g. "00:00:30"`);
  }
}

/**
 * Parses a .NET TimeSpan string to milliseconds. `field` names the setting in error messages
 * (e.g. `extensions.queues.visibilityTimeout`).
 */
export function parseTimeSpan(value: string | number, field: string): number {
  const text = String(value).trim();
  const days = DAYS_FORM.exec(text);
  if (days) {
    return sign(days[1]) * Number(days[2]) * 86_400_000;
  }
  const m = CLOCK_FORM.exec(text);
  if (!m) throw new TimeSpanFormatError(field, value, 'unrecognised format');
  const [, minus, d, hh, mm, ss, fraction] = m;
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = ss === undefined ? 0 : Number(ss);
  if (hours > 23) throw new TimeSpanFormatError(field, value, 'hours must be 0-23');
  if (minutes > 59) throw new TimeSpanFormatError(field, value, 'minutes must be 0-59');
  if (seconds > 59) throw new TimeSpanFormatError(field, value, 'seconds must be 0-59');
  const fractionMs = fraction === undefined ? 0 : Number(`0.${fraction}`) * 1000;
  const total = ((Number(d ?? 0) * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000 + fractionMs;
  return sign(minus) * total;
}

function sign(minus: string | undefined): number {
  return minus ? -1 : 1;
}
