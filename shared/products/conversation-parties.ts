import {
  distinctParticipants,
  isSameParticipant,
  participantIdentityKeys,
  type ArchivedItem,
  type Participant,
} from '../items';
import { countOf } from './display-format';

const COLLATOR = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Everyone in the item's conversation as the item shows it: the account, the sender, the recipients. */
export function conversationMembers(item: ArchivedItem): Participant[] {
  return distinctParticipants([item.from, ...item.to, item.account]);
}

/**
 * The members other than the archived account, ordered by `nameOf` so that every item of a
 * conversation lists them alike whichever way it went. Falls back to all members for an item the
 * account sent to itself.
 */
export function counterparts(item: ArchivedItem, nameOf: (participant: Participant) => string): Participant[] {
  const members = conversationMembers(item);
  const others = members.filter((member) => !isSameParticipant(member, item.account));
  return sortByName(others.length > 0 ? others : members, nameOf);
}

/** True when the item reads as a group conversation (also a "direct" one that has several counterparts). */
export function isGroupConversation(item: ArchivedItem): boolean {
  return item.conversation.type === 'group' || counterparts(item, () => '').length > 1;
}

/** `group of 10: Ana Diaz, Ben Ng, Chen Li and 6 others` (the size counts the archived account). */
export function groupSummary(
  item: ArchivedItem,
  nameOf: (participant: Participant) => string,
  namesShown = 3,
): string {
  const size = conversationMembers(item).length;
  const names = counterparts(item, nameOf).map(nameOf);
  const shown = names.slice(0, namesShown);
  const hidden = names.length - shown.length;
  const list = hidden > 0 ? `${shown.join(', ')} and ${countOf(hidden, 'other')}` : joinNames(shown);
  return `group of ${size}: ${list}`;
}

function joinNames(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function sortByName(participants: Participant[], nameOf: (participant: Participant) => string): Participant[] {
  return participants
    .map((participant) => ({ participant, name: nameOf(participant), key: participantIdentityKeys(participant).join(' ') }))
    .sort((a, b) => COLLATOR.compare(a.name, b.name) || byCodePoint(a.name, b.name) || byCodePoint(a.key, b.key))
    .map(({ participant }) => participant);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
