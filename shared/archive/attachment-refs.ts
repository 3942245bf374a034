import type { ArchiveItem } from '../telemessage/archive-source';
import { ArchiveItemValidationError } from './archive-store-errors';

/** What the store needs to know of one attachment listed in an item. */
export interface AttachmentRef {
  id: string;
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
  contentType: string | undefined;
}

/**
 * Reads and checks `item.attachments` (absent means none). Only the fields the store relies on
 * are checked here; the rest of the item is the import stage's business.
 */
export function readAttachmentRefs(item: ArchiveItem): AttachmentRef[] {
  const itemId = typeof item.id === 'string' && item.id !== '' ? item.id : undefined;
  if (itemId === undefined) throw new ArchiveItemValidationError(undefined, 'id', 'must be a non-empty string');
  checkIdText(itemId, itemId, 'id');
  const list = item.attachments;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new ArchiveItemValidationError(itemId, 'attachments', 'must be an array');
  const seen = new Set<string>();
  return list.map((entry: unknown, index): AttachmentRef => {
    const at = (field: string): string => `attachments[${index}]${field === '' ? '' : `.${field}`}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ArchiveItemValidationError(itemId, at(''), 'must be an object');
    }
    const { id, size, sha256, contentType } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || id === '') throw new ArchiveItemValidationError(itemId, at('id'), 'must be a non-empty string');
    checkIdText(itemId, id, at('id'));
    if (seen.has(id)) throw new ArchiveItemValidationError(itemId, at('id'), `repeats attachment id ${JSON.stringify(id)}`);
    seen.add(id);
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new ArchiveItemValidationError(itemId, at('size'), 'must be a non-negative integer');
    }
    if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256)) {
      throw new ArchiveItemValidationError(itemId, at('sha256'), 'must be 64 hexadecimal digits');
    }
    if (contentType !== undefined && contentType !== null && typeof contentType !== 'string') {
      throw new ArchiveItemValidationError(itemId, at('contentType'), 'must be a string when present');
    }
    return { id, size, sha256: sha256.toLowerCase(), contentType: typeof contentType === 'string' && contentType !== '' ? contentType : undefined };
  });
}

/**
 * Ids become blob names and row keys: text UTF-8 cannot carry (a lone UTF-16 surrogate) would
 * make the name builders throw, so it is refused here, as the listing is read, with the item and
 * field named.
 */
function checkIdText(itemId: string, id: string, field: string): void {
  if (/\p{Cs}/u.test(id)) throw new ArchiveItemValidationError(itemId, field, 'holds a lone UTF-16 surrogate, which no blob name can hold');
}
