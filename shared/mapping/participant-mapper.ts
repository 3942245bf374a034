import { mapWithConcurrency } from '../platform/concurrency/bounded-map';
import { lookupMappedAddress, type CustomMapping } from './custom-mapping';
import { describeLookupFailure, type DirectoryLookup, type UserDirectory } from './directory';
import { addressKey, normalizeAddress } from './email-address';
import { formatPhoneNumberForDisplay, tryNormalizePhoneNumber, type RegionCode } from './phone-number';

/**
 * What the mapper reads of a participant (an item's `account`, `from` or `to` entry). Items carry
 * at least one of phone, email, wechatId, wecomUserId.
 */
export interface ParticipantIdentity {
  readonly phone?: string | null;
  readonly email?: string | null;
  readonly wechatId?: string | null;
  readonly wecomUserId?: string | null;
  readonly displayName?: string | null;
  /** Identifiers the item parser left out as unusable, each with why; part of the unmapped reason. */
  readonly unusableIdentifiers?: readonly string[];
}

export type MappingSource = 'mapping-file' | 'email';

export interface ParticipantMappingOptions {
  /** The administrator's mapping file in force, if any. */
  readonly mapping?: CustomMapping | null;
  /** Whether a participant's own email address may name the mailbox ("automatic user mapping"). */
  readonly autoMapping: boolean;
  /** Region of phone numbers captured without a country code. */
  readonly defaultRegion: RegionCode;
  /** Give a {@link CachingUserDirectory} shared by the run: participants recur across items. */
  readonly directory: UserDirectory;
  readonly abortSignal?: AbortSignal;
}

/** The outcome for one participant. */
export type ParticipantMapping =
  | { readonly status: 'mapped'; readonly userId: string; readonly userPrincipalName: string; readonly via: MappingSource }
  | { readonly status: 'unmapped'; readonly reason: string };

export interface MappedMailbox<P extends ParticipantIdentity = ParticipantIdentity> {
  readonly userId: string;
  readonly userPrincipalName: string;
  /** 'mapping-file' when any of the participants reached this user through the file, else 'email'. */
  readonly via: MappingSource;
  /** The item's participants that are this user, each once. */
  readonly participants: readonly P[];
}

export interface UnmappedParticipant<P extends ParticipantIdentity = ParticipantIdentity> {
  readonly participant: P;
  /** Why no mailbox was found, for people: "+1 310 555 0199: not in the mapping file, no email address". */
  readonly reason: string;
}

export interface ItemMapping<P extends ParticipantIdentity = ParticipantIdentity> {
  /** 'unmapped' when no participant leads to a mailbox: the item cannot be imported anywhere. */
  readonly status: 'mapped' | 'unmapped';
  /** Each user once, in the order their participants first appear. */
  readonly mailboxes: readonly MappedMailbox<P>[];
  /** Every participant without a mailbox, each once; all of them when the item is unmapped. */
  readonly unmapped: readonly UnmappedParticipant<P>[];
}

export type ConnectorEnablement = { readonly allowed: true } | { readonly allowed: false; readonly message: string };

const LOOKUP_CONCURRENCY = 8;

/**
 * Whether a connector may be enabled. With automatic mapping off and no mapping file, no
 * participant can ever reach a mailbox, so every item would be unmapped.
 */
export function canEnableConnector(options: { readonly autoMapping: boolean; readonly hasMappingFile: boolean }): ConnectorEnablement {
  if (options.autoMapping || options.hasMappingFile) return { allowed: true };
  return {
    allowed: false,
    message:
      'The connector cannot be enabled with automatic user mapping off and no mapping file: no item could be ' +
      'mapped to a mailbox. Turn on automatic user mapping, upload a mapping file, or both.',
  };
}

