import { utcTimestampMillis } from '../items';

/**
 * The times a mailbox can hold. Exchange keeps times as FILETIME, which starts on 1601-01-01;
 * a time before that is refused for ever. A sent time later than the item was archived cannot
 * be true (a day is allowed for clock skew) and would sort at the top of the folder for ever.
 * So a `sentAt` outside [{@link EARLIEST_MAILBOX_TIME}, archivedAt + 1 day] is filed at the
 * archived time instead; the original is kept in the `x-telemessage-sent-at` header and shown in
 * the body. `archivedAt` itself is refused before that earliest time by the item parser, and
 * is bounded above by the fetch window it was listed in.
 */
export const EARLIEST_MAILBOX_TIME = '1601-01-02T00:00:00Z';
const SKEW_MS = 24 * 60 * 60 * 1000;

export interface MailboxTime {
  /** ISO instant to file the message at. */
  readonly filedAt: string;
  /** True when `sentAt` was outside the range and `archivedAt` was used instead. */
  readonly replaced: boolean;
}

export function mailboxSentTime(item: { readonly sentAt: string; readonly archivedAt: string }): MailboxTime {
  const sent = utcTimestampMillis(item.sentAt);
  const archived = utcTimestampMillis(item.archivedAt);
  if (sent >= Date.parse(EARLIEST_MAILBOX_TIME) && sent <= archived + SKEW_MS) {
    return { filedAt: new Date(sent).toISOString(), replaced: false };
  }
  return { filedAt: new Date(archived).toISOString(), replaced: true };
}
