import type { ItemOutcome, ItemOutcomeStatus } from '../outcomes/item-outcome';

/** A UTC calendar day, `YYYY-MM-DD`. */
export type UtcDay = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks a `YYYY-MM-DD` day; throws naming the field otherwise. */
export function parseUtcDay(value: string, field = 'date'): UtcDay {
  const match = DAY.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (date === undefined || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new RangeError(`${field}: "${value}" is not a calendar day written YYYY-MM-DD`);
  }
  return value;
}

export function dayStart(day: UtcDay): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

export function nextDay(day: UtcDay): UtcDay {
  return new Date(dayStart(day).getTime() + 86_400_000).toISOString().slice(0, 10);
}

export function dayOf(instant: Date | string): UtcDay {
  return new Date(instant).toISOString().slice(0, 10);
}

/** What is wrong with one item (and, for a copy, one mailbox) on a day that does not reconcile. */
export interface CustodyProblem {
  itemId: string;
  /** The mailbox (user principal name), when the problem is one copy. */
  mailbox?: string;
  problem: string;
}

/** One item of a day as the reconciliation found it. */
export interface ReconciledItem {
  itemId: string;
  blobName: string;
  /** SHA-256 of the item JSON as stored; absent when it is not in the archive. */
  sha256?: string;
  attachments: { id: string; sha256: string }[];
  /** SHA-256 of the copies' body text as created, when imported. */
  bodySha256?: string;
  /** `pending` when stored but the import stage has no outcome for it yet. */
  status: ItemOutcomeStatus | 'notStored' | 'pending';
  copies: { userId: string; userPrincipalName: string; messageId: string }[];
  /** Copies the mapping asked for: every mailbox the item was written to or failed in. */
  copiesExpected: number;
  reason?: string;
}

export interface DayCounts {
  listed: number;
  stored: number;
  copiesExpected: number;
  copiesImported: number;
  unmapped: number;
  quarantined: number;
  failed: number;
  pending: number;
}

/** A connector's UTC day: what TeleMessage listed, what the archive holds and where each item went. */
export interface DayReconciliation {
  connectorId: string;
  day: UtcDay;
  counts: DayCounts;
  /**
   * Every listed item is stored and every stored item is accounted for: imported into every
   * mapped mailbox, or unmapped, quarantined or failed with a reason.
   */
  reconciled: boolean;
  /** The first problems found (at most {@link MAX_RECORDED_PROBLEMS}); `problemCount` has them all. */
  problems: CustodyProblem[];
  problemCount: number;
  checkedAt: string;
  /** The day's manifest in `archive-manifests`, once the day reconciled. */
  manifest?: { blobName: string; sha256: string; signed: boolean };
}

/** A table property holds at most 64 KiB: the record keeps the first problems, the count keeps all. */
export const MAX_RECORDED_PROBLEMS = 100;

/**
 * Where an item stands: pure, from whether it is stored and what the import stage recorded.
 * Returns the item's problem, if any, for the day's list.
 */
export function accountFor(
  item: { itemId: string; blobName: string; sha256?: string; attachments: { id: string; sha256: string }[] },
  outcome: ItemOutcome | undefined,
): { item: ReconciledItem; problems: CustodyProblem[] } {
  const base = { itemId: item.itemId, blobName: item.blobName, attachments: item.attachments, copies: [], copiesExpected: 0 };
  if (item.sha256 === undefined) {
    const why = outcome?.status === 'quarantined' && outcome.reason ? `: quarantined by the fetch stage (${outcome.reason})` : '';
    return {
      item: { ...base, status: 'notStored', ...(outcome?.reason ? { reason: outcome.reason } : {}) },
      problems: [{ itemId: item.itemId, problem: `listed by TeleMessage but not in the archive${why}` }],
    };
  }
  const stored = { ...base, sha256: item.sha256 };
  if (outcome === undefined) {
    return { item: { ...stored, status: 'pending' }, problems: [{ itemId: item.itemId, problem: 'stored but not yet imported (no outcome recorded)' }] };
  }
  const copies = outcome.mailboxes.flatMap((m) =>
    (m.status === 'imported' || m.status === 'alreadyImported') && m.messageId !== undefined
      ? [{ userId: m.userId, userPrincipalName: m.userPrincipalName, messageId: m.messageId }]
      : [],
  );
  const reason = outcome.reason ?? outcome.error ?? (outcome.unmapped.length > 0 ? outcome.unmapped.map((u) => u.reason).join('; ') : undefined);
  const reconciled: ReconciledItem = {
    ...stored,
    status: outcome.status,
    copies,
    copiesExpected: outcome.mailboxes.length,
    ...(outcome.bodySha256 === undefined ? {} : { bodySha256: outcome.bodySha256 }),
    ...(reason === undefined ? {} : { reason }),
  };
  const problems: CustodyProblem[] = [];
  if (outcome.status === 'imported') {
    for (const m of outcome.mailboxes) {
      if (!copies.some((c) => c.userId === m.userId)) {
        problems.push({ itemId: item.itemId, mailbox: m.userPrincipalName, problem: `copy not recorded as imported (${m.status}${m.error ? `: ${m.error}` : ''})` });
      }
    }
  } else if (reason === undefined) {
    problems.push({ itemId: item.itemId, problem: `${outcome.status} without a recorded reason` });
  }
  return { item: reconciled, problems };
}

export function countDay(items: readonly ReconciledItem[]): DayCounts {
  const counts: DayCounts = { listed: items.length, stored: 0, copiesExpected: 0, copiesImported: 0, unmapped: 0, quarantined: 0, failed: 0, pending: 0 };
  for (const item of items) {
    if (item.status !== 'notStored') counts.stored += 1;
    counts.copiesExpected += item.copiesExpected;
    counts.copiesImported += item.copies.length;
    if (item.status === 'unmapped') counts.unmapped += 1;
    if (item.status === 'quarantined' || (item.status === 'notStored' && item.reason !== undefined)) counts.quarantined += 1;
    if (item.status === 'failed') counts.failed += 1;
    if (item.status === 'pending') counts.pending += 1;
  }
  return counts;
}
