import { mailboxSentTime } from './mailbox-time';
import {
  distinctParticipants,
  isSameParticipant,
  type ArchivedItem, type AttachmentRef, type ItemKind, type Product } from '../items';
import {
  conversationMembers,
  countOf,
  formatByteSize,
  formatUtcTime,
  participantFullLabel,
  productModule,
  type Fact,
  type KindDescription,
  type ProductModule,
} from '../products';
import {
  MAX_GRAPH_ATTACHMENT_BYTES,
  planAttachments,
  type AttachmentPlanOptions,
  type PlannedAttachment,
} from './attachment-plan';
import { conversationKey } from './conversation-key';
import { conversationThreadingProperties } from './conversation-threading';
import {
  CLIENT_SUBMIT_TIME_PROPERTY_ID,
  DELIVERY_TIME_PROPERTY_ID,
  MESSAGE_FLAGS_PROPERTY_ID,
  SOURCE_PROPERTY_NAMES,
  sourcePropertyId,
  type SingleValueExtendedProperty,
} from './extended-properties';
import { renderHtmlBody, textToHtml, type BodyFact, type BodyImage } from './html-body';
import { withInlineImages } from './inline-images';
import { attachmentHashesValue, CUSTODY_HEADER_NAMES, MAX_CUSTODY_HEADER_LENGTH } from './custody-marks';
import { encodeHeaderValue, SOURCE_HEADER_NAMES, sourceHeaderName, type InternetMessageHeader } from './message-headers';
import { toGraphRecipient, type GraphRecipient } from './participant-address';
import { oneLine } from './safe-text';

/**
 * The JSON body of `POST /users/{id}/mailFolders/{folderId}/messages`. Only properties that Graph
 * declares on message and accepts on create; `receivedDateTime` and `sentDateTime` cannot be set,
 * so the times travel as extended properties.
 */
export interface GraphMessageCreateBody {
  subject: string;
  body: { contentType: 'html'; content: string };
  from: GraphRecipient;
  sender: GraphRecipient;
  toRecipients: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  importance?: 'low' | 'normal' | 'high';
  internetMessageHeaders: InternetMessageHeader[];
  singleValueExtendedProperties: SingleValueExtendedProperty[];
}

/**
 * The item's full text as a plain-text attachment, planned when the text is too long for the body
 * (the body then shows its beginning). The writer encodes `text` as UTF-8.
 */
export interface FullTextAttachment {
  readonly name: string;
  readonly contentType: string;
  /** UTF-8 bytes of `text`. */
  readonly size: number;
  readonly text: string;
}

export interface ConvertedMessage {
  readonly itemId: string;
  readonly product: Product;
  readonly kind: ItemKind;
  /** The folder the connector imports into unless configured otherwise (the product's default). */
  readonly folderName: string;
  /** See {@link conversationKey}; equal for every item of one conversation. */
  readonly conversationKey: string;
  /**
   * The conversation's name, equal for every item of one conversation whatever its kind; also in
   * the create body as PidTagConversationTopic.
   */
  readonly conversationTopic: string;
  readonly createBody: GraphMessageCreateBody;
  /**
   * Every attachment of the item, in order, with what becomes of it; no bytes. The ones with
   * `isInline` are shown in the body and must be added with their `contentId` and `isInline: true`.
   */
  readonly attachments: readonly PlannedAttachment[];
  readonly fullTextAttachment?: FullTextAttachment;
}

export interface ToGraphMessageOptions extends AttachmentPlanOptions {
  /** Overrides the product's default folder name in the result. */
  folderName?: string;
  /** Where an attachment kept in storage can be found, for the note in the body (e.g. its blob name). */
  storageLocation?: (attachment: AttachmentRef) => string;
  /**
   * SHA-256 (lower-case hex) of the item exactly as stored in the raw archive. Every copy carries
   * it, with each attachment's SHA-256, so a reviewer can check the copy against the archive.
   */
  itemSha256?: string;
  /**
   * Most UTF-8 bytes the message text may take in the HTML body, escaped; longer text is cut in
   * the body and attached in full. Default {@link DEFAULT_MAX_BODY_TEXT_BYTES}, which keeps the
   * create request well under Graph's 4 MB.
   */
  maxBodyTextBytes?: number;
  /**
   * Imported images larger than this are attached but not shown in the body (e.g. 3 MB, to show
   * only images small enough for a single-request attachment). Default: every imported image of
   * a kind that shows images is shown.
   */
  maxInlineImageBytes?: number;
}

/** Longest subject produced, in UTF-16 units. */
export const MAX_SUBJECT_LENGTH = 160;
export const DEFAULT_MAX_BODY_TEXT_BYTES = 2 * 1024 * 1024;
export const FULL_TEXT_ATTACHMENT_NAME = 'message-text.txt';

const MAX_HEADLINE_LENGTH = 1000;
const MAX_FACT_LENGTH = 2000;

/**
 * Turns one validated archived item into the Graph message that represents it in a mailbox, and
 * the plan for its attachments. Pure: no I/O, same output for the same input.
 */
