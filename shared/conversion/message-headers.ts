import { createHash } from 'node:crypto';
import { toWellFormed } from './safe-text';

/** Graph's shape for one entry of `internetMessageHeaders`. */
export interface InternetMessageHeader {
  name: string;
  value: string;
}

/** The `x-` headers that carry an item's source ids (Graph accepts only `x-` names on create). */
export const SOURCE_HEADER_NAMES = {
  itemId: 'x-telemessage-item-id',
  product: 'x-telemessage-product',
  kind: 'x-telemessage-kind',
  conversationId: 'x-telemessage-conversation-id',
  conversationType: 'x-telemessage-conversation-type',
  direction: 'x-telemessage-direction',
  sentAt: 'x-telemessage-sent-at',
  archivedAt: 'x-telemessage-archived-at',
} as const;

/** Longest header value produced; a header line stays far below RFC 5322's 998 characters. */
export const MAX_HEADER_VALUE_LENGTH = 256;

const HEADER_NAME = /^x-[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** `x-telemessage-<suffix>` for a product module's extra source id; the suffix is checked, not trusted. */
export function sourceHeaderName(suffix: string): string {
  const name = `x-telemessage-${suffix}`;
  if (!HEADER_NAME.test(name) || name.length > 76) {
    throw new Error(`${JSON.stringify(suffix)} cannot name a source header: use lower-case letters, digits and single hyphens`);
  }
  return name;
}

/**
 * A header value that cannot break a header: printable ASCII is kept, and everything else (CR, LF,
 * other controls, space, non-ASCII, and `%` itself) is percent-encoded as UTF-8, so an untruncated
 * value decodes back exactly with `decodeURIComponent`. A value longer than `maxLength` is cut
 * (never inside an escape) and ends in `~` and 8 hex digits of its SHA-256, keeping distinct
 * values distinct.
 */
export function encodeHeaderValue(value: string, maxLength = MAX_HEADER_VALUE_LENGTH): string {
  const pieces = Array.from(toWellFormed(value), (character) => {
    const code = character.codePointAt(0) ?? 0;
    return code > 0x20 && code < 0x7f && character !== '%' ? character : percentEncode(character);
  });
  const encoded = pieces.join('');
  if (encoded.length <= maxLength) {
    return encoded;
  }
  const digest = `~${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8)}`;
  let kept = '';
  for (const piece of pieces) {
    if (kept.length + piece.length + digest.length > maxLength) {
      break;
    }
    kept += piece;
  }
  return `${kept}${digest}`;
}

function percentEncode(character: string): string {
  return Array.from(Buffer.from(character, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}
