/** Times and numbers as the page shows them: UTC, since the schedule and the log are in UTC. */

export function when(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function lag(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function daysAgo(days: number, now = new Date()): string {
  return day(new Date(now.getTime() - days * 86_400_000));
}

/** A value of the audit trail's before/after, short and as text. */
export function shortJson(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length - 300} more characters)` : text;
}
