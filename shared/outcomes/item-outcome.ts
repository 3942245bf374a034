/** What became of one stored item in the import stage. */
export type ItemOutcomeStatus = 'imported' | 'unmapped' | 'quarantined' | 'failed';

export interface UnmappedParticipant {
  /** How the participant is shown to an administrator: name and number, email or WeChat id. */
  participant: string;
  reason: string;
}

export interface MailboxOutcome {
  userId: string;
  userPrincipalName: string;
  via: 'mapping-file' | 'email';
  /** The item's participants that led to this mailbox, as shown to an administrator (participantFullLabel); absent in records written before it was kept. */
  participants?: string[];
  status: 'imported' | 'alreadyImported' | 'failed';
  messageId?: string;
  error?: string;
}

export interface ItemOutcome {
  connectorId: string;
  itemId: string;
  /** The blob holding the item in `archive-items`. */
  blobName: string;
  status: ItemOutcomeStatus;
  archivedAt?: string;
  /** The item's kind (sms, mms, chat, call, …), once it was read; for the download log. */
  kind?: string;
  mailboxes: MailboxOutcome[];
  /** Participants that map to no mailbox, each with why; an item with no mailbox is unmapped as a whole. */
  unmapped: UnmappedParticipant[];
  /** SHA-256 of the item JSON as stored in the raw archive, as each copy carries it. */
  itemSha256?: string;
  /** SHA-256 of the copies' body text as created ({@link bodyTextSha256}), to detect later edits. */
  bodySha256?: string;
  /** How many participants are unmapped, when `unmapped` lists only the first of them (outcome-bounds.ts). */
  unmappedTotal?: number;
  /** How many mailboxes the item went to, when `mailboxes` lists only some of them (failed first). */
  mailboxTotal?: number;
  /** Why a quarantined item was refused. */
  reason?: string;
  /** The last failure, for failed items. */
  error?: string;
  attempts: number;
  firstProcessedAt: string;
  updatedAt: string;
}

/** Which copy: one item in one mailbox. */
export interface DeliveryKey {
  connectorId: string;
  itemId: string;
  userId: string;
}

/**
 * One copy of an item in one mailbox. `pending` is written, as a claim, before Graph is asked to
 * create the message (delivery-claim.ts): the invocation named `holder` works on the copy until
 * `leaseUntil`, and nobody else does meanwhile. `imported` is final.
 */
export interface MailboxDelivery extends DeliveryKey {
  status: 'pending' | 'imported';
  messageId?: string;
  /** Claims made on this copy so far (the first invocation's is 1). */
  attempts: number;
  updatedAt: string;
  /** While `pending`: the claim holds until then (ISO time); absent or past, the copy is free to claim. */
  leaseUntil?: string;
  /** The invocation that holds, or last held, the claim (an id of no meaning outside the record). */
  holder?: string;
}

/** A delivery record as read, with its ETag for a conditional write. */
export interface VersionedDelivery {
  delivery: MailboxDelivery;
  etag: string;
}
