const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|[+-]00:00)$/;

/**
 * Reads an RFC 3339 instant whose offset is UTC (`Z`, `+00:00` or `-00:00`) and returns it in
 * canonical form, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, keeping any fraction as written. Returns
 * undefined for anything else: a local offset, a date that does not exist, a leap second
 * (JavaScript dates cannot hold one), or a fraction longer than nanoseconds.
 */
export function parseUtcTimestamp(text: string): string | undefined {
  const match = RFC3339_UTC.exec(text);
  if (match === null) {
    return undefined;
  }
  const [, year, month, day, hour, minute, second, fraction = ''] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    return undefined;
  }
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    return undefined;
  }
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}Z`;
}

/** Milliseconds since the epoch of a canonical timestamp from {@link parseUtcTimestamp}. */
export function utcTimestampMillis(canonical: string): number {
  const seconds = canonical.slice(0, 19);
  const fraction = canonical.length > 20 ? canonical.slice(20, -1) : '';
  return Date.parse(`${seconds}.${fraction.padEnd(3, '0').slice(0, 3)}Z`);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
