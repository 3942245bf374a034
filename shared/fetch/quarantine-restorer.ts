import type { ContainerClient } from '@azure/storage-blob';
import type { ArchiveStore } from '../archive/archive-store';
import { quarantineBlobName } from '../archive/blob-names';
import type { Connector } from '../connectors/connector';
import type { ConnectorStore } from '../connectors/connector-store';
import { isArchiveProduct, type ArchiveItem, type ArchiveSource } from '../telemessage/archive-source';
import { describeItemError } from './fetch-window-service';
import { isWindowLevelFailure } from './window-failure';

export interface QuarantineRestorerOptions {
  connectors: ConnectorStore;
  /** The `quarantine` container, read only. */
  quarantined: ContainerClient;
  store: ArchiveStore;
  sourceFor(connector: Connector): Promise<ArchiveSource>;
  /** Keeps the item quarantined with the new reason (the fetch stage's quarantine). */
  quarantine(connectorId: string, itemId: string, item: unknown, reason: string): Promise<void>;
}

/** `stored`: the item is now in the archive and the import stage takes it from there; `quarantined`: it failed again, with `reason`. */
export type RestoreResult = { status: 'stored' | 'alreadyStored' } | { status: 'quarantined'; reason: string };

/**
 * Replays an item the fetch stage quarantined (it never reached `archive-items`): the item as
 * TeleMessage listed it is read back from the `quarantine` container and stored exactly as the
 * fetch stage stores it, attachments fetched from TeleMessage again and verified, the item JSON
 * written once (`If-None-Match: *`). Its arrival in `archive-items` starts the import, so the item
 * is imported through the one path every item takes, once. An item that fails again stays
 * quarantined with the new reason; a source or storage that cannot be reached fails the replay,
 * which the host retries.
 */
export class QuarantinedItemRestorer {
  constructor(private readonly options: QuarantineRestorerOptions) {}

  /** Undefined when the item is not in quarantine. */
  async restore(connectorId: string, itemId: string, signal?: AbortSignal): Promise<RestoreResult | undefined> {
    const blob = this.options.quarantined.getBlobClient(quarantineBlobName(connectorId, itemId));
    if (!(await blob.exists({ abortSignal: signal }))) return undefined;
    const bytes = await blob.downloadToBuffer(0, undefined, { abortSignal: signal });
    const connector = await this.options.connectors.get(connectorId);
    if (!isArchiveProduct(connector.product)) throw new Error(`Connector "${connector.id}" has unknown product "${connector.product}"`);
    const item = listedItem(bytes, itemId);
    if (item === undefined) {
      // Quarantined by the import stage, or not the item as listed: nothing the fetch stage can store.
      return { status: 'quarantined', reason: `the quarantined copy of item ${JSON.stringify(itemId)} is not the item as TeleMessage listed it` };
    }
    const source = await this.options.sourceFor(connector);
    try {
      const result = await this.options.store.storeItem({ connectorId, product: connector.product, item, source }, signal === undefined ? {} : { signal });
      return { status: result.outcome };
    } catch (error) {
      if (isWindowLevelFailure(error, signal)) throw error;
      const reason = describeItemError(error);
      await this.options.quarantine(connectorId, itemId, item, reason);
      return { status: 'quarantined', reason };
    }
  }
}

function listedItem(bytes: Buffer, itemId: string): ArchiveItem | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const item = value as ArchiveItem;
    // A stored copy (with `_archive`) came from the archive, which the import stage replays itself.
    return item.id === itemId && !('_archive' in item) ? item : undefined;
  } catch {
    return undefined;
  }
}
