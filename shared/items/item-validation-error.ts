/**
 * An archived item that the pipeline cannot rely on. The import stage quarantines it; the message
 * names the item, the field (a JSON path such as `to[2].phone`) and the cause, and never quotes
 * the field's value, which may be message text or a phone number.
 */
export class ItemValidationError extends Error {
  override readonly name = 'ItemValidationError';

  /** The item's source id, or undefined when the id itself is missing or unusable. */
  readonly itemId: string | undefined;
  /** JSON path of the offending field; `$` for the item as a whole. */
  readonly field: string;
  /** Why the field was refused, e.g. "must be an RFC 3339 UTC time". */
  readonly reason: string;

  constructor(init: { itemId: string | undefined; field: string; reason: string }) {
    const item = init.itemId === undefined ? 'Archived item (id unknown)' : `Archived item ${JSON.stringify(init.itemId)}`;
    super(`${item} is invalid: field ${init.field} ${init.reason}`);
    this.itemId = init.itemId;
    this.field = init.field;
    this.reason = init.reason;
  }
}
