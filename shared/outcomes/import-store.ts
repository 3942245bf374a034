import { createHash } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { JsonEntityTable } from '../platform/storage/json-entity-table';
import type { DeliveryKey, ItemOutcome, ItemOutcomeStatus, MailboxDelivery, VersionedDelivery } from './item-outcome';
import { boundOutcome } from './outcome-bounds';

export interface ImportStore {
  getOutcome(connectorId: string, itemId: string): Promise<ItemOutcome | undefined>;
  putOutcome(outcome: ItemOutcome): Promise<void>;
  listOutcomes(connectorId: string, status?: ItemOutcomeStatus): Promise<ItemOutcome[]>;
  getDelivery(connectorId: string, itemId: string, userId: string): Promise<MailboxDelivery | undefined>;
  /** The delivery record with its version, for a conditional write. */
  readDelivery(key: DeliveryKey): Promise<VersionedDelivery | undefined>;
  /** Writes a new delivery record; resolves its ETag, or undefined when the copy has one already. */
  createDelivery(delivery: MailboxDelivery): Promise<string | undefined>;
  /** Replaces the record if it is still at `etag`; resolves the new ETag, or undefined when someone else wrote it. */
  replaceDelivery(delivery: MailboxDelivery, etag: string): Promise<string | undefined>;
  /**
   * Replaces the delivery record if it is still at `etag` and writes the item's outcome, in one
   * transaction of the connector's partition: both are written, or neither. Resolves false,
   * having written nothing, when someone else wrote the delivery record.
   */
  replaceDeliveryWithOutcome(delivery: MailboxDelivery, etag: string, outcome: ItemOutcome): Promise<boolean>;
}

/** Longest encoded id kept whole in a row key; a table key holds at most 1 KiB. */
const MAX_KEY_PART = 400;

/**
 * Row keys may not hold / \ # ?: item ids are percent-encoded, which keeps them distinct. An id
 * whose encoding is too long for a key keeps a readable prefix and ends with `^` and the SHA-256
 * of the id; `encodeURIComponent` always escapes `^`, so no plain encoding takes that form.
 */
function rowSafe(value: string): string {
  if (/\p{Cs}/u.test(value)) {
    // A lone surrogate cannot be percent-encoded: always the hashed form, over the UTF-16 code units.
    const readable = encodeURIComponent(value.replace(/\p{Cs}/gu, '\uFFFD')).slice(0, MAX_KEY_PART - 65);
    const percent = readable.lastIndexOf('%');
    const prefix = percent > readable.length - 3 ? readable.slice(0, percent) : readable;
    return `${prefix}^${createHash('sha256').update(Buffer.from(value, 'utf16le')).digest('hex')}`;
  }
  const encoded = encodeURIComponent(value);
  if (encoded.length <= MAX_KEY_PART) return encoded;
  let prefix = encoded.slice(0, MAX_KEY_PART - 65);
  // Do not cut a %XX escape in half.
  const percent = prefix.lastIndexOf('%');
  if (percent > prefix.length - 3) prefix = prefix.slice(0, percent);
  return `${prefix}^${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

function itemRow(itemId: string): string {
  return `item|${rowSafe(itemId)}`;
}

function deliveryRow(key: Pick<DeliveryKey, 'itemId' | 'userId'>): string {
  return `delivery|${rowSafe(key.itemId)}|${rowSafe(key.userId)}`;
}

/**
 * Import outcomes in Azure Table Storage, partitioned by connector: one `item|…` row per item
 * and one `delivery|…` row per item and mailbox.
 */
export class TableImportStore implements ImportStore {
  readonly #outcomes: JsonEntityTable<ItemOutcome>;
  readonly #deliveries: JsonEntityTable<MailboxDelivery>;

  constructor(table: TableClient) {
    this.#outcomes = new JsonEntityTable<ItemOutcome>(table);
    this.#deliveries = new JsonEntityTable<MailboxDelivery>(table);
  }

  getOutcome(connectorId: string, itemId: string): Promise<ItemOutcome | undefined> {
    return this.#outcomes.tryGet(connectorId, itemRow(itemId));
  }

  putOutcome(outcome: ItemOutcome): Promise<void> {
    // Bounded so that it always fits one table property, whatever the item holds.
    return this.#outcomes.upsert(outcome.connectorId, itemRow(outcome.itemId), boundOutcome(outcome));
  }

  async listOutcomes(connectorId: string, status?: ItemOutcomeStatus): Promise<ItemOutcome[]> {
    // `item|` < row keys < `item}`: every item row of the partition.
    const all = await this.#outcomes.list(
      odata`PartitionKey eq ${connectorId} and RowKey ge 'item|' and RowKey lt 'item}'`,
    );
    return (status ? all.filter((o) => o.status === status) : all).sort((a, b) => a.itemId.localeCompare(b.itemId));
  }

  getDelivery(connectorId: string, itemId: string, userId: string): Promise<MailboxDelivery | undefined> {
    return this.#deliveries.tryGet(connectorId, deliveryRow({ itemId, userId }));
  }

  async readDelivery(key: DeliveryKey): Promise<VersionedDelivery | undefined> {
    const found = await this.#deliveries.tryGetVersioned(key.connectorId, deliveryRow(key));
    return found && { delivery: found.value, etag: found.etag };
  }

  createDelivery(delivery: MailboxDelivery): Promise<string | undefined> {
    return this.#deliveries.tryCreate(delivery.connectorId, deliveryRow(delivery), delivery);
  }

  replaceDelivery(delivery: MailboxDelivery, etag: string): Promise<string | undefined> {
    return this.#deliveries.replaceIfUnchanged(delivery.connectorId, deliveryRow(delivery), delivery, etag);
  }

  replaceDeliveryWithOutcome(delivery: MailboxDelivery, etag: string, outcome: ItemOutcome): Promise<boolean> {
    if (outcome.connectorId !== delivery.connectorId) {
      throw new RangeError(`an outcome of connector ${outcome.connectorId} cannot be written with a delivery of connector ${delivery.connectorId}`);
    }
    return this.#deliveries.writeTogether(delivery.connectorId, [
      { kind: 'replaceIfUnchanged', rowKey: deliveryRow(delivery), value: delivery, etag },
      { kind: 'upsert', rowKey: itemRow(outcome.itemId), value: boundOutcome(outcome) },
    ]);
  }
}
