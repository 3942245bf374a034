/** A half-open interval [from, to) of TeleMessage `archivedAt` instants, as ISO 8601 UTC strings. */
export interface FetchWindow {
  from: string;
  to: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Splits [from, to) at UTC midnights so that no job spans more than one calendar day: a
 * connector that missed three days catches up with three or four small, independently
 * retried jobs instead of one long one.
 */
export function splitIntoDailyWindows(from: Date, to: Date): FetchWindow[] {
  const windows: FetchWindow[] = [];
  let start = from.getTime();
  const end = to.getTime();
  while (start < end) {
    const nextMidnight = Math.floor(start / DAY_MS) * DAY_MS + DAY_MS;
    const stop = Math.min(nextMidnight, end);
    windows.push({ from: iso(start), to: iso(stop) });
    start = stop;
  }
  return windows;
}

export function windowKey(w: FetchWindow): string {
  return `${w.from}_${w.to}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
