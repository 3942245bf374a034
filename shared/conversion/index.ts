export {
  attachmentName,
  MAX_GRAPH_ATTACHMENT_BYTES,
  planAttachments,
  type AttachmentDisposition,
  type AttachmentPlanOptions,
  type NotImportedReason,
  type PlannedAttachment,
} from './attachment-plan';
export { conversationKey } from './conversation-key';
export {
  CONVERSATION_INDEX_EPOCH,
  CONVERSATION_INDEX_HEADER_BYTES,
  CONVERSATION_INDEX_RESPONSE_LEVEL_BYTES,
  conversationGuid,
  conversationIndex,
  conversationThreadingProperties,
  type ConversationThreadingInput,
} from './conversation-threading';
export {
  CLIENT_SUBMIT_TIME_PROPERTY_ID,
  CONVERSATION_INDEX_PROPERTY_ID,
  CONVERSATION_INDEX_TRACKING_PROPERTY_ID,
  CONVERSATION_TOPIC_PROPERTY_ID,
  DELIVERY_TIME_PROPERTY_ID,
  MESSAGE_FLAGS_PROPERTY_ID,
  SOURCE_PROPERTY_NAMES,
  SOURCE_PROPERTY_SET_GUID,
  sourceItemIdFilter,
  sourceItemIdPropertyId,
  sourcePropertyId,
  type SingleValueExtendedProperty,
} from './extended-properties';
export { escapeHtml, renderHtmlBody, textToHtml, type BodyContent, type BodyFact, type BodyImage } from './html-body';
export {
  CONTENT_ID_DOMAIN,
  CONTENT_ID_PATTERN,
  INLINE_IMAGE_CONTENT_TYPES,
  inlineImageContentId,
  isInlineImageType,
  withInlineImages,
} from './inline-images';
export {
  encodeHeaderValue,
  MAX_HEADER_VALUE_LENGTH,
  SOURCE_HEADER_NAMES,
  sourceHeaderName,
  type InternetMessageHeader,
} from './message-headers';
export {
  MAX_RECIPIENT_NAME_LENGTH,
  NON_ROUTABLE_DOMAINS,
  participantAddress,
  toGraphRecipient,
  type GraphRecipient,
} from './participant-address';
export { oneLine, toWellFormed, truncateGraphemes } from './safe-text';
export {
  DEFAULT_MAX_BODY_TEXT_BYTES,
  FULL_TEXT_ATTACHMENT_NAME,
  MAX_SUBJECT_LENGTH,
  toGraphMessage,
  type ConvertedMessage,
  type FullTextAttachment,
  type GraphMessageCreateBody,
  type ToGraphMessageOptions,
} from './to-graph-message';
export * from './custody-marks';
export * from './body-text';
