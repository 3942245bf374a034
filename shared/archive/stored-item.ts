import type { ArchiveItem, ArchiveProduct } from '../telemessage/archive-source';

/**
 * The item JSON in `archive-items` is the item exactly as the source listed it, plus one field
 * of the archive's own, `_archive` (a name the TeleMessage contract does not use; should a
 * source ever send a field of that name, the archive's value replaces it).
 */
export const ARCHIVE_METADATA_FIELD = '_archive';

export interface ArchiveMetadata {
  /** Shape version of this object; readers refuse versions they do not know. */
  version: 1;
  connectorId: string;
  product: ArchiveProduct;
  /**
   * Attachments listed in the item that the source answered 404 for when they were fetched.
   * They have no blob in `archive-attachments`; the import stage imports the item without them
   * (and can say so in the message). Always present, empty when nothing is missing.
   */
  missingAttachments: MissingAttachment[];
}

export interface MissingAttachment {
  id: string;
  reason: 'not-found';
}

export type StoredArchiveItem = ArchiveItem & { [ARCHIVE_METADATA_FIELD]: ArchiveMetadata };

export function toStoredItem(item: ArchiveItem, metadata: ArchiveMetadata): StoredArchiveItem {
  return { ...item, [ARCHIVE_METADATA_FIELD]: metadata };
}
