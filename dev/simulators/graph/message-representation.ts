import { randomBytes } from 'node:crypto';
import { graphInstant, newChangeKey, newItemId } from './graph-ids';
import type { JsonObject } from './json-value';
import type { AttachmentRecord, FolderRecord, MessageRecord } from './mailbox-store';
import { MSGFLAG_READ, MSGFLAG_UNSENT, PID_TAG_MESSAGE_FLAGS, isTaggedProperty } from './mapi-property-id';
import { matchesFilter } from './odata-filter';
import type { ExpandItem } from './odata-query';
import type { MessageCreateInput } from './request-bodies';

/** Graph returns these only when `$select` names them. */
const SELECT_ONLY = new Set(['internetMessageHeaders', 'uniqueBody']);

/**
 * Builds a message as Exchange stores it on create: the server sets ids, times and the draft
 * state; PidTagMessageFlags given in the same request decides whether the item is a draft.
 */
export function createMessageRecord(input: MessageCreateInput, folder: FolderRecord, now: Date): MessageRecord {
  const flagsProperty = input.singleValueExtendedProperties.find((p) =>
    isTaggedProperty(p.parsedId, 'Integer', PID_TAG_MESSAGE_FLAGS),
  );
  const flags = flagsProperty === undefined ? undefined : Number(flagsProperty.value);
  const isDraft = flags === undefined || (flags & MSGFLAG_UNSENT) !== 0;
  const given = input.properties;
  const id = newItemId();
  const instant = graphInstant(now);
  const body = (given.body as JsonObject | null | undefined) ?? { contentType: 'text', content: '' };
  const properties: JsonObject = {
    id,
    createdDateTime: instant,
    lastModifiedDateTime: instant,
    changeKey: newChangeKey(),
    categories: [],
    receivedDateTime: instant,
    sentDateTime: instant,
    hasAttachments: false,
    internetMessageId: `<${randomBytes(12).toString('hex')}@simulator.graph.invalid>`,
    subject: '',
    bodyPreview: preview(body),
    importance: 'normal',
    parentFolderId: folder.id,
    conversationId: newItemId(),
    conversationIndex: randomBytes(22).toString('base64'),
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    isRead: flags === undefined ? true : (flags & MSGFLAG_READ) !== 0,
    isDraft,
    webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: 'focused',
    toRecipients: [],
    ccRecipients: [],
    bccRecipients: [],
    replyTo: [],
    flag: { flagStatus: 'notFlagged' },
  };
  for (const [key, value] of Object.entries(given)) properties[key] = value;
  properties.body = body;
  properties.hasAttachments = input.attachments.some((a) => !a.isInline);
  return {
    properties,
    singleValueExtendedProperties: input.singleValueExtendedProperties.map((p) => ({ id: p.id, value: p.value })),
    multiValueExtendedProperties: input.multiValueExtendedProperties.map((p) => ({ id: p.id, value: [...p.value] })),
    attachments: [],
  };
}

/** Records a change to the item: Exchange gives it a new change key and modification time. */
export function touchMessage(message: MessageRecord, now: Date): void {
  message.properties.lastModifiedDateTime = graphInstant(now);
  message.properties.changeKey = newChangeKey();
  message.properties.hasAttachments = message.attachments.some((a) => !a.isInline);
}

export interface MessageViewOptions {
  select?: readonly string[];
  expand?: readonly ExpandItem[];
}

/** The message as a GET returns it: default or selected properties, plus expanded navigation properties. */
export function messageView(message: MessageRecord, options: MessageViewOptions = {}): JsonObject {
  const properties = message.properties;
  const view: JsonObject = { '@odata.etag': `W/"${String(properties.changeKey)}"` };
  if (options.select === undefined) {
    for (const [key, value] of Object.entries(properties)) if (!SELECT_ONLY.has(key)) view[key] = structuredClone(value);
  } else {
    view.id = properties.id;
    for (const key of options.select) view[key] = structuredClone(properties[key] ?? null);
  }
  for (const item of options.expand ?? []) {
    switch (item.property) {
      case 'singleValueExtendedProperties':
        view[item.property] = message.singleValueExtendedProperties
          .filter((p) => item.filter === undefined || matchesFilter(item.filter, p))
          .map((p) => ({ id: p.id, value: p.value }));
        break;
      case 'multiValueExtendedProperties':
        view[item.property] = message.multiValueExtendedProperties
          .filter((p) => item.filter === undefined || matchesFilter(item.filter, p))
          .map((p) => ({ id: p.id, value: [...p.value] }));
        break;
      case 'attachments':
        view.attachments = message.attachments
          .filter((a) => item.filter === undefined || matchesFilter(item.filter, a))
          .map(attachmentView);
        break;
    }
  }
  return view;
}

/** An attachment's metadata as Graph returns it (the content is at `/attachments/{id}/$value`). */
export function attachmentView(attachment: AttachmentRecord): JsonObject {
  return {
    '@odata.type': attachment['@odata.type'],
    id: attachment.id,
    lastModifiedDateTime: attachment.lastModifiedDateTime,
    name: attachment.name,
    contentType: attachment.contentType,
    size: attachment.size,
    isInline: attachment.isInline,
    contentId: attachment.contentId,
    contentLocation: attachment.contentLocation,
  };
}

/** The object a message `$filter` is evaluated against: its properties and its extended properties. */
export function filterSubject(message: MessageRecord): JsonObject {
  return {
    ...message.properties,
    singleValueExtendedProperties: message.singleValueExtendedProperties.map((p) => ({ id: p.id, value: p.value })),
    multiValueExtendedProperties: message.multiValueExtendedProperties.map((p) => ({ id: p.id, value: [...p.value] })),
  };
}

function preview(body: JsonObject): string {
  const content = typeof body.content === 'string' ? body.content : '';
  const text =
    body.contentType === 'html'
      ? content.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ')
      : content;
  return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}
