import type { ItemKind, Product } from './item-catalog';

/**
 * One archived TeleMessage item after validation ({@link parseArchivedItem}). Field names follow
 * the archive API; optional source fields that were absent or null are left out, times are
 * canonical RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`) and sha256 digests lower-case hex.
 */
export type ArchivedItem = MessageItem | CallItem | RecallItem;

export type Direction = 'inbound' | 'outbound';

export type ConversationType = 'direct' | 'group';

/**
 * A party to an item: the archived account, the sender or a recipient. At least one of the
 * identifiers (`phone`, `email`, `wechatId`, `wecomUserId`) is present.
 */
export interface Participant {
  /** E.164 when the carrier gave one, otherwise as captured (short codes, alphanumeric senders). */
  readonly phone?: string;
  /** The TeleMessage user's email address, present for registered users. */
  readonly email?: string;
  readonly wechatId?: string;
  readonly wecomUserId?: string;
  readonly displayName?: string;
  /**
   * Identifiers the source sent that cannot be used (`to[0].email "bob@localhost": must be an
   * email address such as name@example.com`), left out of the fields above. The participant's
   * problem only: the item is imported for the others, and this is its unmapped reason.
   */
  readonly unusableIdentifiers?: readonly string[];
}

export interface Conversation {
  readonly id: string;
  readonly type: ConversationType;
  /** A group's name, when the source knows one. */
  readonly title?: string;
}

/** An attachment as the item describes it; the bytes are fetched separately by `id`. */
export interface AttachmentRef {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: string;
  /** Bytes. */
  readonly size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  readonly sha256: string;
}

export type CallMedia = 'voice' | 'video';

export type CallOutcome = 'answered' | 'missed' | 'declined' | 'cancelled';

export interface CallDetails {
  readonly media: CallMedia;
  readonly outcome: CallOutcome;
  readonly startedAt: string;
  /** Absent when the source did not record an end (a call that never connected, say). */
  readonly endedAt?: string;
  readonly durationSeconds?: number;
}

export interface RecallDetails {
  /** The source id of the recalled item; that item may arrive later or never have been archived. */
  readonly targetItemId: string;
  readonly recalledAt: string;
}

export interface ArchivedItemFields {
  readonly id: string;
  readonly product: Product;
  readonly kind: ItemKind;
  /** When TeleMessage stored the item; the fetch window is cut on this time. */
  readonly archivedAt: string;
  /** When the item was sent (or the call placed). */
  readonly sentAt: string;
  /** Seen from the archived account. */
  readonly direction: Direction;
  /** The archived account the item was captured for. */
  readonly account: Participant;
  readonly conversation: Conversation;
  readonly from: Participant;
  readonly to: readonly Participant[];
  /** The message text; empty when the item has none (an MMS of only a picture, a call). */
  readonly text: string;
  /** An MMS subject line, when the sender gave one. */
  readonly subject?: string;
  readonly attachments: readonly AttachmentRef[];
}

/** Every kind that carries no kind-specific block: sms, mms, chat, file, system, and later ones. */
export interface MessageItem extends ArchivedItemFields {
  readonly kind: Exclude<ItemKind, 'call' | 'recall'>;
}

export interface CallItem extends ArchivedItemFields {
  readonly kind: 'call';
  readonly call: CallDetails;
}

export interface RecallItem extends ArchivedItemFields {
  readonly kind: 'recall';
  readonly recall: RecallDetails;
}
