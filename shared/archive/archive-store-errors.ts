/** An item that cannot be stored as it is: names the item, the field and what is wrong. */
export class ArchiveItemValidationError extends Error {
  override readonly name = 'ArchiveItemValidationError';
  readonly itemId: string | undefined;
  /** Dotted path of the offending field, e.g. `attachments[2].sha256`. */
  readonly field: string;

  constructor(itemId: string | undefined, field: string, problem: string) {
    super(`Item ${itemId === undefined ? '(without id)' : JSON.stringify(itemId)}: field "${field}" ${problem}`);
    this.itemId = itemId;
    this.field = field;
  }
}

export interface AttachmentFingerprint {
  size: number;
  /** Lower-case hex; absent when the bytes were not all read (a size mismatch found early). */
  sha256?: string;
  /** True when reading stopped as soon as the size was known to be wrong. */
  sizeIsLowerBound?: boolean;
}

/**
 * The bytes of an attachment are not the ones the item describes. Nothing was committed for
 * the attachment and the item JSON was not written, so a later run retries the whole item.
 */
export class AttachmentIntegrityError extends Error {
  override readonly name = 'AttachmentIntegrityError';
  readonly itemId: string;
  readonly attachmentId: string;
  readonly expected: AttachmentFingerprint;
  readonly actual: AttachmentFingerprint;

  constructor(itemId: string, attachmentId: string, expected: AttachmentFingerprint, actual: AttachmentFingerprint) {
    const what =
      expected.size !== actual.size
        ? `size ${actual.sizeIsLowerBound === true ? 'at least ' : ''}${actual.size} bytes, expected ${expected.size}`
        : `sha256 ${actual.sha256 ?? '(not computed)'}, expected ${expected.sha256 ?? '(unknown)'}`;
    super(`Item ${JSON.stringify(itemId)}, attachment ${JSON.stringify(attachmentId)}: downloaded bytes do not match the item (${what})`);
    this.itemId = itemId;
    this.attachmentId = attachmentId;
    this.expected = expected;
    this.actual = actual;
  }
}
