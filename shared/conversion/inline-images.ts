import { createHash } from 'node:crypto';
import type { ArchivedItem } from '../items';
import type { PlannedAttachment } from './attachment-plan';

/**
 * The image types shown in the body: the ones mail clients display inline. SVG is left out on
 * purpose (it can carry script and links); any other type stays an ordinary attachment.
 */
export const INLINE_IMAGE_CONTENT_TYPES: readonly string[] = Object.freeze(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** The domain part of inline images' Content-IDs; under `.invalid` (RFC 2606), so it names nothing real. */
export const CONTENT_ID_DOMAIN = 'telemessage.invalid';

/** A Content-ID as {@link inlineImageContentId} makes it; the body refuses any other. */
export const CONTENT_ID_PATTERN = /^[0-9a-f]{32}@telemessage\.invalid$/;

/** True for a media type in {@link INLINE_IMAGE_CONTENT_TYPES}, whatever its case or parameters. */
export function isInlineImageType(contentType: string): boolean {
  const essence = contentType.split(';', 1)[0].trim().toLowerCase();
  return INLINE_IMAGE_CONTENT_TYPES.includes(essence);
}

/**
 * The Content-ID of one attachment of one item: 32 hex digits of the SHA-256 of the product, the
 * item id and the attachment id, at {@link CONTENT_ID_DOMAIN}. Ids cannot hold control
 * characters (the item parser refuses them), so the line feeds that join them keep distinct
 * triples distinct. The same on every import of the item, and made only of lower-case hex, `@`
 * and `.`, so it needs no escaping in a MIME header, a `cid:` URL or an HTML attribute.
 */
export function inlineImageContentId(item: Pick<ArchivedItem, 'product' | 'id'>, attachmentId: string): string {
  const digest = createHash('sha256').update(`${item.product}\n${item.id}\n${attachmentId}`, 'utf8').digest('hex');
  return `${digest.slice(0, 32)}@${CONTENT_ID_DOMAIN}`;
}

/**
 * Marks the imported images among `attachments` as inline, each with its Content-ID. Images kept
 * in storage or unavailable, images over `maxBytes`, and every other type are left as they are:
 * the body can only show what the message will carry.
 */
export function withInlineImages(
  attachments: readonly PlannedAttachment[],
  item: Pick<ArchivedItem, 'product' | 'id'>,
  maxBytes = Number.POSITIVE_INFINITY,
): PlannedAttachment[] {
  return attachments.map((attachment) =>
    attachment.disposition === 'import' && attachment.size <= maxBytes && isInlineImageType(attachment.contentType)
      ? { ...attachment, isInline: true, contentId: inlineImageContentId(item, attachment.attachmentId) }
      : attachment,
  );
}
