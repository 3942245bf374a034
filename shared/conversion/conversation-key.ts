import type { ArchivedItem } from '../items';

/**
 * Identifies an item's conversation across the whole archive: the product, then the source's
 * conversation id (unique within a product). Graph computes a message's conversationId itself and
 * cannot be told one, so the writer threads on this instead; it is also stored on the message
 * (named property TeleMessageConversationKey, and the x-telemessage-conversation-id header).
 */
export function conversationKey(item: Pick<ArchivedItem, 'product' | 'conversation'>): string {
  return `${item.product}:${item.conversation.id}`;
}
