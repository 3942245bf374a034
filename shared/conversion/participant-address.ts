import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Participant } from '../items';
import { participantLabel, participantName } from '../products';
import { oneLine } from './safe-text';

/** Graph's `recipient`. */
export interface GraphRecipient {
  emailAddress: {
    name: string;
    address: string;
  };
}

/**
 * Domains of the addresses given to participants that have no email address. Under `.invalid`
 * (RFC 2606), so they are well-formed but can never be delivered to.
 */
export const NON_ROUTABLE_DOMAINS = {
  phone: 'phone.telemessage.invalid',
  wechat: 'wechat.telemessage.invalid',
  wecom: 'wecom.telemessage.invalid',
  unusable: 'unusable.telemessage.invalid',
} as const;

/** Longest recipient display name produced. */
export const MAX_RECIPIENT_NAME_LENGTH = 200;

const MAX_LOCAL_PART_LENGTH = 64;

/**
 * A participant as a Graph recipient. One with an email address keeps it, named by its display
 * name. Any other gets a non-routable address built from its phone number
 * (`13105550199@phone.telemessage.invalid`), WeChat id or WeCom user id, and a name that shows the
 * number or id, so it reads well in Outlook and eDiscovery.
 */
export function toGraphRecipient(participant: Participant): GraphRecipient {
  const name = participant.email !== undefined ? participantName(participant) : participantLabel(participant);
  return {
    emailAddress: {
      name: oneLine(name, MAX_RECIPIENT_NAME_LENGTH),
      address: participantAddress(participant),
    },
  };
}

/** The address {@link toGraphRecipient} uses; the same participant always gets the same one. */
export function participantAddress(participant: Participant): string {
  if (participant.email !== undefined) {
    return participant.email.trim();
  }
  if (participant.phone !== undefined) {
    return `${phoneLocalPart(participant.phone)}@${NON_ROUTABLE_DOMAINS.phone}`;
  }
  if (participant.wechatId !== undefined) {
    return `${idLocalPart(participant.wechatId)}@${NON_ROUTABLE_DOMAINS.wechat}`;
  }
  if (participant.wecomUserId !== undefined) {
    return `${idLocalPart(participant.wecomUserId)}@${NON_ROUTABLE_DOMAINS.wecom}`;
  }
  // Every identifier the source sent was unusable: a non-routable address, distinct per participant.
  return `${idLocalPart((participant.unusableIdentifiers ?? []).join('\n') || participant.displayName || 'unknown')}@${NON_ROUTABLE_DOMAINS.unusable}`;
}

/** E.164 digits for a number libphonenumber can place or one written only with digits and punctuation. */
function phoneLocalPart(phone: string): string {
  const trimmed = phone.trim();
  const parsed = trimmed.startsWith('+') ? parsePhoneNumberFromString(trimmed) : undefined;
  if (parsed !== undefined && parsed.isPossible()) {
    return parsed.number.slice(1);
  }
  const digits = trimmed.replace(/\D/g, '');
  if (/^[\d\s+().-]+$/.test(trimmed) && digits.length > 0 && digits.length <= MAX_LOCAL_PART_LENGTH) {
    return digits;
  }
  return idLocalPart(trimmed);
}

/**
 * A local part of lower-case letters, digits, `_` and `-`. Where that loses anything beyond case
 * (punctuation, non-Latin letters, length) a short digest of the original is appended, so that
 * distinct identifiers keep distinct addresses.
 */
function idLocalPart(identifier: string): string {
  const lower = identifier.trim().toLowerCase();
  const safe = lower
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (safe === lower && safe.length > 0 && safe.length <= MAX_LOCAL_PART_LENGTH) {
    return safe;
  }
  const digest = createHash('sha256').update(identifier, 'utf8').digest('hex').slice(0, 10);
  const stem = safe.slice(0, MAX_LOCAL_PART_LENGTH - digest.length - 1).replace(/-+$/, '');
  return stem.length > 0 ? `${stem}-${digest}` : `id-${digest}`;
}
