import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  CONVERSATION_INDEX_PROPERTY_ID,
  CONVERSATION_INDEX_TRACKING_PROPERTY_ID,
  CONVERSATION_TOPIC_PROPERTY_ID,
  MAX_SUBJECT_LENGTH,
  toGraphMessage,
  type ConvertedMessage,
} from '../../shared/conversion';
import { parseArchivedItem } from '../../shared/items';
import {
  ANA,
  attachment,
  BEN,
  groupMmsItem,
  groupOfTen,
  LI_NA,
  smsItem,
  WANG_WEI,
  wechatGroupOfForty,
  wechatItem,
  type RawItem,
} from './item-fixtures';

function convert(raw: RawItem): ConvertedMessage {
  return toGraphMessage(parseArchivedItem(raw));
}

function property(message: ConvertedMessage, id: string): string {
  const found = message.createBody.singleValueExtendedProperties.filter((entry) => entry.id === id);
  assert.equal(found.length, 1, `${id} is set once`);
  return found[0].value;
}

interface DecodedIndex {
  reserved: number;
  /** FILETIME as the header holds it: bits 55-16, with the reserved byte as bits 63-56. */
  headerFileTime: bigint;
  guid: Buffer;
  levels: { deltaCode: number; timeDelta: number; random: number }[];
}

