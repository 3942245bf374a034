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

/** One copy of an item in one mailbox: written `pending` before Graph is asked to create it. */
export interface MailboxDelivery {
  connectorId: string;
  itemId: string;
  userId: string;
  status: 'pending' | 'imported';
  messageId?: string;
  attempts: number;
  updatedAt: string;
}
