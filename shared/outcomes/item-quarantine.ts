import type { QuarantineStore } from './quarantine-store';
import type { ImportStore } from './import-store';
import type { ItemOutcome } from './item-outcome';

/**
 * Keeps an item that cannot go through the pipeline in the `quarantine` container, with the
 * reason, and lists it among the connector's outcomes, so it is never lost and never silent.
 */
export class ItemQuarantine {
  constructor(private readonly storage: QuarantineStore, private readonly imports: ImportStore) {}

  async quarantine(connectorId: string, itemId: string, item: unknown, reason: string): Promise<ItemOutcome> {
    const blobName = await this.storage.quarantine(connectorId, itemId, Buffer.from(JSON.stringify(item), 'utf8'), reason);
    const now = new Date().toISOString();
    const previous = await this.imports.getOutcome(connectorId, itemId);
    const outcome: ItemOutcome = {
      connectorId, itemId, blobName, status: 'quarantined', reason, mailboxes: [], unmapped: [],
      attempts: (previous?.attempts ?? 0) + 1, firstProcessedAt: previous?.firstProcessedAt ?? now, updatedAt: now,
    };
    await this.imports.putOutcome(outcome);
    return outcome;
  }
}