export function toGraphMessage(item: ArchivedItem, options: ToGraphMessageOptions = {}): ConvertedMessage {
  const module: ProductModule = productModule(item.product);
  const description = module.describe(item);
  const planned = planAttachments(item.attachments, options);
  const attachments = description.showsImagesInBody === true ? withInlineImages(planned, item, options.maxInlineImageBytes) : planned;
  const images = attachments.flatMap((attachment): BodyImage[] =>
    attachment.contentId === undefined ? [] : [{ contentId: attachment.contentId, alt: attachment.name }],
  );
  const bodyText = fitTextToBody(item.text, options.maxBodyTextBytes ?? DEFAULT_MAX_BODY_TEXT_BYTES);
  const fullTextAttachment: FullTextAttachment | undefined = bodyText.truncated
    ? {
        name: FULL_TEXT_ATTACHMENT_NAME,
        contentType: 'text/plain; charset=utf-8',
        size: Buffer.byteLength(item.text, 'utf8'),
        text: item.text,
      }
    : undefined;
  const key = conversationKey(item);
  const topic = oneLine(module.conversationTopic(item), MAX_SUBJECT_LENGTH) || module.displayName;
  // A sent time no mailbox can hold (before 1601, after the item was archived) is filed at the archived time.
  const sentTime = mailboxSentTime(item);
  const sent = sentTime.filedAt;
  const sender = toGraphRecipient(item.from);

  const createBody: GraphMessageCreateBody = {
    subject: oneLine(description.subject, MAX_SUBJECT_LENGTH) || module.displayName,
    body: {
      contentType: 'html',
      content: renderHtmlBody({
        headline: oneLine(description.headline, MAX_HEADLINE_LENGTH),
        ...(item.text.length > 0 ? { text: bodyText.shown } : { note: description.noTextNote }),
        images,
        facts: bodyFacts(item, module, description, attachments, bodyText, options),
      }),
    },
    from: sender,
    sender,
    toRecipients: distinctParticipants(item.to).map(toGraphRecipient),
    internetMessageHeaders: [...sourceHeaders(item, description), ...custodyHeaders(item, options.itemSha256)],
    singleValueExtendedProperties: [
      { id: MESSAGE_FLAGS_PROPERTY_ID, value: '1' },
      { id: DELIVERY_TIME_PROPERTY_ID, value: sent },
      { id: CLIENT_SUBMIT_TIME_PROPERTY_ID, value: sent },
      { id: sourcePropertyId(SOURCE_PROPERTY_NAMES.itemId), value: item.id },
      { id: sourcePropertyId(SOURCE_PROPERTY_NAMES.product), value: item.product },
      { id: sourcePropertyId(SOURCE_PROPERTY_NAMES.conversationKey), value: key },
      ...conversationThreadingProperties({ conversationKey: key, topic, itemId: item.id, sentAt: sentTime.replaced ? item.archivedAt : item.sentAt }),
      ...custodyProperties(item, options.itemSha256),
    ],
  };

  return {
    itemId: item.id,
    product: item.product,
    kind: item.kind,
    folderName: options.folderName ?? module.defaultFolderName,
    conversationKey: key,
    conversationTopic: topic,
    createBody,
    attachments,
    ...(fullTextAttachment === undefined ? {} : { fullTextAttachment }),
  };
}

function sourceHeaders(item: ArchivedItem, description: KindDescription): InternetMessageHeader[] {
  const headers: [string, string][] = [
    [SOURCE_HEADER_NAMES.itemId, item.id],
    [SOURCE_HEADER_NAMES.product, item.product],
    [SOURCE_HEADER_NAMES.kind, item.kind],
    [SOURCE_HEADER_NAMES.conversationId, item.conversation.id],
    [SOURCE_HEADER_NAMES.conversationType, item.conversation.type],
    [SOURCE_HEADER_NAMES.direction, item.direction],
    [SOURCE_HEADER_NAMES.sentAt, item.sentAt],
    [SOURCE_HEADER_NAMES.archivedAt, item.archivedAt],
    ...(description.sourceIds ?? []).map(({ name, value }): [string, string] => [sourceHeaderName(name), value]),
  ];
  return headers.map(([name, value]) => ({ name, value: encodeHeaderValue(value) }));
}

/** The item's and its attachments' hashes as `x-` headers (the extended properties hold the same). */
function custodyHeaders(item: ArchivedItem, itemSha256: string | undefined): InternetMessageHeader[] {
  if (itemSha256 === undefined) return [];
  return [
    { name: CUSTODY_HEADER_NAMES.itemSha256, value: itemSha256 },
    ...(item.attachments.length === 0
      ? []
      : [{ name: CUSTODY_HEADER_NAMES.attachmentsSha256, value: encodeHeaderValue(item.attachments.map((a) => a.sha256).join(','), MAX_CUSTODY_HEADER_LENGTH) }]),
  ];
}

function custodyProperties(item: ArchivedItem, itemSha256: string | undefined): SingleValueExtendedProperty[] {
  if (itemSha256 === undefined) return [];
  return [
    { id: sourcePropertyId(SOURCE_PROPERTY_NAMES.itemSha256), value: itemSha256 },
    { id: sourcePropertyId(SOURCE_PROPERTY_NAMES.attachmentsSha256), value: attachmentHashesValue(item) },
  ];
}

