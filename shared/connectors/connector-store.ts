import { odata, type TableClient } from '@azure/data-tables';
import { JsonEntityTable } from '../platform/storage/json-entity-table';
import type { Connector } from './connector';

export class ConnectorNotFoundError extends Error {
  override readonly name = 'ConnectorNotFoundError';
  constructor(readonly connectorId: string) {
    super(`Connector "${connectorId}" does not exist`);
  }
}

export class ConnectorExistsError extends Error {
  override readonly name = 'ConnectorExistsError';
  constructor(readonly connectorId: string) {
    super(`Connector "${connectorId}" already exists`);
  }
}

export interface ConnectorStore {
  get(id: string): Promise<Connector>;
  tryGet(id: string): Promise<Connector | undefined>;
  list(): Promise<Connector[]>;
  create(connector: Connector): Promise<void>;
  /** Applies `change` under optimistic concurrency; undefined from `change` writes nothing. */
  update(id: string, change: (current: Connector) => Connector | undefined): Promise<Connector>;
}

const PARTITION = 'connector';

/** Connectors kept in Azure Table Storage, one entity each. */
export class TableConnectorStore implements ConnectorStore {
  readonly #records: JsonEntityTable<Connector>;

  constructor(table: TableClient) {
    this.#records = new JsonEntityTable<Connector>(table);
  }

  async get(id: string): Promise<Connector> {
    const c = await this.tryGet(id);
    if (!c) throw new ConnectorNotFoundError(id);
    return c;
  }

  tryGet(id: string): Promise<Connector | undefined> {
    return this.#records.tryGet(PARTITION, id);
  }

  async list(): Promise<Connector[]> {
    const all = await this.#records.list(odata`PartitionKey eq ${PARTITION}`);
    return all.sort((a, b) => a.id.localeCompare(b.id));
  }

  async create(connector: Connector): Promise<void> {
    if (!(await this.#records.createIfAbsent(PARTITION, connector.id, connector))) throw new ConnectorExistsError(connector.id);
  }

  async update(id: string, change: (current: Connector) => Connector | undefined): Promise<Connector> {
    const updated = await this.#records.update(PARTITION, id, (current) => {
      const next = change(current);
      if (next) next.updatedAt = new Date().toISOString();
      return next;
    });
    if (!updated) throw new ConnectorNotFoundError(id);
    return updated;
  }
}
