import type { AttachmentRef } from '../items';
import { oneLine } from './safe-text';

/**
 * What becomes of one of the item's attachments:
 * - `import`: the writer adds it to the message after creating it;
 * - `keepInStorage`: it stays in the connector's archive storage and the body says so;
 * - `unavailable`: the source no longer had it (404 at fetch); the body says so.
 */
export type AttachmentDisposition = 'import' | 'keepInStorage' | 'unavailable';

/** Why an attachment is not imported. */
export type NotImportedReason = 'tooLarge' | 'messageTooLarge' | 'policy' | 'unavailable';

export interface PlannedAttachment {
  /** The source attachment id (blob `archive-attachments/{connectorId}/{itemId}/{attachmentId}`). */
  readonly attachmentId: string;
  /** The attachment's name in the mailbox: the source file name on one line, path separators replaced. */
  readonly name: string;
  readonly contentType: string;
  /** Bytes, as the item declares them. */
  readonly size: number;
  /** Lower-case hex SHA-256 the bytes must match. */
  readonly sha256: string;
  readonly disposition: AttachmentDisposition;
  /** Present unless `disposition` is `import`. */
  readonly reason?: NotImportedReason;
  /**
   * True for an imported image that the body shows: the writer adds it as a file attachment with
   * `isInline: true` and {@link PlannedAttachment.contentId}, whichever way it uploads it. It is
   * still one of the message's attachments. False for every other attachment (sent as is).
   */
  readonly isInline: boolean;
  /** Present exactly when `isInline`: the body shows the image as `<img src="cid:<contentId>">`. */
  readonly contentId?: string;
}

/** Graph's ceiling for one attachment (an upload session takes up to 150 MB). */
export const MAX_GRAPH_ATTACHMENT_BYTES = 150 * 1024 * 1024;

export interface AttachmentPlanOptions {
  /** Attachments larger than this stay in storage. Default {@link MAX_GRAPH_ATTACHMENT_BYTES}. */
  maxAttachmentBytes?: number;
  /** Imported attachments of one message add up to at most this; later ones stay in storage. Default {@link MAX_GRAPH_ATTACHMENT_BYTES}. */
  maxTotalAttachmentBytes?: number;
  /**
   * The caller's decision for an attachment, e.g. `unavailable` for one the fetch stage could not
   * download, or `keepInStorage` by policy; undefined applies the size rules.
   */
  attachmentDisposition?: (attachment: AttachmentRef) => AttachmentDisposition | undefined;
}

const MAX_ATTACHMENT_NAME_LENGTH = 200;

/** Decides, in the item's order, which attachments are imported and which are not, and why. */
export function planAttachments(
  attachments: readonly AttachmentRef[],
  options: AttachmentPlanOptions = {},
): PlannedAttachment[] {
  const maxEach = options.maxAttachmentBytes ?? MAX_GRAPH_ATTACHMENT_BYTES;
  const maxTotal = options.maxTotalAttachmentBytes ?? MAX_GRAPH_ATTACHMENT_BYTES;
  let total = 0;
  return attachments.map((attachment): PlannedAttachment => {
    const base = {
      attachmentId: attachment.id,
      name: attachmentName(attachment.fileName),
      contentType: mediaType(attachment.contentType),
      size: attachment.size,
      sha256: attachment.sha256,
      isInline: false,
    };
    const decided = options.attachmentDisposition?.(attachment);
    if (decided === 'unavailable') {
      return { ...base, disposition: 'unavailable', reason: 'unavailable' };
    }
    if (decided === 'keepInStorage') {
      return { ...base, disposition: 'keepInStorage', reason: 'policy' };
    }
    if (attachment.size > maxEach) {
      return { ...base, disposition: 'keepInStorage', reason: 'tooLarge' };
    }
    if (total + attachment.size > maxTotal) {
      return { ...base, disposition: 'keepInStorage', reason: 'messageTooLarge' };
    }
    total += attachment.size;
    return { ...base, disposition: 'import' };
  });
}

/**
 * A file name fit for a mailbox attachment and for the disk it is saved to: one line, no path
 * separators, extension kept when shortened, no trailing dots or spaces (Windows drops them), and
 * no name Windows reserves for a device (`CON`, `NUL.txt`, `com1.tar.gz`), which gets a `_` first.
 */
export function attachmentName(fileName: string): string {
  const flat = oneLine(fileName, Number.MAX_SAFE_INTEGER).replace(/[\\/]/g, '_');
  let name = flat;
  if (flat.length > MAX_ATTACHMENT_NAME_LENGTH) {
    const dot = flat.lastIndexOf('.');
    const extension = dot > 0 && flat.length - dot <= 16 ? flat.slice(dot) : '';
    name = `${oneLine(flat.slice(0, flat.length - extension.length), MAX_ATTACHMENT_NAME_LENGTH - extension.length)}${extension}`;
  }
  name = name.replace(/[. ]+$/u, '');
  if (name.length === 0) return 'attachment';
  return WINDOWS_DEVICE_NAME.test(name.split('.', 1)[0]!.trimEnd()) ? `_${name}` : name;
}

/** Windows' device names: reserved whatever the extension, case and trailing spaces. */
const WINDOWS_DEVICE_NAME = /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[1-9\u00b9\u00b2\u00b3]|LPT[1-9\u00b9\u00b2\u00b3])$/iu;

const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * The media type alone (`type/subtype`, lower case): parameters such as `name="evil.exe"` are the
 * source's to claim and a mail client may prefer them to the attachment's name, so none is passed
 * on. Anything that is not a media type becomes `application/octet-stream`.
 */
export function mediaType(contentType: string): string {
  const essence = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return MEDIA_TYPE.test(essence) ? essence : 'application/octet-stream';
}