/**
 * Finds the Microsoft 365 user of one participant:
 * (1) the address the mapping file gives the participant's phone number, when that is a valid user;
 * (2) else, when automatic mapping is on, the participant's email address, when that is a valid user;
 * (3) else none, with the reason.
 * Rejects only when the directory cannot answer.
 */
export async function mapParticipant(participant: ParticipantIdentity, options: ParticipantMappingOptions): Promise<ParticipantMapping> {
  options.abortSignal?.throwIfAborted();
  const { defaultRegion, directory, abortSignal } = options;
  const mapping = options.mapping ?? undefined;
  const phone = present(participant.phone);
  const email = present(participant.email);

  let phoneOutcome: string | undefined;
  if (phone !== undefined) {
    const number = tryNormalizePhoneNumber(phone, { defaultRegion });
    if (mapping === undefined) {
      phoneOutcome = 'no mapping file';
    } else if (!number.ok) {
      phoneOutcome = 'not a valid phone number';
    } else {
      const mapped = lookupMappedAddress(mapping, number.e164);
      if (mapped === undefined) {
        phoneOutcome = 'not in the mapping file';
      } else {
        const lookup = await directory.resolve(mapped, { abortSignal });
        if (lookup.status === 'valid') return mappedTo(lookup, 'mapping-file');
        phoneOutcome = `mapped to ${mapped}, which ${failureAsClause(lookup)}`;
      }
    }
  }

  let emailOutcome: string | undefined;
  if (email === undefined) {
    emailOutcome = phone === undefined ? undefined : 'no email address';
  } else if (!options.autoMapping) {
    emailOutcome = 'automatic mapping is off';
  } else {
    const lookup = await directory.resolve(email, { abortSignal });
    if (lookup.status === 'valid') return mappedTo(lookup, 'email');
    emailOutcome = lookup.status === 'not-found' ? 'not found in the directory' : describeLookupFailure(lookup.status);
  }

  const unusable = participant.unusableIdentifiers ?? [];
  if (unusable.length > 0 && phone === undefined && email === undefined) {
    return { status: 'unmapped', reason: unusable.join('; ') };
  }
  const reason = unmappedReason(participant, phone, email, phoneOutcome, emailOutcome, defaultRegion);
  return { status: 'unmapped', reason: unusable.length > 0 ? `${reason}; ${unusable.join('; ')}` : reason };
}

/**
 * Maps every participant of one item and groups them by user: each user's mailbox appears once,
 * however many of the item's participants are that user. Participants that are exact repeats
 * (the archived account is often also `from`) are treated once.
 */
export async function mapItemParticipants<P extends ParticipantIdentity>(
  participants: readonly P[],
  options: ParticipantMappingOptions,
): Promise<ItemMapping<P>> {
  const distinct = distinctParticipants(participants, options.defaultRegion);
  const outcomes = await mapWithConcurrency(distinct, LOOKUP_CONCURRENCY, (participant) => mapParticipant(participant, options), options.abortSignal);

  const mailboxes = new Map<string, { userId: string; userPrincipalName: string; via: MappingSource; participants: P[] }>();
  const unmapped: UnmappedParticipant<P>[] = [];
  distinct.forEach((participant, index) => {
    const outcome = outcomes[index] as ParticipantMapping;
    if (outcome.status === 'unmapped') {
      unmapped.push({ participant, reason: outcome.reason });
      return;
    }
    const mailbox = mailboxes.get(outcome.userId);
    if (mailbox === undefined) {
      mailboxes.set(outcome.userId, {
        userId: outcome.userId,
        userPrincipalName: outcome.userPrincipalName,
        via: outcome.via,
        participants: [participant],
      });
    } else {
      mailbox.participants.push(participant);
      if (outcome.via === 'mapping-file') mailbox.via = 'mapping-file';
    }
  });
  return { status: mailboxes.size > 0 ? 'mapped' : 'unmapped', mailboxes: [...mailboxes.values()], unmapped };
}

