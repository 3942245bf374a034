import { createHash } from 'node:crypto';
import { utcTimestampMillis } from '../items';
import {
  CONVERSATION_INDEX_PROPERTY_ID,
  CONVERSATION_INDEX_TRACKING_PROPERTY_ID,
  CONVERSATION_TOPIC_PROPERTY_ID,
  type SingleValueExtendedProperty,
} from './extended-properties';

/**
 * How an imported item joins its conversation in Exchange. Graph computes a message's
 * `conversationId` and cannot be told one, but Exchange derives it ([MS-OXOMSG] 2.2.1.2,
 * PidTagConversationId) from properties a create may set:
 *
 * - PidTagConversationIndexTracking (`Boolean 0x3016`) true, with a PidTagConversationIndex
 *   (`Binary 0x0071`) of at least 22 bytes whose first byte is 0x01: the conversation id is the
 *   index's GUID. Every item of a conversation gets the GUID derived from its conversation key,
 *   so the conversation is exactly the source's conversation, even when two conversations have
 *   the same name (two contacts called 王伟, two groups called "Family"), or when one's name
 *   changes over time (a renamed contact, a group whose members change).
 * - Otherwise the MD5 of PidTagConversationTopic (`String 0x0070`): the topic is the
 *   conversation's name, so a client that ignores the tracking flag still groups by it.
 *
 * The index layout ([MS-OXOMSG] 2.2.1.3): a 22-byte header (reserved byte 0x01, 5 bytes of
 * FILETIME, 16-byte GUID), then one 5-byte response level per reply. Every item of a
 * conversation shares one header, and each item adds one response level carrying its own sent
 * time: the conversation itself is the thread's root and each item a reply to it. So:
 * - tools that thread on the header (Outlook's conversation tree, eDiscovery review tools) put
 *   a conversation's items in one thread, whichever items were imported and in whatever order;
 * - the items sit side by side at one level, as a chat's messages do, and sorting on the index
 *   orders them by sent time;
 * - every value depends only on the item and its conversation key, so converting an item again
 *   gives the same bytes.
 * The header's time is a fixed epoch rather than the conversation's first message: items are
 * converted one at a time, in any order, and back-fills add earlier items later, so no item knows
 * when its conversation began, and a per-item time would split the header.
 */

/** Length of the index header. */
export const CONVERSATION_INDEX_HEADER_BYTES = 22;
/** Length of one response level (child block). */
export const CONVERSATION_INDEX_RESPONSE_LEVEL_BYTES = 5;
/** The time every header carries, and from which each item's response level counts. */
export const CONVERSATION_INDEX_EPOCH = '2000-01-01T00:00:00Z';

/** 100-nanosecond intervals between 1601-01-01 (FILETIME's origin) and 1970-01-01. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
const MAX_TIME_DELTA = 0x7fff_ffffn;

export interface ConversationThreadingInput {
  /** {@link conversationKey} of the item's conversation. */
  readonly conversationKey: string;
  /** The conversation's name, already on one line and bounded. */
  readonly topic: string;
  /** The item's source id. */
  readonly itemId: string;
  /** The item's canonical sent time. */
  readonly sentAt: string;
}

/** The extended properties that put an item in its conversation; set on create. */
export function conversationThreadingProperties(input: ConversationThreadingInput): SingleValueExtendedProperty[] {
  return [
    { id: CONVERSATION_TOPIC_PROPERTY_ID, value: input.topic },
    { id: CONVERSATION_INDEX_PROPERTY_ID, value: conversationIndex(input.conversationKey, input).toString('base64') },
    { id: CONVERSATION_INDEX_TRACKING_PROPERTY_ID, value: 'true' },
  ];
}

/** The conversation's GUID: the first 16 bytes of the SHA-256 of its key (UTF-8), in index byte order. */
export function conversationGuid(conversationKey: string): Buffer {
  return createHash('sha256').update(conversationKey, 'utf8').digest().subarray(0, 16);
}

/** The item's PidTagConversationIndex: the conversation's header and one response level for the item. */
export function conversationIndex(conversationKey: string, item: { readonly itemId: string; readonly sentAt: string }): Buffer {
  const index = Buffer.alloc(CONVERSATION_INDEX_HEADER_BYTES + CONVERSATION_INDEX_RESPONSE_LEVEL_BYTES);
  // Bytes 0-5: the reserved 0x01, then FILETIME bits 55-16, big-endian. Outlook writes (and
  // MFCMAPI reads) these six bytes as the FILETIME's top six; for any time from 1829 to 2057,
  // the epoch included, its top byte is that 0x01.
  index[0] = 0x01;
  const headerTime = fileTime(CONVERSATION_INDEX_EPOCH);
  for (let byte = 0; byte < 5; byte += 1) {
    index[1 + byte] = Number((headerTime >> BigInt(48 - 8 * byte)) & 0xffn);
  }
  conversationGuid(conversationKey).copy(index, 6);
  index.writeUIntBE(responseLevel(headerTime & ~0xffffn, fileTime(item.sentAt), item.itemId), CONVERSATION_INDEX_HEADER_BYTES, 5);
  return index;
}

/**
 * One response level as 40 bits: DeltaCode (1 bit), TimeDelta (31 bits), Random (8 bits). The
 * time delta is from the header's time as a reader rebuilds it (low 16 bits zero): bits 18-48 of
 * it when it is under 2^49 (about 1.8 years; DeltaCode 0), else bits 23-53 (DeltaCode 1,
 * steps of 0.84 s). An item sent before the epoch counts as sent at it, one after 2057 as the
 * latest time a delta can hold: it stays in its conversation, only its place in the order is
 * approximate. Random is a byte of the item id's SHA-256, so it is the same on every import.
 */
function responseLevel(headerTime: bigint, sentTime: bigint, itemId: string): number {
  const delta = sentTime > headerTime ? sentTime - headerTime : 0n;
  const deltaCode = delta < 1n << 49n ? 0n : 1n;
  const shifted = delta >> (deltaCode === 0n ? 18n : 23n);
  const timeDelta = shifted > MAX_TIME_DELTA ? MAX_TIME_DELTA : shifted;
  const random = BigInt(createHash('sha256').update(itemId, 'utf8').digest()[0]);
  return Number((deltaCode << 39n) | (timeDelta << 8n) | random);
}

/** A canonical UTC time as a FILETIME: 100-nanosecond intervals since 1601-01-01 UTC. */
function fileTime(canonical: string): bigint {
  return BigInt(utcTimestampMillis(canonical)) * 10_000n + FILETIME_UNIX_EPOCH;
}
