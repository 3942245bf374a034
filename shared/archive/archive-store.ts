import type { ArchiveItem, ArchiveProduct, ArchiveSource } from '../telemessage/archive-source';

/**
 * The fetch stage's writer: puts one archived item (its attachments first, its JSON last) where
 * the import stage picks it up. Writing the JSON last and only once is what makes the item
 * visible, complete, to the import stage exactly once.
 */
export interface ArchiveStore {
  storeItem(request: StoreItemRequest, options?: StoreItemOptions): Promise<StoreItemResult>;
}

export interface StoreItemRequest {
  connectorId: string;
  product: ArchiveProduct;
  /** The item exactly as the source listed it. */
  item: ArchiveItem;
  /** Where the attachments' bytes come from (the connector's own source client). */
  source: ArchiveSource;
}

export interface StoreItemOptions {
  signal?: AbortSignal;
}

/** `stored`: this call wrote the item JSON; `alreadyStored`: it existed before (nothing rewritten). */
export type StoreItemOutcome = 'stored' | 'alreadyStored';

export interface StoreItemResult {
  itemId: string;
  outcome: StoreItemOutcome;
  /** Bytes this call wrote to storage: attachment bytes plus the item JSON. */
  bytes: number;
  attachments: {
    /** Downloaded, verified and committed by this call. */
    stored: number;
    /** Found already committed with the expected size and sha256; not downloaded again. */
    alreadyStored: number;
    /** Ids the source answered "not found" for; listed in the item JSON's `_archive.missingAttachments`. */
    missing: string[];
  };
}