function bodyFacts(
  item: ArchivedItem,
  module: ProductModule,
  description: KindDescription,
  attachments: readonly PlannedAttachment[],
  bodyText: FittedText,
  options: ToGraphMessageOptions,
): BodyFact[] {
  const facts: Fact[] = [
    { label: 'Source', value: `${module.displayName} (${item.product}), ${item.kind}` },
    {
      label: 'Direction',
      value: item.direction === 'outbound' ? 'outbound, sent by the archived account' : 'inbound, received by the archived account',
    },
    { label: 'Archived account', value: participantFullLabel(accountAsKnown(item)) },
    { label: 'From', value: participantFullLabel(item.from) },
    { label: 'To', value: item.to.length > 0 ? distinctParticipants(item.to).map(participantFullLabel) : 'no recipients recorded' },
    { label: 'Conversation', value: `${item.conversation.id} (${item.conversation.type})` },
    ...(item.conversation.title === undefined ? [] : [{ label: 'Conversation title', value: item.conversation.title }]),
    {
      label: 'Sent',
      value: mailboxSentTime(item).replaced
        ? `${item.sentAt} as captured, which a mailbox cannot hold; filed at the archived time`
        : formatUtcTime(item.sentAt),
    },
    { label: 'Archived', value: formatUtcTime(item.archivedAt) },
    ...description.facts,
    {
      label: 'Attachments',
      value: attachments.length > 0 ? attachments.map((attachment) => attachmentLine(attachment, item, options)) : 'none',
    },
  ];
  if (bodyText.truncated) {
    facts.push({
      label: 'Text',
      value:
        `the body shows the first ${countOf(codePoints(bodyText.shown), 'character')} of ${codePoints(item.text).toLocaleString('en-US')}; ` +
        `the full text is attached as ${FULL_TEXT_ATTACHMENT_NAME}`,
    });
  }
  facts.push({ label: 'Source item id', value: item.id });
  if (options.itemSha256 !== undefined) facts.push({ label: 'Item SHA-256', value: options.itemSha256 });
  return facts.map((fact) => ({
    label: oneLine(fact.label, MAX_FACT_LENGTH),
    values: (typeof fact.value === 'string' ? [fact.value] : fact.value).map((value) => oneLine(value, MAX_FACT_LENGTH)),
  }));
}

/** The archived account, named as the item names it elsewhere (its own entry often lacks a display name). */
function accountAsKnown(item: ArchivedItem): ArchivedItem['account'] {
  if (item.account.displayName !== undefined) {
    return item.account;
  }
  const known = conversationMembers(item).find((member) => isSameParticipant(member, item.account));
  return known?.displayName === undefined ? item.account : { ...item.account, displayName: known.displayName };
}

function attachmentLine(attachment: PlannedAttachment, item: ArchivedItem, options: ToGraphMessageOptions): string {
  const line = `${attachment.name} (${attachment.contentType}, ${formatByteSize(attachment.size)})`;
  const source = item.attachments.find((candidate) => candidate.id === attachment.attachmentId);
  const location = source !== undefined && options.storageLocation !== undefined ? ` at ${options.storageLocation(source)}` : '';
  switch (attachment.reason) {
    case undefined:
      return attachment.isInline ? `${line}, shown above` : line;
    case 'unavailable':
      return `${line}: not imported, the source no longer had it`;
    case 'tooLarge':
      return `${line}: not imported (larger than ${formatByteSize(options.maxAttachmentBytes ?? MAX_GRAPH_ATTACHMENT_BYTES)}), kept in archive storage${location}`;
    case 'messageTooLarge':
      return `${line}: not imported (the message's attachments would exceed ${formatByteSize(options.maxTotalAttachmentBytes ?? MAX_GRAPH_ATTACHMENT_BYTES)}), kept in archive storage${location}`;
    case 'policy':
      return `${line}: not imported, kept in archive storage${location}`;
  }
}

function codePoints(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0xdc00 || code > 0xdfff || index === 0 || (text.charCodeAt(index - 1) & 0xfc00) !== 0xd800) {
      count += 1;
    }
  }
  return count;
}

interface FittedText {
  readonly shown: string;
  readonly truncated: boolean;
}

/** The longest beginning of `text` whose body HTML fits in `maxBytes` UTF-8 bytes. */
function fitTextToBody(text: string, maxBytes: number): FittedText {
  let size = Buffer.byteLength(textToHtml(text), 'utf8');
  if (size <= maxBytes) {
    return { shown: text, truncated: false };
  }
  let end = text.length;
  let shown = text;
  while (size > maxBytes && end > 0) {
    end = Math.floor((end * Math.max(0, maxBytes)) / size * 0.95);
    if (end > 0 && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) {
      end -= 1;
    }
    shown = text.slice(0, end);
    size = Buffer.byteLength(textToHtml(shown), 'utf8');
  }
  return { shown, truncated: true };
}
