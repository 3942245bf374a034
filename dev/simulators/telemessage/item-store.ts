import { parseInstant } from '../../scenario/rfc3339';
import { ATTACHMENT_ID, type ItemAttachment, type TeleMessageItem } from '../../scenario/telemessage-item';
import type { ListPosition } from './list-cursor';

interface StoredItem extends ListPosition {
  item: TeleMessageItem;
}

export interface ItemPage {
  items: TeleMessageItem[];
  /** The position of the last item served, when more items remain in the window. */
  continueAfter: ListPosition | undefined;
}

/** Orders by (archivedAt, id): instants numerically, ids by code unit. */
function compare(a: ListPosition, b: ListPosition): number {
  if (a.archivedAtMs !== b.archivedAtMs) return a.archivedAtMs - b.archivedAtMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** One product's items, kept sorted by (archivedAt, id), with an index of their attachments. */
export class ProductItemStore {
  private readonly sorted: StoredItem[] = [];
  private readonly ids = new Set<string>();
  private readonly attachments = new Map<string, ItemAttachment>();

  get size(): number {
    return this.sorted.length;
  }

  /** Adds an item; its `id` must be new and its `archivedAt` an RFC 3339 UTC instant. */
  insert(item: TeleMessageItem): void {
    const archivedAtMs = parseInstant(item.archivedAt);
    if (archivedAtMs === undefined) throw new TypeError(`item "${item.id}": archivedAt is not an RFC 3339 UTC instant`);
    if (this.ids.has(item.id)) throw new TypeError(`item "${item.id}": an item with this id already exists`);
    const stored: StoredItem = { item, archivedAtMs, id: item.id };
    const at = this.firstIndexAfter(stored, true);
    this.sorted.splice(at, 0, stored);
    this.ids.add(item.id);
    // Captured items are not validated in full, so only well-formed attachment entries are indexed.
    if (Array.isArray(item.attachments)) {
      for (const attachment of item.attachments as unknown[]) {
        const candidate = attachment as Partial<ItemAttachment> | null;
        if (candidate !== null && typeof candidate === 'object' && typeof candidate.id === 'string' && ATTACHMENT_ID.test(candidate.id)) {
          if (!this.attachments.has(candidate.id)) this.attachments.set(candidate.id, candidate as ItemAttachment);
        }
      }
    }
  }

  /** Items with fromMs ≤ archivedAt < toMs, after `after` when given, at most `limit`. */
  page(window: { fromMs: number; toMs: number; limit: number; after?: ListPosition }): ItemPage {
    const start =
      window.after === undefined
        ? this.firstIndexAfter({ archivedAtMs: window.fromMs, id: '' }, false)
        : this.firstIndexAfter(window.after, true);
    const items: TeleMessageItem[] = [];
    let i = start;
    for (; i < this.sorted.length && items.length < window.limit; i++) {
      const stored = this.sorted[i] as StoredItem;
      if (stored.archivedAtMs >= window.toMs) break;
      if (stored.archivedAtMs < window.fromMs) continue;
      items.push(stored.item);
    }
    const next = this.sorted[i];
    const more = items.length === window.limit && next !== undefined && next.archivedAtMs < window.toMs;
    const last = this.sorted[i - 1];
    return { items, continueAfter: more && last !== undefined ? { archivedAtMs: last.archivedAtMs, id: last.id } : undefined };
  }

  /** The attachment's metadata, when an item of this product references it. */
  attachment(id: string): ItemAttachment | undefined {
    return this.attachments.get(id);
  }

  all(): TeleMessageItem[] {
    return this.sorted.map((stored) => stored.item);
  }

  /** First index whose position is > `position` (strict) or ≥ `position` (not strict). */
  private firstIndexAfter(position: ListPosition, strict: boolean): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const c = compare(this.sorted[mid] as StoredItem, position);
      if (c < 0 || (strict && c === 0)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