/** One line summing up why an unmapped item has no mailbox, from its participants' reasons. */
export function describeUnmappedItem(mapping: ItemMapping): string {
  if (mapping.unmapped.length === 0) return 'the item has no participants';
  return `no participant maps to a Microsoft 365 mailbox (${mapping.unmapped.map((u) => u.reason).join('; ')})`;
}

function mappedTo(lookup: Extract<DirectoryLookup, { status: 'valid' }>, via: MappingSource): ParticipantMapping {
  return { status: 'mapped', userId: lookup.userId, userPrincipalName: lookup.userPrincipalName, via };
}

function failureAsClause(lookup: Exclude<DirectoryLookup, { status: 'valid' }>): string {
  switch (lookup.status) {
    case 'not-found':
      return 'is not found in the directory';
    case 'ambiguous':
      return 'is shared by more than one user in the directory';
    case 'account-disabled':
      return 'has its account disabled';
    case 'no-mailbox':
      return 'has no mailbox';
  }
}

function unmappedReason(
  participant: ParticipantIdentity,
  phone: string | undefined,
  email: string | undefined,
  phoneOutcome: string | undefined,
  emailOutcome: string | undefined,
  defaultRegion: RegionCode,
): string {
  if (phone === undefined && email === undefined) {
    return `${describeIdentity(participant)}: no phone number or email address`;
  }
  const subject = phone !== undefined ? formatPhoneNumberForDisplay(phone, { defaultRegion }) : normalizeAddress(email as string);
  const parts: string[] = [];
  if (phoneOutcome !== undefined) parts.push(phoneOutcome);
  if (emailOutcome !== undefined) {
    // The email address is the subject when there is no phone; otherwise it must be named.
    const namesEmail = phone !== undefined && email !== undefined;
    parts.push(namesEmail ? `email address ${normalizeAddress(email)}: ${emailOutcome}` : emailOutcome);
  }
  const separator = parts.some((part) => part.includes(',') || part.includes(':')) ? '; ' : ', ';
  return `${subject}: ${parts.join(separator)}`;
}

function describeIdentity(participant: ParticipantIdentity): string {
  const ids = [
    present(participant.wechatId) === undefined ? undefined : `WeChat ID ${present(participant.wechatId)}`,
    present(participant.wecomUserId) === undefined ? undefined : `WeCom user ID ${present(participant.wecomUserId)}`,
  ].filter((id) => id !== undefined);
  const name = present(participant.displayName);
  if (name !== undefined && ids.length > 0) return `${name} (${ids.join(', ')})`;
  if (name !== undefined) return name;
  if (ids.length > 0) return ids.join(', ');
  return 'a participant without any identifier';
}

function distinctParticipants<P extends ParticipantIdentity>(participants: readonly P[], defaultRegion: RegionCode): P[] {
  const seen = new Set<string>();
  const distinct: P[] = [];
  for (const participant of participants) {
    const key = identityKey(participant, defaultRegion);
    if (seen.has(key)) continue;
    seen.add(key);
    distinct.push(participant);
  }
  return distinct;
}

/** Two participants with the same key are the same person and map the same way. */
function identityKey(participant: ParticipantIdentity, defaultRegion: RegionCode): string {
  const phone = present(participant.phone);
  const number = phone === undefined ? undefined : tryNormalizePhoneNumber(phone, { defaultRegion });
  const email = present(participant.email);
  return JSON.stringify([
    number === undefined ? null : number.ok ? number.e164 : (phone as string),
    email === undefined ? null : addressKey(email),
    present(participant.wechatId) ?? null,
    present(participant.wecomUserId) ?? null,
    // Only a participant known by nothing else is told apart by its display name (and what was unusable).
    phone === undefined && email === undefined && present(participant.wechatId) === undefined && present(participant.wecomUserId) === undefined
      ? [present(participant.displayName) ?? null, ...(participant.unusableIdentifiers ?? [])]
      : null,
  ]);
}

function present(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
