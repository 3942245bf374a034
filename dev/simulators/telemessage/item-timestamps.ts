import { formatInstant, parseInstant } from '../../scenario/rfc3339';
import type { TeleMessageItem } from '../../scenario/telemessage-item';

/** The instants an item carries; all move together when a scenario is rebased. */
const TOP_LEVEL = ['archivedAt', 'sentAt'] as const;
const NESTED: readonly (readonly [string, string])[] = [
  ['call', 'startedAt'],
  ['call', 'endedAt'],
  ['recall', 'recalledAt'],
];

/** A copy of `item` with every timestamp moved by `offsetMs`; fields that are not instants stay. */
export function shiftItemTimestamps(item: TeleMessageItem, offsetMs: number): TeleMessageItem {
  const copy = structuredClone(item) as Record<string, unknown>;
  const shift = (holder: Record<string, unknown>, field: string): void => {
    const value = holder[field];
    if (typeof value !== 'string') return;
    const ms = parseInstant(value);
    if (ms !== undefined) holder[field] = formatInstant(ms + offsetMs);
  };
  for (const field of TOP_LEVEL) shift(copy, field);
  for (const [parent, field] of NESTED) {
    const holder = copy[parent];
    if (holder !== null && typeof holder === 'object' && !Array.isArray(holder)) {
      shift(holder as Record<string, unknown>, field);
    }
  }
  return copy as TeleMessageItem;
}

/**
 * The offset that moves the newest `archivedAt` onto `anchorMs`, keeping the spacing of all items;
 * 0 when there are no items.
 */
export function rebaseOffset(items: Iterable<TeleMessageItem>, anchorMs: number): number {
  let newest = -Infinity;
  for (const item of items) {
    const ms = parseInstant(item.archivedAt);
    if (ms !== undefined && ms > newest) newest = ms;
  }
  return newest === -Infinity ? 0 : anchorMs - newest;
}
