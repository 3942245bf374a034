import type { BlobArchiveStore } from '../../shared/archive/blob-archive-store';
import { itemBlobName } from '../../shared/archive/blob-names';
import { mapWithConcurrency } from '../../shared/platform/concurrency/bounded-map';
import type { Connector } from '../../shared/connectors/connector';
import type { ConnectorStore } from '../../shared/connectors/connector-store';
import { productModule } from '../../shared/products';
import type { ArchiveItem, ArchiveSource } from '../../shared/telemessage/archive-source';

/** An enabled AT&T connector with automatic mapping on and no mapping file. */
export function benchConnector(id: string, now: Date = new Date()): Connector {
  const at = now.toISOString();
  return {
    id,
    product: 'att-network',
    folderName: productModule('att-network').defaultFolderName,
    // The import stage never calls TeleMessage; the fetch stage is not run by the bench.
    baseUrl: 'https://telemessage.bench.example',
    username: 'bench',
    passwordSecretName: 'BENCH_TELEMESSAGE_PASSWORD_UNUSED',
    enabled: true,
    autoMapping: true,
    defaultRegion: 'US',
    checkpoint: at,
    scheduledThrough: at,
    createdAt: at,
    updatedAt: at,
  };
}

export interface SeedOptions {
  connectors: ConnectorStore;
  store: BlobArchiveStore;
  connector: Connector;
  items: readonly ArchiveItem[];
  /** Serves the items' attachments (none for SMS). */
  source: ArchiveSource;
  /** Items stored at once. Default 16. */
  concurrency?: number;
}

/**
 * Puts a connector and its items where the fetch stage would: the connector row, then each item
 * through the real `BlobArchiveStore` (attachments verified and committed first, the item JSON
 * with its `_archive` field last). Returns the items' blob names in `archive-items`, in order.
 */
export async function seedArchive(options: SeedOptions): Promise<string[]> {
  const { connectors, store, connector, items, source } = options;
  await connectors.create(connector);
  await store.ensureContainers();
  await mapWithConcurrency(items, options.concurrency ?? 16, async (item) => {
    const result = await store.storeItem({ connectorId: connector.id, product: 'att-network', item, source });
    if (result.outcome !== 'stored') throw new Error(`Item ${item.id} of bench connector ${connector.id} was already stored: the bench needs a fresh connector id`);
    if (result.attachments.missing.length > 0) throw new Error(`Item ${item.id}: the generated source did not serve ${result.attachments.missing.join(', ')}`);
  });
  return items.map((item) => itemBlobName(connector.id, item.id));
}
