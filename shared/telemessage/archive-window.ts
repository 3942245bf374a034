import type { ArchiveWindow } from './archive-source';
import { ArchiveWindowError } from './archive-source-errors';

/** The longest window the TeleMessage contract accepts. */
export const MAX_WINDOW_DAYS = 31;
const MAX_WINDOW_MS = MAX_WINDOW_DAYS * 24 * 60 * 60 * 1000;

/**
 * Throws {@link ArchiveWindowError} unless `from` < `to` and the window spans at most 31 days.
 * Called before any request so that a bad window never costs a round trip.
 */
export function validateWindow(window: ArchiveWindow, operation = 'validateWindow'): void {
  const from = instant(window?.from, 'from', operation);
  const to = instant(window?.to, 'to', operation);
  if (from >= to) {
    throw new ArchiveWindowError(
      `Invalid archive window: from (${formatInstant(from)}) must be earlier than to (${formatInstant(to)})`,
      { operation },
    );
  }
  if (to - from > MAX_WINDOW_MS) {
    throw new ArchiveWindowError(
      `Invalid archive window: ${formatInstant(from)} to ${formatInstant(to)} is longer than ${MAX_WINDOW_DAYS} days`,
      { operation },
    );
  }
}

/** RFC 3339 in UTC with `Z`, whole seconds written without a fraction (as the contract's examples). */
export function formatInstant(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function instant(value: unknown, field: 'from' | 'to', operation: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ArchiveWindowError(`Invalid archive window: "${field}" must be a valid Date`, { operation });
  }
  return ms;
}
