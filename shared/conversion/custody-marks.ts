
/**
 * The marks that tie a mailbox copy to the raw archive: the item's SHA-256 as stored and each
 * attachment's, carried in named extended properties (authoritative, any length) and in `x-`
 * headers (readable in any client's message source).
 */
export const CUSTODY_HEADER_NAMES = {
  itemSha256: 'x-telemessage-item-sha256',
  /** The attachments' SHA-256 values in item order, comma-separated. */
  attachmentsSha256: 'x-telemessage-attachments-sha256',
} as const;

/**
 * Room for 14 attachment hashes in the header line (RFC 5322 allows 998 characters); an item with
 * more ends in a digest of the rest, and the extended property has every one.
 */
export const MAX_CUSTODY_HEADER_LENGTH = 960;

export interface AttachmentHash {
  id: string;
  sha256: string;
}

/** The value of the attachments' hash property: JSON, so that any attachment id survives. */
export function attachmentHashesValue(item: { readonly attachments: readonly { readonly id: string; readonly sha256: string }[] }): string {
  return JSON.stringify(item.attachments.map((a): AttachmentHash => ({ id: a.id, sha256: a.sha256 })));
}

/** Reads the property back; undefined when it is not a list of `{ id, sha256 }`. */
export function parseAttachmentHashes(value: string): AttachmentHash[] | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) return undefined;
    const hashes: AttachmentHash[] = [];
    for (const entry of parsed) {
      const { id, sha256 } = (entry ?? {}) as Record<string, unknown>;
      if (typeof id !== 'string' || typeof sha256 !== 'string') return undefined;
      hashes.push({ id, sha256 });
    }
    return hashes;
  } catch {
    return undefined;
  }
}
