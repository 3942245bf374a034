import { RestError, TableClient, type TransactionAction } from '@azure/data-tables';
import { RETRY_BUDGETS, type RetryPolicy } from '../resilience';

/** One write of a {@link writeTogether} transaction: a record replaced only if it is still at `etag`, or upserted. */
export type JsonWrite =
  | { kind: 'replaceIfUnchanged'; rowKey: string; value: unknown; etag: string }
  | { kind: 'upsert'; rowKey: string; value: unknown };

interface JsonEntity {
  partitionKey: string;
  rowKey: string;
  /** The record as JSON: one property keeps records free to grow without table migrations. */
  json: string;
}

/**
 * Records kept as JSON in Azure Table Storage, with optimistic concurrency on update so that
 * concurrent invocations never lose each other's writes.
 */
export class JsonEntityTable<T> {
  #ensured: Promise<void> | undefined;

  /** @param conflicts back-off and bound for writes that lose to another writer (412): by default the one in stage-budgets.ts. */
  constructor(private readonly table: TableClient, private readonly conflicts: RetryPolicy = RETRY_BUDGETS.tableConflict) {}

  async tryGet(partitionKey: string, rowKey: string): Promise<T | undefined> {
    return (await this.#read(partitionKey, rowKey))?.value;
  }

  async list(filter: string): Promise<T[]> {
    await this.#ensureTable();
    const out: T[] = [];
    for await (const e of this.table.listEntities<JsonEntity>({ queryOptions: { filter } })) out.push(JSON.parse(e.json) as T);
    return out;
  }

  /** Returns false when a record with these keys already exists. */
  async createIfAbsent(partitionKey: string, rowKey: string, value: T): Promise<boolean> {
    await this.#ensureTable();
    try {
      await this.table.createEntity<JsonEntity>({ partitionKey, rowKey, json: JSON.stringify(value) });
      return true;
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 409) return false;
      throw err;
    }
  }

  /** The record and its ETag, for a conditional write ({@link replaceIfUnchanged}). */
  async tryGetVersioned(partitionKey: string, rowKey: string): Promise<{ value: T; etag: string } | undefined> {
    return this.#read(partitionKey, rowKey);
  }

  /** Writes a new record; resolves its ETag, or undefined when a record with these keys exists. */
  async tryCreate(partitionKey: string, rowKey: string, value: T): Promise<string | undefined> {
    await this.#ensureTable();
    try {
      const created = await this.table.createEntity<JsonEntity>({ partitionKey, rowKey, json: JSON.stringify(value) });
      return etagOf(created.etag);
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 409) return undefined;
      throw err;
    }
  }

  /**
   * Replaces the record only if it is still the version `etag` names; resolves the new ETag, or
   * undefined when someone wrote (or deleted) it in between.
   */
  async replaceIfUnchanged(partitionKey: string, rowKey: string, value: T, etag: string): Promise<string | undefined> {
    await this.#ensureTable();
    try {
      const replaced = await this.table.updateEntity<JsonEntity>({ partitionKey, rowKey, json: JSON.stringify(value) }, 'Replace', { etag });
      return etagOf(replaced.etag);
    } catch (err) {
      if (err instanceof RestError && (err.statusCode === 412 || err.statusCode === 404)) return undefined;
      throw err;
    }
  }

  async upsert(partitionKey: string, rowKey: string, value: T): Promise<void> {
    await this.#ensureTable();
    await this.table.upsertEntity<JsonEntity>({ partitionKey, rowKey, json: JSON.stringify(value) }, 'Replace');
  }

  /**
   * Several writes to one partition in one request and one transaction: all take effect, or none.
   * Resolves false, having written nothing, when a `replaceIfUnchanged` record was written (or
   * deleted) by someone else in between. The records may be of other types than `T` (one
   * partition can hold several kinds of rows).
   */
  async writeTogether(partitionKey: string, writes: readonly JsonWrite[]): Promise<boolean> {
    await this.#ensureTable();
    const actions = writes.map((w): TransactionAction => {
      const entity = { partitionKey, rowKey: w.rowKey, json: JSON.stringify(w.value) };
      return w.kind === 'upsert' ? ['upsert', entity, 'Replace'] : ['update', entity, 'Replace', { etag: w.etag }];
    });
    try {
      await this.table.submitTransaction(actions);
      return true;
    } catch (err) {
      if (err instanceof RestError && (err.statusCode === 412 || err.statusCode === 404)) return false;
      throw err;
    }
  }

  /**
   * Applies `change` to the current record and writes it only if nobody wrote in between,
   * reading and trying again otherwise, after the conflict policy's jittered back-off (writers
   * that collided do not collide again at once) and within its bound; the last 412 is thrown
   * when that is spent. `change` returning undefined leaves the record as it is. Resolves
   * undefined when the record does not exist.
   */
  async update(partitionKey: string, rowKey: string, change: (current: T) => T | undefined): Promise<T | undefined> {
    const conflicts = this.conflicts.begin();
    for (;;) {
      const found = await this.#read(partitionKey, rowKey);
      if (!found) return undefined;
      const next = change(structuredClone(found.value));
      if (next === undefined) return found.value;
      try {
        await this.table.updateEntity<JsonEntity>({ partitionKey, rowKey, json: JSON.stringify(next) }, 'Replace', { etag: found.etag });
        return next;
      } catch (err) {
        if (err instanceof RestError && err.statusCode === 412 && (await conflicts.backOff())) continue;
        throw err;
      }
    }
  }

  async #read(partitionKey: string, rowKey: string): Promise<{ value: T; etag: string } | undefined> {
    await this.#ensureTable();
    try {
      const e = await this.table.getEntity<JsonEntity>(partitionKey, rowKey);
      return { value: JSON.parse(e.json) as T, etag: e.etag };
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  #ensureTable(): Promise<void> {
    this.#ensured ??= this.table.createTable().catch((err: unknown) => {
      this.#ensured = undefined;
      throw err;
    });
    return this.#ensured;
  }
}

function etagOf(etag: string | undefined): string {
  // The service always answers a write with the new version's ETag.
  if (etag === undefined) throw new Error('Table Storage answered a write without an ETag');
  return etag;
}
