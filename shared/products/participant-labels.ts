import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Participant } from '../items';

/**
 * Numbers already formatted, by the number as captured: each item's labels format the same few
 * numbers several times, and the same numbers recur item after item; parsing one cost about 2 %
 * of an import's CPU. Bounded: emptied when full.
 */
const formatted = new Map<string, string>();
const MAX_FORMATTED = 5_000;

/**
 * A phone number as people read it: `+13105550199` → `+1 310 555 0199`. Numbers libphonenumber
 * cannot place (short codes, alphanumeric senders, numbers captured without a country code) are
 * returned as captured, trimmed.
 */
export function formatPhoneNumber(phone: string): string {
  const known = formatted.get(phone);
  if (known !== undefined) return known;
  const trimmed = phone.trim();
  const parsed = trimmed.startsWith('+') ? parsePhoneNumberFromString(trimmed) : undefined;
  const result = parsed !== undefined && parsed.isPossible() ? parsed.formatInternational() : trimmed;
  if (formatted.size >= MAX_FORMATTED) formatted.clear();
  formatted.set(phone, result);
  return result;
}

/** The participant's identifiers as shown to people, most telling first. */
export function participantIdentifiers(participant: Participant): string[] {
  const identifiers: string[] = [];
  if (participant.phone !== undefined) {
    identifiers.push(formatPhoneNumber(participant.phone));
  }
  if (participant.email !== undefined) {
    identifiers.push(participant.email.trim());
  }
  if (participant.wechatId !== undefined) {
    identifiers.push(`WeChat ID ${participant.wechatId.trim()}`);
  }
  if (participant.wecomUserId !== undefined) {
    identifiers.push(`WeCom ID ${participant.wecomUserId.trim()}`);
  }
  return identifiers;
}

/**
 * What to call the participant: the display name, unless it merely repeats the phone number,
 * else the first identifier (a WeChat or WeCom id bare, without its "WeChat ID" prefix).
 */
export function participantName(participant: Participant): string {
  const displayName = participant.displayName?.trim();
  if (displayName !== undefined && displayName.length > 0 && !repeatsPhone(displayName, participant.phone)) {
    return displayName;
  }
  if (participant.phone !== undefined) {
    return formatPhoneNumber(participant.phone);
  }
  const identifier = (participant.email ?? participant.wechatId ?? participant.wecomUserId ?? '').trim();
  // Every identifier the source sent was unusable: say so rather than show nothing.
  return identifier === '' ? 'participant with an unusable identifier' : identifier;
}

/** Name with the most telling identifier: `Ana Diaz (+1 310 555 0199)`, or just `+1 310 555 0199`. */
export function participantLabel(participant: Participant): string {
  const name = participantName(participant);
  const identifier = participantIdentifiers(participant).find((candidate) => !sameText(candidate, name));
  return identifier === undefined || !hasDisplayName(participant, name) ? name : `${name} (${identifier})`;
}

/** Name with every identifier: `Ana Diaz (+1 202 555 0143, ana.diaz@contoso.com)`. */
export function participantFullLabel(participant: Participant): string {
  const name = participantName(participant);
  const identifiers = participantIdentifiers(participant).filter((candidate) => !sameText(candidate, name));
  return identifiers.length === 0 ? name : `${name} (${identifiers.join(', ')})`;
}

function hasDisplayName(participant: Participant, name: string): boolean {
  return participant.displayName !== undefined && participant.displayName.trim() === name;
}

/** A display name such as `+1 (310) 555-0199` that is only the phone number again. */
function repeatsPhone(displayName: string, phone: string | undefined): boolean {
  if (phone === undefined || /\p{L}/u.test(displayName)) {
    return false;
  }
  const digits = displayName.replace(/\D/g, '');
  return digits.length > 0 && digits === phone.replace(/\D/g, '');
}

function sameText(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0 || a === `WeChat ID ${b}` || a === `WeCom ID ${b}`;
}
