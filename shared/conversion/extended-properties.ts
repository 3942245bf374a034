import { odata } from '@azure/data-tables';
/**
 * MAPI properties set on create through `singleValueExtendedProperties`: the ones that make an
 * imported item look delivered (they cannot be changed afterwards) and the project's own named
 * properties that carry source ids.
 */

/** Graph's shape for one entry of `singleValueExtendedProperties`; `value` is always a string. */
export interface SingleValueExtendedProperty {
  id: string;
  value: string;
}

/**
 * The property set (namespace) of this project's named properties. Fixed for good: items already
 * imported are found again by it, so changing it would import everything a second time.
 */
export const SOURCE_PROPERTY_SET_GUID = 'ce5e44a8-51ac-47ca-84bc-a70cd49afeae';

export const SOURCE_PROPERTY_NAMES = {
  /** The TeleMessage item id; the writer filters on it to find an item after an ambiguous failure. */
  itemId: 'TeleMessageItemId',
  product: 'TeleMessageProduct',
  /** {@link conversationKey} of the item's conversation, for finding the conversation's other items. */
  conversationKey: 'TeleMessageConversationKey',
  /** SHA-256 (hex) of the item as stored in the raw archive. */
  itemSha256: 'TeleMessageItemSha256',
  /** JSON `[{ "id", "sha256" }]`: each attachment's SHA-256 as stored in the raw archive, in item order. */
  attachmentsSha256: 'TeleMessageAttachmentsSha256',
} as const;

/** PidTagMessageFlags; `1` (read) also clears "unsent", so the item is not a draft. */
export const MESSAGE_FLAGS_PROPERTY_ID = 'Integer 0x0E07';
/** PidTagMessageDeliveryTime, shown as the received time. */
export const DELIVERY_TIME_PROPERTY_ID = 'SystemTime 0x0E06';
/** PidTagClientSubmitTime, shown as the sent time. */
export const CLIENT_SUBMIT_TIME_PROPERTY_ID = 'SystemTime 0x0039';
/** PidTagConversationTopic: the conversation's name, the same on each of its items. */
export const CONVERSATION_TOPIC_PROPERTY_ID = 'String 0x0070';
/** PidTagConversationIndex (base64): the conversation's header and the item's place in it. */
export const CONVERSATION_INDEX_PROPERTY_ID = 'Binary 0x0071';
/** PidTagConversationIndexTracking: `true` makes Exchange take the conversation id from the index's GUID. */
export const CONVERSATION_INDEX_TRACKING_PROPERTY_ID = 'Boolean 0x3016';

/** `String {GUID} Name <name>` in the project's property set. */
export function sourcePropertyId(name: string): string {
  return `String {${SOURCE_PROPERTY_SET_GUID}} Name ${name}`;
}

/** The id of the named property holding the source item id. */
export function sourceItemIdPropertyId(): string {
  return sourcePropertyId(SOURCE_PROPERTY_NAMES.itemId);
}

/**
 * The OData `$filter` that finds a folder's item by its source id (not yet percent-encoded for a
 * URL; a `'` in the id is doubled as OData requires).
 */
export function sourceItemIdFilter(itemId: string): string {
  return odata`singleValueExtendedProperties/any(ep: ep/id eq ${sourceItemIdPropertyId()} and ep/value eq ${itemId})`;
}
