import { odata, type TableClient } from '@azure/data-tables';
import { JsonEntityTable } from '../platform/storage/json-entity-table';
import { windowKey, type FetchWindow } from './fetch-window';
import type { FetchRun } from './fetch-run';

export interface RunStore {
  /** Creates the run for a window; false when that window already has one. */
  createIfAbsent(run: FetchRun): Promise<boolean>;
  get(connectorId: string, window: FetchWindow): Promise<FetchRun | undefined>;
  /** Runs of a connector in window order, optionally only those starting at or after an instant. */
  list(connectorId: string, options?: { fromAtLeast?: string }): Promise<FetchRun[]>;
  update(connectorId: string, window: FetchWindow, change: (run: FetchRun) => FetchRun | undefined): Promise<FetchRun>;
}

/** Fetch runs in Azure Table Storage: partition per connector, row per window. */
export class TableRunStore implements RunStore {
  readonly #records: JsonEntityTable<FetchRun>;

  constructor(table: TableClient) {
    this.#records = new JsonEntityTable<FetchRun>(table);
  }

  createIfAbsent(run: FetchRun): Promise<boolean> {
    return this.#records.createIfAbsent(run.connectorId, windowKey(run), run);
  }

  get(connectorId: string, window: FetchWindow): Promise<FetchRun | undefined> {
    return this.#records.tryGet(connectorId, windowKey(window));
  }

  async list(connectorId: string, options: { fromAtLeast?: string } = {}): Promise<FetchRun[]> {
    let filter = odata`PartitionKey eq ${connectorId}`;
    // Row keys start with the window's `from`, so a key range is a time range.
    if (options.fromAtLeast) filter += odata` and RowKey ge ${options.fromAtLeast}`;
    const runs = await this.#records.list(filter);
    return runs.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  }

  async update(connectorId: string, window: FetchWindow, change: (run: FetchRun) => FetchRun | undefined): Promise<FetchRun> {
    const updated = await this.#records.update(connectorId, windowKey(window), change);
    if (!updated) throw new Error(`No fetch run for connector "${connectorId}", window ${window.from} to ${window.to}`);
    return updated;
  }
}
