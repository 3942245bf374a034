import type { ConnectorStore } from '../connectors/connector-store';
import type { ImportStore } from '../outcomes/import-store';
import type { ItemOutcome } from '../outcomes/item-outcome';
import { InvalidAdminInputError } from './admin-errors';
import { connectorIdArgument, parseInstant } from './connector-settings';
import type { OutstandingItem, OutstandingParticipant, OutstandingStatus } from '../wire/admin-api-types';
// The admin API sends these as they are: defined once, with the admin page's other wire types.
export type { OutstandingItem, OutstandingParticipant, OutstandingStatus } from '../wire/admin-api-types';

/**
 * What is outstanding now, not what one run did: the items that reached no mailbox (`unmapped`),
 * failed, were quarantined, or reached some mailboxes but left a participant unmapped (`partial`,
 * shown apart so that the participant's copy can be added once the mapping is fixed). The web
 * page, the command line and the demo's report all read this one query.
 */
export const OUTSTANDING_STATUSES: readonly OutstandingStatus[] = ['unmapped', 'failed', 'partial', 'quarantined'];

/** Which outstanding list an outcome is on now, or undefined when nothing about it is outstanding. */
export function outstandingStatusOf(outcome: ItemOutcome): OutstandingStatus | undefined {
  switch (outcome.status) {
    case 'unmapped':
    case 'failed':
    case 'quarantined':
      return outcome.status;
    case 'imported':
      return outcome.unmapped.length > 0 || (outcome.unmappedTotal ?? 0) > 0 ? 'partial' : undefined;
  }
}

export interface OutstandingFilter {
  status?: OutstandingStatus;
  /** Text found in a reason (ignoring case). */
  reason?: string;
  /** Digits found in a participant's number (other characters ignored), or text in its name. */
  number?: string;
  /** Archived at or after (ISO instant or date). */
  from?: string;
  /** Archived before. */
  to?: string;
}

export function outstandingItem(outcome: ItemOutcome, status: OutstandingStatus): OutstandingItem {
  const participants: OutstandingParticipant[] = [
    ...outcome.unmapped.map((u): OutstandingParticipant => ({ participant: u.participant, outcome: 'unmapped', reason: u.reason })),
    ...outcome.mailboxes.map((m): OutstandingParticipant => ({
      participant: m.userPrincipalName,
      mailbox: m.userPrincipalName,
      outcome: m.status === 'imported' ? 'imported' : m.status === 'alreadyImported' ? 'already imported' : 'failed',
      ...(m.error === undefined ? {} : { reason: m.error }),
    })),
  ];
  const reason = outcome.reason ?? outcome.error ?? outcome.unmapped[0]?.reason ?? 'no reason recorded';
  return {
    connectorId: outcome.connectorId,
    itemId: outcome.itemId,
    status,
    ...(outcome.archivedAt === undefined ? {} : { archivedAt: outcome.archivedAt }),
    updatedAt: outcome.updatedAt,
    attempts: outcome.attempts,
    reason,
    participants,
    ...(outcome.unmappedTotal === undefined ? {} : { unmappedTotal: outcome.unmappedTotal }),
  };
}

/** Checks a filter given by a person; bad values are refused with the field named. */
export function parseOutstandingFilter(filter: OutstandingFilter): { status?: OutstandingStatus; reason?: string; digits?: string; text?: string; from?: Date; to?: Date } {
  const from = filter.from === undefined ? undefined : parseInstant(filter.from, 'from');
  const to = filter.to === undefined ? undefined : parseInstant(filter.to, 'to');
  if (from !== undefined && to !== undefined && from >= to) throw new InvalidAdminInputError('to', `${to.toISOString()} must be after from (${from.toISOString()})`);
  if (filter.status !== undefined && !OUTSTANDING_STATUSES.includes(filter.status)) {
    throw new InvalidAdminInputError('status', `"${String(filter.status)}" must be one of ${OUTSTANDING_STATUSES.join(', ')}`);
  }
  const number = filter.number?.trim();
  const digits = number === undefined ? undefined : number.replace(/\D/g, '');
  return {
    ...(filter.status === undefined ? {} : { status: filter.status }),
    ...(filter.reason === undefined || filter.reason.trim() === '' ? {} : { reason: filter.reason.trim().toLowerCase() }),
    ...(number === undefined || number === '' ? {} : digits === '' ? { text: number.toLowerCase() } : { digits }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

function matches(item: OutstandingItem, filter: ReturnType<typeof parseOutstandingFilter>): boolean {
  if (filter.status !== undefined && item.status !== filter.status) return false;
  if (filter.reason !== undefined) {
    const reasons = [item.reason, ...item.participants.map((p) => p.reason ?? '')].join('\n').toLowerCase();
    if (!reasons.includes(filter.reason)) return false;
  }
  if (filter.digits !== undefined && !item.participants.some((p) => p.participant.replace(/\D/g, '').includes(filter.digits as string))) return false;
  if (filter.text !== undefined && !item.participants.some((p) => p.participant.toLowerCase().includes(filter.text as string))) return false;
  const archived = item.archivedAt === undefined ? Number.NaN : Date.parse(item.archivedAt);
  if (filter.from !== undefined && !(archived >= filter.from.getTime())) return false;
  if (filter.to !== undefined && !(archived < filter.to.getTime())) return false;
  return true;
}

/** The outstanding items of outcomes already read (the demo's report reads them once). */
export function outstandingOf(outcomes: readonly ItemOutcome[], filter: OutstandingFilter = {}): OutstandingItem[] {
  const parsed = parseOutstandingFilter(filter);
  const items: OutstandingItem[] = [];
  for (const outcome of outcomes) {
    const status = outstandingStatusOf(outcome);
    if (status === undefined) continue;
    const item = outstandingItem(outcome, status);
    if (matches(item, parsed)) items.push(item);
  }
  return items.sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
}

/** A connector's outstanding items now, filtered. */
export async function listOutstandingItems(
  connectorId: string,
  filter: OutstandingFilter,
  deps: { connectors: ConnectorStore; imports: ImportStore },
): Promise<OutstandingItem[]> {
  const id = connectorIdArgument(connectorId, 'connector');
  parseOutstandingFilter(filter);
  await deps.connectors.get(id);
  return outstandingOf(await deps.imports.listOutcomes(id), filter);
}

/** How many of each are outstanding now. */
export function countOutstanding(items: readonly OutstandingItem[]): Record<OutstandingStatus, number> {
  const counts: Record<OutstandingStatus, number> = { unmapped: 0, failed: 0, partial: 0, quarantined: 0 };
  for (const item of items) counts[item.status] += 1;
  return counts;
}
