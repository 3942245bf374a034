import type { ArchivedItem, CallItem, MessageItem, RecallItem } from '../items';
import { utcTimestampMillis } from '../items';
import { counterparts, groupSummary, isGroupConversation } from './conversation-parties';
import { countOf, formatByteSize, formatDuration, formatUtcMinute, formatUtcTime } from './display-format';
import { defineProductModule, type Fact, type KindDescription } from './product-module';
import { participantName } from './participant-labels';

/** WeChat Archiver: WeChat and WeCom chats, shared files, calls, recalls and group events. */
export const wechatModule = defineProductModule({
  product: 'wechat',
  displayName: 'WeChat Archiver',
  defaultFolderName: 'WeChat Archiver',
  describers: {
    chat: describeChat,
    file: describeFile,
    call: describeCall,
    recall: describeRecall,
    system: describeSystemEvent,
  },
  // A chat's name, whatever the kind of item: calls, files, recalls and group events of a chat
  // sit in the same conversation as its messages.
  conversationTopic: chatPhrase,
});

/** WeCom when the archived account is a WeCom user only, WeChat otherwise. */
function service(item: ArchivedItem): string {
  return item.account.wecomUserId !== undefined && item.account.wechatId === undefined ? 'WeCom' : 'WeChat';
}

/** `WeChat chat with 王伟`, `WeChat group “项目组”`, `WeChat group of 40: …`; the same for every item of a chat. */
function chatPhrase(item: ArchivedItem): string {
  if (!isGroupConversation(item)) {
    return `${service(item)} chat with ${participantName(counterparts(item, participantName)[0])}`;
  }
  if (item.conversation.title !== undefined) {
    return `${service(item)} group “${item.conversation.title}”`;
  }
  return `${service(item)} ${groupSummary(item, participantName)}`;
}

/** `to 李娜` in a direct chat, `in WeChat group “项目组”` in a group: where an item went, seen from its sender. */
function audiencePhrase(item: ArchivedItem): string {
  if (isGroupConversation(item) || item.to.length !== 1) {
    return `in ${chatPhrase(item)}`;
  }
  return `to ${participantName(item.to[0])}`;
}

function describeChat(item: MessageItem): KindDescription {
  const attachments = item.attachments.length > 0 ? `, with ${countOf(item.attachments.length, 'attachment')}` : '';
  return {
    subject: chatPhrase(item),
    headline: `${service(item)} message from ${participantName(item.from)} ${audiencePhrase(item)}${attachments}`,
    noTextNote: 'This message has no text.',
    facts: [],
    showsImagesInBody: true,
  };
}

function describeFile(item: MessageItem): KindDescription {
  const file = item.attachments[0];
  return {
    subject: `File ${file.fileName} in ${chatPhrase(item)}`,
    headline: `${participantName(item.from)} shared the file ${file.fileName} (${formatByteSize(file.size)}) ${audiencePhrase(item)}`,
    facts: [
      { label: 'File', value: file.fileName },
      { label: 'File type', value: file.contentType },
      { label: 'File size', value: `${formatByteSize(file.size)} (${countOf(file.size, 'byte')})` },
      { label: 'SHA-256', value: file.sha256 },
    ],
  };
}

function describeCall(item: CallItem): KindDescription {
  const { call } = item;
  const media = call.media === 'video' ? 'Video' : 'Voice';
  const duration = callDurationSeconds(item);
  const summary = [call.outcome, ...(call.outcome === 'answered' && duration !== undefined ? [formatDuration(duration)] : [])];
  const where = isGroupConversation(item)
    ? `in ${chatPhrase(item)}`
    : `with ${participantName(counterparts(item, participantName)[0])}`;
  const subject = `${media} call ${where}, ${summary.join(', ')}`;
  const facts: Fact[] = [
    { label: 'Call', value: `${media} call placed by ${participantName(item.from)}` },
    { label: 'Outcome', value: call.outcome },
    { label: 'Started', value: formatUtcTime(call.startedAt) },
    { label: 'Ended', value: call.endedAt === undefined ? 'not recorded by the source' : formatUtcTime(call.endedAt) },
  ];
  if (duration !== undefined) {
    facts.push({ label: 'Duration', value: formatDuration(duration) });
  }
  facts.push({
    label: 'Recording',
    value: item.attachments.length > 0 ? 'kept, see attachments' : 'none kept',
  });
  return { subject, headline: `${subject}.`, facts };
}

/** The source's duration, else the time between start and end, else unknown. */
function callDurationSeconds(item: CallItem): number | undefined {
  if (item.call.durationSeconds !== undefined) {
    return item.call.durationSeconds;
  }
  if (item.call.endedAt !== undefined) {
    return (utcTimestampMillis(item.call.endedAt) - utcTimestampMillis(item.call.startedAt)) / 1000;
  }
  return undefined;
}

function describeRecall(item: RecallItem): KindDescription {
  const sender = participantName(item.from);
  return {
    subject: `${sender} recalled a message at ${formatUtcMinute(item.recall.recalledAt)}`,
    headline:
      `${sender} recalled this message (sent ${audiencePhrase(item)}) at ${formatUtcTime(item.recall.recalledAt)}. ` +
      'The archive kept the recalled content, shown below.',
    noTextNote: 'The recalled message had no text.',
    facts: [
      { label: 'Recalled message (source id)', value: item.recall.targetItemId },
      { label: 'Recalled at', value: formatUtcTime(item.recall.recalledAt) },
    ],
    sourceIds: [{ name: 'recall-target-id', value: item.recall.targetItemId }],
  };
}

function describeSystemEvent(item: MessageItem): KindDescription {
  const event = item.text.trim().length > 0 ? item.text : 'group event';
  return {
    subject: `${chatPhrase(item)}: ${event}`,
    headline: `Group event in ${chatPhrase(item)}`,
    noTextNote: 'The source did not describe the event.',
    facts: [],
  };
}
