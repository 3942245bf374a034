import { JsonObjectReader, type JsonLocation } from './json-reader';

/**
 * Items as the TeleMessage archive API contract describes them
 * (/work/shared/spec/telemessage-archive-api.md). These are the scenario's own types; the product
 * keeps its own model in shared/ and must not import these.
 */

export const TELEMESSAGE_PRODUCTS = ['att-network', 'wechat'] as const;
export type TeleMessageProduct = (typeof TELEMESSAGE_PRODUCTS)[number];

export const ITEM_KINDS: Record<TeleMessageProduct, readonly string[]> = {
  'att-network': ['sms', 'mms'],
  wechat: ['chat', 'file', 'call', 'recall', 'system'],
};

export function isTeleMessageProduct(value: string): value is TeleMessageProduct {
  return (TELEMESSAGE_PRODUCTS as readonly string[]).includes(value);
}

/** `account`, `from` and each of `to`: at least one of phone, email, wechatId, wecomUserId. */
export interface Participant {
  phone?: string;
  email?: string;
  wechatId?: string;
  wecomUserId?: string;
  displayName?: string | null;
}

export interface ItemAttachment {
  /** Also the file name under `<scenario>/telemessage/attachments/`. */
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
}

export interface CallDetails {
  media: 'voice' | 'video';
  outcome: 'answered' | 'missed' | 'declined' | 'cancelled';
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
}

export interface RecallDetails {
  targetItemId: string;
  recalledAt: string;
}

export interface TeleMessageItem {
  id: string;
  product: TeleMessageProduct;
  kind: string;
  archivedAt: string;
  sentAt: string;
  direction: 'inbound' | 'outbound';
  account: Participant;
  conversation: { id: string; type: 'direct' | 'group'; title?: string | null };
  from: Participant;
  to: Participant[];
  text: string;
  attachments: ItemAttachment[];
  subject?: string;
  call?: CallDetails;
  recall?: RecallDetails;
  /** Fields the contract does not list are kept and served unchanged. */
  [field: string]: unknown;
}

const PARTICIPANT_IDS = ['phone', 'email', 'wechatId', 'wecomUserId'] as const;

/**
 * Attachment ids double as file names, so they are restricted to characters that cannot walk out
 * of the attachments folder.
 */
export const ATTACHMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Checks one scenario item against the contract and returns it typed. Unknown fields are kept.
 * `product` is the folder the item was found in; the item's own `product` must agree.
 */
export function validateItem(value: unknown, product: TeleMessageProduct, location: JsonLocation): TeleMessageItem {
  const item = JsonObjectReader.from(value, location);
  item.string('id');
  const ownProduct = item.string('product');
  if (ownProduct !== product) {
    item.fail('product', `"${ownProduct}" does not match the folder it is in ("${product}")`);
  }
  const kind = item.oneOf('kind', ITEM_KINDS[product]);
  item.instant('archivedAt');
  item.instant('sentAt');
  item.oneOf('direction', ['inbound', 'outbound']);
  validateParticipant(item.object('account'));
  const conversation = item.object('conversation');
  conversation.string('id');
  conversation.oneOf('type', ['direct', 'group']);
  if (conversation.has('title') && conversation.value.title !== null) conversation.string('title', { allowEmpty: true });
  validateParticipant(item.object('from'));
  item.objectArray('to').forEach(validateParticipant);
  item.string('text', { allowEmpty: true });
  const attachments = item.objectArray('attachments');
  attachments.forEach(validateAttachment);
  if (item.has('subject')) item.string('subject', { allowEmpty: true });

  if (kind === 'sms' && attachments.length > 0) item.fail('attachments', 'an sms carries no attachments');
  if (kind === 'file' && attachments.length !== 1) item.fail('attachments', 'a file item carries exactly one attachment');
  if (kind === 'call') {
    const call = item.object('call');
    call.oneOf('media', ['voice', 'video']);
    call.oneOf('outcome', ['answered', 'missed', 'declined', 'cancelled']);
    call.instant('startedAt');
    call.instant('endedAt');
    call.integer('durationSeconds', { min: 0 });
  }
  if (kind === 'recall') {
    const recall = item.object('recall');
    recall.string('targetItemId');
    recall.instant('recalledAt');
  }
  return item.value as TeleMessageItem;
}

function validateParticipant(participant: JsonObjectReader): void {
  let identifiers = 0;
  for (const name of PARTICIPANT_IDS) {
    if (participant.has(name)) {
      participant.string(name);
      identifiers += 1;
    }
  }
  if (identifiers === 0) {
    participant.fail('', `needs at least one of ${PARTICIPANT_IDS.join(', ')}`);
  }
  if (participant.has('displayName') && participant.value.displayName !== null) {
    participant.string('displayName', { allowEmpty: true });
  }
}

function validateAttachment(attachment: JsonObjectReader): void {
  const id = attachment.string('id');
  if (!ATTACHMENT_ID.test(id)) {
    attachment.fail('id', `"${id}" must be 1-200 letters, digits, dots, dashes or underscores (it is a file name)`);
  }
  attachment.string('fileName');
  const contentType = attachment.string('contentType');
  if (!/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType)) {
    attachment.fail('contentType', `"${contentType}" is not a media type such as image/jpeg`);
  }
  attachment.integer('size', { min: 0 });
  const sha256 = attachment.string('sha256');
  if (!/^[0-9a-f]{64}$/.test(sha256)) attachment.fail('sha256', 'expected 64 lower-case hexadecimal digits');
}
