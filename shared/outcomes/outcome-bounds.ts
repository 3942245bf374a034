import type { ItemOutcome, MailboxOutcome, UnmappedParticipant } from './item-outcome';

/**
 * Bounds on one outcome record. The record is one string property of a table entity, which
 * Table Storage caps at 64 KiB (32 K UTF-16 characters); whatever the item holds (a 40,000
 * character display name, 300 unmapped numbers, 500 recipients), the record must fit, or the
 * write fails for ever and the item is listed nowhere.
 *
 * - at most {@link MAX_PARTICIPANTS_PER_MAILBOX} source participants named per mailbox;
 * - every text (participant, reason, error, address) at most {@link MAX_TEXT} characters, the cut
 *   shown as `… (N more characters)`;
 * - at most {@link MAX_LISTED_UNMAPPED} unmapped participants and {@link MAX_LISTED_MAILBOXES}
 *   mailboxes listed (failed ones first), with `unmappedTotal`/`mailboxTotal` giving the full
 *   counts. Nothing is lost by the cut: each mailbox's copy has its own `delivery` row, and the
 *   item itself, with every participant, stays in `archive-items`;
 * - the whole record under {@link MAX_RECORD_CHARS}: lists are halved until it fits.
 */
export const MAX_TEXT = 512;
export const MAX_LISTED_UNMAPPED = 50;
export const MAX_LISTED_MAILBOXES = 50;
export const MAX_RECORD_CHARS = 24_000;
/** The participants that led to one mailbox: one person seldom appears under more than a number and an address. */
export const MAX_PARTICIPANTS_PER_MAILBOX = 5;

export function boundOutcome(outcome: ItemOutcome): ItemOutcome {
  const unmappedTotal = outcome.unmappedTotal ?? outcome.unmapped.length;
  const mailboxTotal = outcome.mailboxTotal ?? outcome.mailboxes.length;
  // Failed copies first: they are what an administrator acts on.
  const mailboxes = [...outcome.mailboxes.filter((m) => m.status === 'failed'), ...outcome.mailboxes.filter((m) => m.status !== 'failed')];
  let unmappedLimit = MAX_LISTED_UNMAPPED;
  let mailboxLimit = MAX_LISTED_MAILBOXES;
  for (;;) {
    const bounded: ItemOutcome = {
      ...outcome,
      ...(outcome.reason === undefined ? {} : { reason: cutText(outcome.reason) }),
      ...(outcome.error === undefined ? {} : { error: cutText(outcome.error) }),
      unmapped: outcome.unmapped.slice(0, unmappedLimit).map(boundUnmapped),
      mailboxes: (outcome.mailboxes.length <= mailboxLimit ? outcome.mailboxes : mailboxes.slice(0, mailboxLimit)).map(boundMailbox),
      ...(unmappedTotal > Math.min(unmappedLimit, outcome.unmapped.length) || outcome.unmappedTotal !== undefined ? { unmappedTotal } : {}),
      ...(mailboxTotal > Math.min(mailboxLimit, outcome.mailboxes.length) || outcome.mailboxTotal !== undefined ? { mailboxTotal } : {}),
    };
    if (JSON.stringify(bounded).length <= MAX_RECORD_CHARS || (unmappedLimit === 0 && mailboxLimit === 0)) return bounded;
    unmappedLimit = Math.floor(unmappedLimit / 2);
    mailboxLimit = Math.floor(mailboxLimit / 2);
  }
}

/** `text` cut to `max` characters with the cut made visible; never splits a surrogate pair. */
export function cutText(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  let kept = text.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}… (${text.length - kept.length} more characters)`;
}

function boundUnmapped(u: UnmappedParticipant): UnmappedParticipant {
  return { participant: cutText(u.participant), reason: cutText(u.reason) };
}

function boundMailbox(m: MailboxOutcome): MailboxOutcome {
  return {
    ...m,
    userPrincipalName: cutText(m.userPrincipalName),
    ...(m.participants === undefined ? {} : { participants: m.participants.slice(0, MAX_PARTICIPANTS_PER_MAILBOX).map((p) => cutText(p)) }),
    ...(m.error === undefined ? {} : { error: cutText(m.error) }),
  };
}
