import { odata, type TableClient } from '@azure/data-tables';
import { JsonEntityTable } from '../platform/storage/json-entity-table';
import type { DayReconciliation, UtcDay } from './day-reconciliation';

export interface ReconciliationStore {
  get(connectorId: string, day: UtcDay): Promise<DayReconciliation | undefined>;
  /** A connector's reconciled and unreconciled days, oldest first. */
  list(connectorId: string): Promise<DayReconciliation[]>;
  put(record: DayReconciliation): Promise<void>;
}

/** Table `reconciliation`: partition per connector, row per UTC day. */
export class TableReconciliationStore implements ReconciliationStore {
  readonly #records: JsonEntityTable<DayReconciliation>;

  constructor(table: TableClient) {
    this.#records = new JsonEntityTable<DayReconciliation>(table);
  }

  get(connectorId: string, day: UtcDay): Promise<DayReconciliation | undefined> {
    return this.#records.tryGet(connectorId, day);
  }

  async list(connectorId: string): Promise<DayReconciliation[]> {
    const days = await this.#records.list(odata`PartitionKey eq ${connectorId}`);
    return days.sort((a, b) => a.day.localeCompare(b.day));
  }

  put(record: DayReconciliation): Promise<void> {
    return this.#records.upsert(record.connectorId, record.day, record);
  }
}
