import { readWrittenNumber } from '../mapping/digits-only-number';
import type { RegionCode } from '../mapping/phone-number';
import type { EmlAddress } from './eml-message';

/** A participant in the archive API's shape (`phone`, `email`, `displayName`; at least one identifier). */
export interface ParticipantJson {
  phone?: string;
  email?: string;
  displayName?: string;
}

/**
 * A phone number at the end of a display name, bare or in parentheses: "Ana Diaz +12025550143",
 * "Ana Diaz (12025550143)", "+1 (202) 555-0143". Seven digits at least, so that a name with a
 * number in it ("Team 7") is not read as one.
 */
const TRAILING_NUMBER = /^(.*?)[\s,;-]*\(?(\+?\d[\d\s().-]{5,}\d)\)?\s*$/;

/**
 * Reads a From/To address of a TeleMessage EML into a participant. TeleMessage writes
 * participants in one of its display formats, by default `First Last Mobile <email>`; the
 * others leave out the name, the number or the address. The number is read as TeleMessage writes
 * it (international, with or without "+"); one that is no number in the connector's region is
 * kept as captured. The address is kept as given; the import stage maps by it.
 */
export function participantFromAddress(address: EmlAddress, defaultRegion: RegionCode): ParticipantJson {
  const participant: ParticipantJson = {};
  let name = address.name.replace(/\s+/g, ' ').trim();
  const match = TRAILING_NUMBER.exec(name);
  if (match !== null && (match[2] as string).replace(/\D/g, '').length >= 7) {
    participant.phone = readPhone(match[2] as string, defaultRegion);
    name = (match[1] as string).trim();
  }
  const email = address.address?.trim();
  if (email !== undefined && email !== '') {
    // An address whose local part is the number itself (12025550143@carrier.example) is how
    // some gateways write a bare number; it carries the number, not a mailbox.
    const local = email.slice(0, email.indexOf('@'));
    if (/^\+?\d{7,15}$/.test(local)) participant.phone ??= readPhone(local, defaultRegion);
    else participant.email = email;
  }
  if (name !== '' && name !== participant.phone && name !== email) participant.displayName = name;
  return participant;
}

function readPhone(text: string, defaultRegion: RegionCode): string {
  const reading = readWrittenNumber(text, defaultRegion, 'international');
  return reading.ok ? reading.e164 : text.replace(/[\s().-]/g, '');
}
