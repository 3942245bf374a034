import { randomBytes } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { JsonEntityTable } from '../platform/storage/json-entity-table';
import type { Telemetry } from '../platform/telemetry/telemetry';
import type { AuditEntry } from '../wire/admin-api-types';
// The admin API sends these as they are: defined once, with the admin page's other wire types.
export type { AuditAction, AuditActor, AuditEntry } from '../wire/admin-api-types';

export interface AuditQuery {
  /** Inclusive, ISO instant. */
  from?: Date;
  /** Exclusive, ISO instant. */
  to?: Date;
  connectorId?: string;
  limit?: number;
}

export interface AuditTrail {
  record(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
}

const MAX_MS = 9_999_999_999_999;

/**
 * The audit trail in table `audit`: one partition per UTC month (`YYYY-MM`), row keys counting down
 * from the end of time so that a partition lists newest first. Every entry also goes to
 * Application Insights as an `AdminChange` event (ids and the action only).
 */
export class TableAuditTrail implements AuditTrail {
  readonly #rows: JsonEntityTable<AuditEntry>;

  constructor(table: TableClient, private readonly telemetry: Telemetry, private readonly clock: () => Date = () => new Date()) {
    this.#rows = new JsonEntityTable<AuditEntry>(table);
  }

  async record(change: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const at = this.clock();
    const rowKey = `${String(MAX_MS - at.getTime()).padStart(13, '0')}-${randomBytes(6).toString('hex')}`;
    const entry: AuditEntry = { id: `${monthOf(at)}~${rowKey}`, at: at.toISOString(), ...change };
    await this.#rows.createIfAbsent(monthOf(at), rowKey, entry);
    this.telemetry.event('AdminChange', {
      action: entry.action,
      actorId: entry.actor.id,
      actorName: entry.actor.name,
      via: entry.actor.via,
      auditId: entry.id,
      ...(entry.connectorId === undefined ? {} : { connectorId: entry.connectorId }),
    });
    return entry;
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const to = query.to ?? new Date(this.clock().getTime() + 60_000);
    const from = query.from ?? new Date(Date.UTC(2000, 0, 1));
    const filters = [
      odata`PartitionKey ge ${monthOf(from)}`,
      odata`PartitionKey le ${monthOf(to)}`,
    ];
    const entries = (await this.#rows.list(filters.join(' and ')))
      .filter((e) => e.at >= from.toISOString() && e.at < to.toISOString())
      .filter((e) => query.connectorId === undefined || e.connectorId === query.connectorId)
      .sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id));
    return query.limit === undefined ? entries : entries.slice(0, query.limit);
  }
}

function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}
