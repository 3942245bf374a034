import { createHash, randomBytes } from 'node:crypto';

/**
 * Exchange item and folder ids are long opaque base64 strings starting `AAMk`. The simulator's
 * are random (or derived, for well-known folders) and URL-safe, so they survive a path segment
 * as they are; clients should still percent-encode them, as real ids can hold `/` and `+`.
 */
export function newItemId(): string {
  return `AAMk${randomBytes(33).toString('base64url')}`;
}

/** An id that is the same every time for the same parts (well-known folders of a mailbox). */
export function derivedId(...parts: string[]): string {
  return `AAMk${createHash('sha256').update(parts.join('\u0000')).digest('base64url')}`;
}

export function newChangeKey(): string {
  return `CQAAABYAAA${randomBytes(12).toString('base64url')}`;
}

export function newOpaqueToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Graph prints instants without milliseconds: `2024-05-01T10:00:00Z`. */
export function graphInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
