import { createHash } from 'node:crypto';
import type { Product } from '../items/item-catalog';
import type { RegionCode } from '../mapping/phone-number';
import type { ArchiveItem } from '../telemessage/archive-source';
import { DropRefusedError } from './drop-errors';
import type { EmlMessage } from './eml-message';
import { participantFromAddress, type ParticipantJson } from './telemessage-participant';

/** Ids longer than this are replaced by their hash (ids end up in blob names and headers). */
const MAX_ID_LENGTH = 200;

/**
 * The item the fetch stage would have stored for this message had it come through the archive
 * API: the same fields, so that the import stage takes it unchanged.
 * - `id`: the Message-ID (TeleMessage's own id of the message), so that the same message
 *   delivered again, in the same ZIP or another, is the same item and is stored once.
 * - `sentAt` and `archivedAt`: the Date header (an EML carries no separate archive time).
 * - `account` and `direction`: the archived user is the participant with a mailbox address; the
 *   item is outbound when that is the sender.
 * - `kind`: with attachments an MMS (a file for WeChat), without a text message.
 * - attachments: ids `1`, `2`, … in message order, with the size and SHA-256 of the decoded bytes.
 */
export function emlToArchiveItem(message: EmlMessage, context: { product: Product; defaultRegion: RegionCode; entry: string; emlSha256: string }): ArchiveItem {
  const { entry, defaultRegion } = context;
  if (message.date === undefined || Number.isNaN(message.date.getTime())) {
    throw new DropRefusedError('eml-unreadable', 'The message has no readable Date header.', entry);
  }
  if (message.from.length === 0) throw new DropRefusedError('eml-unreadable', 'The message has no From header.', entry);
  const from = participantFromAddress(message.from[0]!, defaultRegion);
  const to = [...message.to, ...message.cc].map((address) => participantFromAddress(address, defaultRegion));
  for (const [field, participant] of [['From', from], ...to.map((p) => ['To', p] as const)] as const) {
    if (participant.phone === undefined && participant.email === undefined) {
      throw new DropRefusedError('eml-unreadable', `A ${field} participant has neither a number nor an address (${JSON.stringify(participant.displayName ?? '')}).`, entry);
    }
  }
  if (to.length === 0) throw new DropRefusedError('eml-unreadable', 'The message has no To header.', entry);
  const outbound = from.email !== undefined || to.every((p) => p.email === undefined);
  const account = outbound ? from : (to.find((p) => p.email !== undefined) as ParticipantJson);
  const time = message.date.toISOString().replace('.000Z', 'Z');
  const hasAttachments = message.attachments.length > 0;
  const parties = [from, ...to].map((p) => p.phone ?? p.email ?? '').sort();
  return {
    id: itemId(message.messageId, context.emlSha256),
    product: context.product,
    kind: context.product === 'wechat' ? (hasAttachments ? 'file' : 'chat') : hasAttachments ? 'mms' : 'sms',
    archivedAt: time,
    sentAt: time,
    direction: outbound ? 'outbound' : 'inbound',
    account,
    conversation: {
      id: `eml-${createHash('sha256').update(parties.join('\n')).digest('hex').slice(0, 32)}`,
      type: to.length > 1 ? 'group' : 'direct',
    },
    from,
    to,
    text: message.text.replace(/\r\n/g, '\n').trim(),
    ...(message.subject !== undefined && message.subject.trim() !== '' ? { subject: message.subject.trim() } : {}),
    attachments: message.attachments.map((a) => ({ id: String(a.index), fileName: a.fileName, contentType: a.contentType, size: a.size, sha256: a.sha256 })),
  };
}

function itemId(messageId: string | undefined, emlSha256: string): string {
  const id = messageId?.trim().replace(/^<|>$/g, '').trim();
  if (id === undefined || id === '' || /\p{Cc}/u.test(id)) return `eml-${emlSha256}`;
  return id.length <= MAX_ID_LENGTH ? id : `eml-${createHash('sha256').update(id).digest('hex')}`;
}