/** Reads a PidTagConversationIndex by the layout of [MS-OXOMSG] 2.2.1.3, independently of the converter. */
function decodeIndex(base64: string): DecodedIndex {
  assert.match(base64, /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  const bytes = Buffer.from(base64, 'base64');
  assert.ok(bytes.length >= 22 && (bytes.length - 22) % 5 === 0, `length ${bytes.length} is a header plus whole response levels`);
  const levels = [];
  for (let at = 22; at < bytes.length; at += 5) {
    const value = bytes.readUIntBE(at, 5);
    levels.push({ deltaCode: Math.floor(value / 2 ** 39), timeDelta: Math.floor(value / 2 ** 8) % 2 ** 31, random: value % 256 });
  }
  return { reserved: bytes[0], headerFileTime: BigInt(`0x${bytes.subarray(0, 6).toString('hex')}`) << 16n, guid: bytes.subarray(6, 22), levels };
}

function fileTimeOf(iso: string): bigint {
  return (BigInt(Date.parse(iso)) + 11_644_473_600_000n) * 10_000n;
}

/** The sent time a response level records, in epoch milliseconds. */
function recordedTimeMillis(index: DecodedIndex): number {
  const [level] = index.levels;
  const delta = BigInt(level.timeDelta) << (level.deltaCode === 0 ? 18n : 23n);
  return Number((index.headerFileTime + delta) / 10_000n - 11_644_473_600_000n);
}

function header(message: ConvertedMessage): string {
  return Buffer.from(property(message, CONVERSATION_INDEX_PROPERTY_ID), 'base64').subarray(0, 22).toString('hex');
}

/** Every item threads with the others: one topic, one index header, tracking on, one response level each. */
function assertOneThread(messages: ConvertedMessage[], topic: string): void {
  for (const message of messages) {
    assert.equal(property(message, CONVERSATION_TOPIC_PROPERTY_ID), topic);
    assert.equal(message.conversationTopic, topic);
    assert.equal(property(message, CONVERSATION_INDEX_TRACKING_PROPERTY_ID), 'true');
    assert.equal(decodeIndex(property(message, CONVERSATION_INDEX_PROPERTY_ID)).levels.length, 1);
    assert.equal(header(message), header(messages[0]));
  }
  const indexes = new Set(messages.map((message) => property(message, CONVERSATION_INDEX_PROPERTY_ID)));
  assert.equal(indexes.size, messages.length, 'each item has its own place in the thread');
}

describe('conversation threading: one conversation, one thread', () => {
  test('a direct WeChat chat: messages both ways, a call, a file and a recall share topic and header', () => {
    const messages = [
      wechatItem('chat'),
      wechatItem('chat', { id: 'wx-chat-0002', direction: 'outbound', from: { ...LI_NA }, to: [{ ...WANG_WEI }], sentAt: '2026-11-20T14:06:00Z' }),
      wechatItem('call', { text: undefined, call: { media: 'voice', outcome: 'missed', startedAt: '2026-11-20T15:00:00Z' }, sentAt: '2026-11-20T15:00:00Z' }),
      wechatItem('file', { attachments: [attachment('f-1', '报告.pdf', 'application/pdf', 10)], sentAt: '2026-11-21T09:00:00Z' }),
      wechatItem('recall', { recall: { targetItemId: 'wx-chat-0001', recalledAt: '2026-11-20T14:06:00Z' }, sentAt: '2026-11-20T14:05:30Z' }),
    ].map(convert);
    assertOneThread(messages, 'WeChat chat with 王伟');
    assert.notEqual(messages[2].createBody.subject, messages[0].createBody.subject, 'subjects still say what each item is');
  });

  test('a titled WeChat group: messages from different members and a group event share topic and header', () => {
    const members = wechatGroupOfForty();
    const group = { id: 'wxg-project-01', type: 'group', title: '项目组 🚀' };
    const messages = [
      wechatItem('chat', { conversation: group, to: members.slice(0, 1).concat(members.slice(2)) }),
      wechatItem('chat', { id: 'wx-chat-0002', conversation: group, direction: 'outbound', from: { ...LI_NA }, to: members.slice(1) }),
      wechatItem('chat', { id: 'wx-chat-0003', conversation: group, from: members[7], to: members.filter((_, i) => i !== 7) }),
      wechatItem('system', { id: 'wx-sys-1', conversation: group, to: members, text: '王伟 邀请 张三 加入了群聊' }),
    ].map(convert);
    assertOneThread(messages, 'WeChat group “项目组 🚀”');
  });

  test('an untitled group whose members change keeps its header though its topic follows the members', () => {
    const members = wechatGroupOfForty();
    const conversation = { id: 'g2', type: 'group' };
    const before = convert(wechatItem('chat', { conversation, to: members.slice(2).concat(members[0]) }));
    const after = convert(wechatItem('chat', { id: 'wx-chat-0009', conversation, to: members.slice(3).concat(members[0]) }));
    assert.notEqual(before.conversationTopic, after.conversationTopic);
    assert.equal(header(after), header(before));
  });

  test('an AT&T conversation: SMS and MMS both ways share one topic that names both', () => {
    const messages = [
      smsItem(),
      smsItem({ id: 'tm-sms-0002', direction: 'inbound', from: { ...BEN }, to: [{ ...ANA }], sentAt: '2026-11-20T14:10:00Z' }),
      groupMmsItem({ id: 'tm-mms-0009', conversation: { id: 'c-1901', type: 'direct' }, to: [{ ...BEN }], sentAt: '2026-11-20T14:20:00Z' }),
    ].map(convert);
    assertOneThread(messages, 'SMS/MMS with Ben Ng (+1 310 555 0199)');
    assert.deepEqual(messages.map((message) => message.createBody.subject.slice(0, 3)), ['SMS', 'SMS', 'MMS']);
  });

  test('an AT&T group MMS threads the same whoever sent it', () => {
    const members = groupOfTen();
    const outbound = convert(groupMmsItem());
    const inbound = convert(groupMmsItem({ id: 'tm-mms-0003', direction: 'inbound', from: members[4], to: [{ ...ANA }, ...members.filter((_, i) => i !== 4)] }));
    assertOneThread([outbound, inbound], outbound.conversationTopic);
    assert.match(outbound.conversationTopic, /^SMS\/MMS in group of 10: /);
  });

  test('converting an item again gives the same topic and index', () => {
    const first = convert(wechatItem('chat'));
    const again = convert(wechatItem('chat'));
    for (const id of [CONVERSATION_TOPIC_PROPERTY_ID, CONVERSATION_INDEX_PROPERTY_ID, CONVERSATION_INDEX_TRACKING_PROPERTY_ID]) {
      assert.equal(property(again, id), property(first, id));
    }
  });
});

describe('conversation threading: other conversations, other threads', () => {
  test('two direct chats with different people of the same name share a topic but not a header', () => {
    const one = convert(wechatItem('chat'));
    const other = convert(
      wechatItem('chat', { id: 'wx-chat-0100', conversation: { id: 'wxc-direct-88', type: 'direct' }, from: { wechatId: 'wxid_other_wang', displayName: '王伟' } }),
    );
    assert.equal(other.conversationTopic, one.conversationTopic);
    assert.notEqual(header(other), header(one));
  });

  test('the same conversation id in two products, and two groups, are different threads', () => {
    const wechat = convert(wechatItem('chat', { conversation: { id: 'c-1901', type: 'direct' } }));
    const att = convert(smsItem());
    const groupA = convert(wechatItem('chat', { conversation: { id: 'g-a', type: 'group', title: 'Family' }, to: wechatGroupOfForty() }));
    const groupB = convert(wechatItem('chat', { conversation: { id: 'g-b', type: 'group', title: 'Family' }, to: wechatGroupOfForty() }));
    assert.notEqual(header(wechat), header(att));
    assert.notEqual(header(groupA), header(groupB));
    assert.equal(groupA.conversationTopic, groupB.conversationTopic);
  });
});

describe('conversation threading: the index has the documented layout', () => {
  test('header: reserved 0x01, the epoch as FILETIME bits 63-16, the first 16 bytes of SHA-256 of the key', () => {
    const message = convert(wechatItem('chat'));
    const index = decodeIndex(property(message, CONVERSATION_INDEX_PROPERTY_ID));
    assert.equal(index.reserved, 0x01);
    assert.equal(index.headerFileTime, fileTimeOf('2000-01-01T00:00:00Z') & ~0xffffn);
    assert.deepEqual(index.guid, createHash('sha256').update('wechat:wxc-direct-77', 'utf8').digest().subarray(0, 16));
    assert.equal(message.conversationKey, 'wechat:wxc-direct-77');
  });

  test('response level: the item’s sent time to within a step, and a random byte fixed by the item id', () => {
    const message = convert(wechatItem('chat', { sentAt: '2026-11-20T14:05:00.250Z' }));
    const index = decodeIndex(property(message, CONVERSATION_INDEX_PROPERTY_ID));
    const [level] = index.levels;
    assert.equal(level.deltaCode, 1, 'over 1.7 years after the epoch: steps of 2^23 × 100 ns');
    const recorded = recordedTimeMillis(index);
    const sent = Date.parse('2026-11-20T14:05:00.250Z');
    assert.ok(recorded <= sent && sent - recorded < 839, `recorded ${new Date(recorded).toISOString()}`);
    assert.equal(level.random, createHash('sha256').update('wx-chat-0001', 'utf8').digest()[0]);
  });

  test('close to the epoch the finer delta code is used; before it, the item still threads', () => {
    const near = decodeIndex(property(convert(wechatItem('chat', { sentAt: '2000-06-01T12:00:00.100Z' })), CONVERSATION_INDEX_PROPERTY_ID));
    assert.equal(near.levels[0].deltaCode, 0);
    const sent = Date.parse('2000-06-01T12:00:00.100Z');
    assert.ok(sent - recordedTimeMillis(near) < 27 && sent >= recordedTimeMillis(near));
    const early = convert(wechatItem('chat', { sentAt: '1998-03-01T00:00:00Z' }));
    assert.equal(decodeIndex(property(early, CONVERSATION_INDEX_PROPERTY_ID)).levels[0].timeDelta, 0);
    assert.equal(header(early), header(convert(wechatItem('chat'))));
  });

  test('sorting a conversation’s items on the index orders them by sent time', () => {
    const times = ['2026-11-20T14:05:00Z', '2000-03-01T00:00:00Z', '2031-01-01T00:00:00Z', '2026-11-20T14:05:02Z', '2001-09-01T00:00:00Z', '2010-05-05T05:05:05Z'];
    const indexes = times.map((sentAt, i) =>
      Buffer.from(property(convert(wechatItem('chat', { id: `wx-chat-${i}`, sentAt })), CONVERSATION_INDEX_PROPERTY_ID), 'base64'),
    );
    const byIndex = times.map((time, i) => ({ time, index: indexes[i] })).sort((a, b) => Buffer.compare(a.index, b.index));
    assert.deepEqual(byIndex.map((entry) => entry.time), [...times].sort());
  });
});

describe('conversation threading: the topic is one safe line', () => {
  test('a hostile group title gives a bounded topic without controls', () => {
    const title = `Fam\u202Eily\r\nBcc: x ${'长'.repeat(400)}`;
    const message = convert(wechatItem('chat', { conversation: { id: 'g-x', type: 'group', title }, to: wechatGroupOfForty() }));
    const topic = property(message, CONVERSATION_TOPIC_PROPERTY_ID);
    assert.ok(topic.length > 0 && topic.length <= MAX_SUBJECT_LENGTH);
    assert.doesNotMatch(topic, /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u);
    assert.match(topic, /^WeChat group “Family Bcc: x 长+…$/);
  });
});
