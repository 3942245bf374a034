/**
 * An archived item that the pipeline cannot rely on. The import stage quarantines it; the message
 * names the item, the field (a JSON path such as `to[2].phone`) and the cause, and never quotes
 * the field's value, which may be message text or a phone number.
 */
/** Characters of an unusable id shown in a message. */
export const SHOWN_ID_LENGTH = 64;

export class ItemValidationError extends Error {
  override readonly name = 'ItemValidationError';

  /** The item's source id, or undefined when the id itself is missing or unusable. */
  readonly itemId: string | undefined;
  /** JSON path of the offending field; `$` for the item as a whole. */
  readonly field: string;
  /** Why the field was refused, e.g. "must be an RFC 3339 UTC time". */
  readonly reason: string;

  /**
   * How an id that is known but cannot be used (too long, control characters) is shown: its first
   * {@link SHOWN_ID_LENGTH} characters, escaped as JSON escapes them, and how many were left out.
   */
  static showId(id: string): string {
    const shown = JSON.stringify(id.slice(0, SHOWN_ID_LENGTH));
    return id.length > SHOWN_ID_LENGTH ? `${shown}… (${id.length - SHOWN_ID_LENGTH} more characters)` : shown;
  }

  constructor(init: { itemId: string | undefined; field: string; reason: string; shownId?: string }) {
    const item =
      init.itemId !== undefined
        ? `Archived item ${JSON.stringify(init.itemId)}`
        : init.shownId !== undefined
          ? `Archived item ${init.shownId}`
          : 'Archived item (id unknown)';
    super(`${item} is invalid: field ${init.field} ${init.reason}`);
    this.itemId = init.itemId;
    this.field = init.field;
    this.reason = init.reason;
  }
}
