import type { ArchivedItem, MessageItem } from '../items';
import { counterparts, groupSummary, isGroupConversation } from './conversation-parties';
import { countOf } from './display-format';
import { defineProductModule, type Fact, type KindDescription } from './product-module';
import { participantLabel } from './participant-labels';

/** AT&T SMS/MMS Network Archiver: carrier text and multimedia messages. */
export const attNetworkModule = defineProductModule({
  product: 'att-network',
  displayName: 'AT&T SMS/MMS Network Archiver',
  defaultFolderName: 'AT&T SMS/MMS Network Archiver',
  describers: {
    sms: (item) => describeCarrierMessage(item, 'SMS'),
    mms: (item) => describeCarrierMessage(item, 'MMS'),
  },
  // One carrier conversation holds SMS and MMS alike, so its name names both.
  conversationTopic: (item) => `SMS/MMS ${conversationPhrase(item)}`,
});

function describeCarrierMessage(item: MessageItem, service: 'SMS' | 'MMS'): KindDescription {
  const facts: Fact[] = [];
  if (item.subject !== undefined && item.subject.trim().length > 0) {
    facts.push({ label: `${service} subject`, value: item.subject });
  }
  return {
    subject: `${service} ${conversationPhrase(item)}`,
    headline: headline(item, service),
    noTextNote: `This ${service} has no text.`,
    facts,
    // An MMS's pictures are its content; an SMS carries none.
    showsImagesInBody: service === 'MMS',
  };
}

/** `with Ana Diaz (+1 310 555 0199)`, `in group “Family”`, `in group of 10: …`. */
function conversationPhrase(item: ArchivedItem): string {
  if (item.conversation.title !== undefined && isGroupConversation(item)) {
    return `in group “${item.conversation.title}”`;
  }
  if (isGroupConversation(item)) {
    return `in ${groupSummary(item, participantLabel)}`;
  }
  return `with ${participantLabel(counterparts(item, participantLabel)[0])}`;
}

function headline(item: MessageItem, service: string): string {
  const recipients =
    item.to.length === 1 ? participantLabel(item.to[0]) : countOf(item.to.length, 'recipient');
  const verb = item.direction === 'outbound' ? 'sent' : 'received';
  const attachments = item.attachments.length > 0 ? `, with ${countOf(item.attachments.length, 'attachment')}` : '';
  const to = item.to.length > 0 ? ` to ${recipients}` : '';
  return `${service} ${verb}: from ${participantLabel(item.from)}${to}${attachments}`;
}
