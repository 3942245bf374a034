const GROUPED = new Intl.NumberFormat('en-US');
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `2026-11-20T14:02:55Z` → `2026-11-20 14:02:55 UTC` (fractions of a second dropped). */
export function formatUtcTime(canonical: string): string {
  return `${canonical.slice(0, 10)} ${canonical.slice(11, 19)} UTC`;
}

/** `2026-11-20T14:02:55Z` → `2026-11-20 14:02 UTC`, for subjects. */
export function formatUtcMinute(canonical: string): string {
  return `${canonical.slice(0, 10)} ${canonical.slice(11, 16)} UTC`;
}

/** Whole seconds as people say them: `45 s`, `12 min 4 s`, `1 h 3 min`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  const parts: string[] = [];
  if (hours > 0) {
    parts.push(`${hours} h`);
  }
  if (minutes > 0) {
    parts.push(`${minutes} min`);
  }
  if (rest > 0 || parts.length === 0) {
    parts.push(`${rest} s`);
  }
  return parts.join(' ');
}

/** `512 bytes`, `470.8 KB`, `12.3 MB` (binary multiples, as Outlook shows them). */
export function formatByteSize(bytes: number): string {
  if (bytes < 1024) {
    return `${GROUPED.format(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
  }
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${ONE_DECIMAL.format(value)} ${units[unit]}`;
}

/** `1 attachment`, `3 attachments`. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${GROUPED.format(count)} ${count === 1 ? singular : plural}`;
}
