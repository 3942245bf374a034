import { createHash } from 'node:crypto';

/**
 * Blob names for the archive, shared by the fetch stage (writer) and the import stage (reader):
 *   archive-items:       {connectorId}/{itemId}.json
 *   archive-attachments: {connectorId}/{itemId}/{attachmentId}
 *
 * Ids come from TeleMessage and may hold anything, so each id is one encoded path segment:
 * ASCII letters, digits, `-`, `_` and `.` stay as they are; every other UTF-8 byte becomes `~XX`
 * (two upper-case hex digits), `~` included; a trailing `.` becomes `~2E` (Azure advises against
 * names ending in a dot, and `.`/`..` segments would be folded away by URL normalisation).
 * `%` is deliberately not the escape character: the storage SDK leaves `%XX` sequences in a name
 * unescaped, so the service would decode them and store a different name.
 * The encoding is deterministic and, for segments up to {@link MAX_SEGMENT_LENGTH} characters,
 * reversible with {@link decodeBlobNameSegment}. A longer encoding keeps a readable prefix and
 * ends with `~~` and the SHA-256 of the id, which stays unique but is not reversible.
 */

export const MAX_SEGMENT_LENGTH = 250;
const HASHED_PREFIX_LENGTH = MAX_SEGMENT_LENGTH - 2 - 64;
const PLAIN = /[A-Za-z0-9._-]/;

export function encodeBlobNameSegment(id: string): string {
  if (typeof id !== 'string' || id === '') throw new TypeError('A blob name segment needs a non-empty id');
  if (/\p{Cs}/u.test(id)) throw new TypeError('A blob name segment cannot be made from a string with lone surrogates');
  let encoded = '';
  for (const character of id) {
    if (PLAIN.test(character)) {
      encoded += character;
    } else {
      for (const byte of Buffer.from(character, 'utf8')) encoded += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  if (encoded.endsWith('.')) encoded = `${encoded.slice(0, -1)}~2E`;
  if (encoded.length <= MAX_SEGMENT_LENGTH) return encoded;
  return hashedSegment(encoded, createHash('sha256').update(id, 'utf8').digest('hex'));
}

/** A readable prefix of `encoded`, then `~~` and the hash. */
function hashedSegment(encoded: string, hash: string): string {
  let prefix = encoded.slice(0, HASHED_PREFIX_LENGTH);
  // Do not cut an escape in half, and do not end the prefix with a dot.
  const tilde = prefix.lastIndexOf('~');
  if (tilde > prefix.length - 3) prefix = prefix.slice(0, tilde);
  prefix = prefix.replace(/\.+$/, '');
  return `${prefix}~~${hash}`;
}

/**
 * `{connectorId}/{itemId}.json` for the `quarantine` container: the item's own blob name, or, for
 * an id no blob name can be made from (lone surrogates), a hashed name (readable prefix with
 * U+FFFD for each lone surrogate, then `~~` and the SHA-256 of the id's UTF-16 code units), so
 * that such an item can still be kept where an administrator sees it.
 */
export function quarantineBlobName(connectorId: string, itemId: string): string {
  if (!/\p{Cs}/u.test(itemId)) return itemBlobName(connectorId, itemId);
  const readable = encodeBlobNameSegment(itemId.replace(/\p{Cs}/gu, '\uFFFD'));
  const hash = createHash('sha256').update(Buffer.from(itemId, 'utf16le')).digest('hex');
  return `${encodeBlobNameSegment(connectorId)}/${hashedSegment(readable, hash)}.json`;
}

/** The id an encoded segment stands for; undefined for a hashed (overlong) or malformed segment. */
export function decodeBlobNameSegment(segment: string): string | undefined {
  if (!/^(?:[A-Za-z0-9._-]|~[0-9A-F]{2})+$/.test(segment)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; ) {
    if (segment[i] === '~') {
      bytes.push(parseInt(segment.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(segment.charCodeAt(i));
      i += 1;
    }
  }
  const decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    const id = decoded.decode(Uint8Array.from(bytes));
    // Only the canonical form decodes: anything else would let two names stand for one id.
    return encodeBlobNameSegment(id) === segment ? id : undefined;
  } catch {
    return undefined;
  }
}

/** `{connectorId}/{itemId}.json` in the `archive-items` container. */
export function itemBlobName(connectorId: string, itemId: string): string {
  return `${encodeBlobNameSegment(connectorId)}/${encodeBlobNameSegment(itemId)}.json`;
}

/** `{connectorId}/{itemId}/{attachmentId}` in the `archive-attachments` container. */
export function attachmentBlobName(connectorId: string, itemId: string, attachmentId: string): string {
  return `${encodeBlobNameSegment(connectorId)}/${encodeBlobNameSegment(itemId)}/${encodeBlobNameSegment(attachmentId)}`;
}

/**
 * Reads an item blob name back into its parts (the blob trigger's `{name}`); undefined when the
 * name is not one {@link itemBlobName} makes reversibly.
 */
export function parseItemBlobName(name: string): { connectorId: string; itemId: string } | undefined {
  const match = /^([^/]+)\/([^/]+)\.json$/.exec(name);
  if (match === null) return undefined;
  const connectorId = decodeBlobNameSegment(match[1]!);
  const itemId = decodeBlobNameSegment(match[2]!);
  return connectorId === undefined || itemId === undefined ? undefined : { connectorId, itemId };
}
