import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ExportedMessage, MailboxExport } from '../simulators/graph';
import { sourceItemIdPropertyId } from '../../shared/conversion';

/** One `mailbox.json` the Graph simulator wrote. */
export interface ExportedMailbox {
  userPrincipalName: string;
  file: string;
  mailbox: MailboxExport;
}

/** One imported item's message in one mailbox. */
export interface ExportedItemCopy {
  userPrincipalName: string;
  folder: string;
  itemId: string;
  message: ExportedMessage;
}

/**
 * Reads every `<graphDataDir>/mailboxes/<upn>/mailbox.json`, sorted by user. Read it after the
 * simulator has stopped (or flushed): it writes the files shortly after each change.
 */
export async function readGraphExport(graphDataDir: string): Promise<ExportedMailbox[]> {
  const root = path.join(graphDataDir, 'mailboxes');
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const mailboxes: ExportedMailbox[] = [];
  for (const name of names.sort()) {
    const file = path.join(root, name, 'mailbox.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    mailboxes.push({ userPrincipalName: name, file, mailbox: JSON.parse(text) as MailboxExport });
  }
  return mailboxes;
}

/** The TeleMessage item id a message carries in the project's named property, if any. */
export function sourceItemIdOf(message: ExportedMessage): string | undefined {
  const wanted = sourceItemIdPropertyId().toLowerCase();
  return message.singleValueExtendedProperties.find((p) => p.id.toLowerCase() === wanted)?.value;
}

/** Every message that carries a source item id, with its mailbox and folder. */
export function itemCopies(mailboxes: readonly ExportedMailbox[]): ExportedItemCopy[] {
  const copies: ExportedItemCopy[] = [];
  for (const { userPrincipalName, mailbox } of mailboxes) {
    for (const folder of mailbox.folders) {
      for (const message of folder.messages) {
        const itemId = sourceItemIdOf(message);
        if (itemId !== undefined) copies.push({ userPrincipalName, folder: folder.displayName, itemId, message });
      }
    }
  }
  return copies;
}

/** How many messages each (mailbox, source item id) pair has: every value is 1 when nothing was doubled. */
export function countCopies(copies: readonly ExportedItemCopy[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const copy of copies) {
    const key = copyKey(copy.userPrincipalName, copy.itemId);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The key of {@link countCopies}: `<upn> <itemId>`. */
export function copyKey(userPrincipalName: string, itemId: string): string {
  return `${userPrincipalName} ${itemId}`;
}

/** Where the simulator keeps the bytes of an attachment of a user's mailbox. */
export function attachmentFile(graphDataDir: string, userPrincipalName: string, sha256: string): string {
  return path.join(graphDataDir, 'mailboxes', userPrincipalName, 'attachments', sha256);
}
