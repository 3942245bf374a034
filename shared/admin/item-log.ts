import type { Connector } from '../connectors/connector';
import type { ConnectorStore } from '../connectors/connector-store';
import type { ImportStore } from '../outcomes/import-store';
import type { ItemOutcome } from '../outcomes/item-outcome';
import { InvalidAdminInputError } from './admin-errors';
import { connectorIdArgument, parseInstant } from './connector-settings';
import { csvLine } from './csv-text';

export type LogOutcome = 'imported' | 'already imported' | 'unmapped' | 'quarantined' | 'failed';

/** One row of the download log: one item and one mailbox (or one unmapped participant). */
export interface LogRow {
  time: string;
  connector: string;
  itemId: string;
  kind: string;
  participant: string;
  mailbox: string;
  outcome: LogOutcome;
  reason: string;
}

export const LOG_COLUMNS = ['time', 'connector', 'item id', 'kind', 'source participant', 'mailbox', 'outcome', 'reason'] as const;

/** The rows of one item: each mailbox copy, each unmapped participant, or the item when it reached none. */
export function logRowsOf(outcome: ItemOutcome): LogRow[] {
  const base = { time: outcome.archivedAt ?? outcome.firstProcessedAt, connector: outcome.connectorId, itemId: outcome.itemId, kind: outcome.kind ?? '' };
  const rows: LogRow[] = [];
  for (const m of outcome.mailboxes) {
    rows.push({
      ...base,
      participant: m.participants?.join('; ') ?? (m.via === 'email' ? m.userPrincipalName : ''),
      mailbox: m.userPrincipalName,
      outcome: m.status === 'imported' ? 'imported' : m.status === 'alreadyImported' ? 'already imported' : 'failed',
      reason: m.error ?? (m.via === 'mapping-file' ? 'mapped by the mapping file' : 'mapped by its email address'),
    });
  }
  for (const u of outcome.unmapped) rows.push({ ...base, participant: u.participant, mailbox: '', outcome: 'unmapped', reason: u.reason });
  if (outcome.status === 'quarantined') rows.push({ ...base, participant: '', mailbox: '', outcome: 'quarantined', reason: outcome.reason ?? 'no reason recorded' });
  else if (outcome.status === 'failed' && outcome.mailboxes.length === 0) rows.push({ ...base, participant: '', mailbox: '', outcome: 'failed', reason: outcome.error ?? 'no error recorded' });
  return rows;
}

/**
 * The download log of a date range (archived at or after `from`, before `to`), of one connector or
 * all: every item we hold, however old (Microsoft's keeps 7 days).
 */
export async function buildItemLog(
  request: { from: string; to: string; connectorId?: string },
  deps: { connectors: ConnectorStore; imports: ImportStore },
): Promise<LogRow[]> {
  const from = parseInstant(request.from, 'from');
  const to = parseInstant(request.to, 'to');
  if (from >= to) throw new InvalidAdminInputError('to', `${to.toISOString()} must be after from (${from.toISOString()})`);
  let connectors: Connector[];
  if (request.connectorId === undefined) connectors = await deps.connectors.list();
  else connectors = [await deps.connectors.get(connectorIdArgument(request.connectorId, 'connector'))];
  const rows: LogRow[] = [];
  for (const connector of connectors) {
    for (const outcome of await deps.imports.listOutcomes(connector.id)) {
      const at = Date.parse(outcome.archivedAt ?? outcome.firstProcessedAt);
      if (at >= from.getTime() && at < to.getTime()) rows.push(...logRowsOf(outcome));
    }
  }
  return rows.sort((a, b) => a.time.localeCompare(b.time) || a.connector.localeCompare(b.connector) || a.itemId.localeCompare(b.itemId));
}

/** The log as CSV, header first, safe to open in a spreadsheet. */
export function itemLogCsv(rows: readonly LogRow[]): string {
  return [csvLine(LOG_COLUMNS), ...rows.map((r) => csvLine([r.time, r.connector, r.itemId, r.kind, r.participant, r.mailbox, r.outcome, r.reason]))].join('');
}
