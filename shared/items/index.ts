export type {
  ArchivedItem,
  ArchivedItemFields,
  AttachmentRef,
  CallDetails,
  CallItem,
  CallMedia,
  CallOutcome,
  Conversation,
  ConversationType,
  Direction,
  MessageItem,
  Participant,
  RecallDetails,
  RecallItem,
} from './archived-item';
export { PRODUCT_KINDS, PRODUCTS, isKindOf, isProduct, type ItemKind, type KindOf, type Product } from './item-catalog';
export { ItemValidationError } from './item-validation-error';
export {
  MAX_IDENTIFIER_LENGTH,
  MAX_SOURCE_ID_LENGTH,
  parseArchivedItem,
  type ParseArchivedItemOptions,
} from './parse-archived-item';
export { distinctParticipants, isSameParticipant, participantIdentityKeys } from './participant-identity';
export { parseUtcTimestamp, utcTimestampMillis } from './utc-timestamp';
