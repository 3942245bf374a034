import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { attachmentFile, copyKey, countCopies, itemCopies, type ExportedItemCopy, type ExportedMailbox } from '../../dev/demo/graph-export';
import type { TeleMessageItem } from '../../dev/scenario/telemessage-item';
import { CLIENT_SUBMIT_TIME_PROPERTY_ID, DELIVERY_TIME_PROPERTY_ID, MESSAGE_FLAGS_PROPERTY_ID, textToHtml } from '../../shared/conversion';

export interface ExpectedItem {
  item: TeleMessageItem;
  /** User principal names that must each hold exactly one copy. */
  mailboxes: readonly string[];
  folder: string;
}

/**
 * The Graph export holds exactly one message per (mailbox, item) pair expected, and none other:
 * nothing lost, nothing doubled, nothing delivered where it does not belong.
 */
export function assertExactlyOnce(mailboxes: readonly ExportedMailbox[], expected: readonly ExpectedItem[]): ExportedItemCopy[] {
  const copies = itemCopies(mailboxes);
  const counts = countCopies(copies);
  const wanted = new Map<string, number>();
  for (const e of expected) for (const upn of e.mailboxes) wanted.set(copyKey(upn, e.item.id), 1);
  const actual = Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
  assert.deepEqual(actual, Object.fromEntries([...wanted].sort(([a], [b]) => a.localeCompare(b))), 'messages per (mailbox, item) in the Graph export');
  return copies;
}

function property(copy: ExportedItemCopy, id: string): string | undefined {
  return copy.message.singleValueExtendedProperties.find((p) => p.id.toLowerCase() === id.toLowerCase())?.value;
}

/**
 * Every copy sits in the expected folder, looks delivered (read, not a draft, PidTagMessageFlags 1),
 * carries the item's sent time (shifted by `offsetMs`, the simulator's rebase) as delivery and
 * submit time, shows the text in its body and holds the item's attachments with their exact bytes.
 */
export async function assertCopiesMatchItems(
  graphDataDir: string,
  copies: readonly ExportedItemCopy[],
  expected: readonly ExpectedItem[],
  offsetMs: number,
): Promise<void> {
  const byId = new Map(expected.map((e) => [e.item.id, e]));
  for (const copy of copies) {
    const e = byId.get(copy.itemId);
    assert.ok(e, `unexpected item ${copy.itemId}`);
    const where = `${copy.itemId} in ${copy.userPrincipalName}`;
    assert.equal(copy.folder, e.folder, `${where}: folder`);
    assert.equal(copy.message.isDraft, false, `${where}: isDraft`);
    assert.equal(copy.message.isRead, true, `${where}: isRead`);
    assert.equal(property(copy, MESSAGE_FLAGS_PROPERTY_ID), '1', `${where}: PidTagMessageFlags`);
    const sent = new Date(Date.parse(e.item.sentAt) + offsetMs).toISOString();
    assert.equal(property(copy, DELIVERY_TIME_PROPERTY_ID), sent, `${where}: delivery time`);
    assert.equal(property(copy, CLIENT_SUBMIT_TIME_PROPERTY_ID), sent, `${where}: submit time`);
    const body = copy.message.body as { content?: unknown } | undefined;
    assert.equal(typeof body?.content, 'string', `${where}: body`);
    if (e.item.text !== '') assert.ok((body!.content as string).includes(textToHtml(e.item.text)), `${where}: body holds the text`);

    const attachments = copy.message.attachments.map((a) => ({ name: a.name, size: a.size, sha256: a.sha256 }));
    const wanted = e.item.attachments.map((a) => ({ name: a.fileName, size: a.size, sha256: a.sha256 }));
    assert.deepEqual(sortByName(attachments), sortByName(wanted), `${where}: attachments`);
    for (const a of e.item.attachments) {
      const bytes = await readFile(attachmentFile(graphDataDir, copy.userPrincipalName, a.sha256));
      assert.equal(createHash('sha256').update(bytes).digest('hex'), a.sha256, `${where}: bytes of ${a.fileName}`);
    }
  }
}

function sortByName<T extends { name: string }>(values: T[]): T[] {
  return [...values].sort((a, b) => a.name.localeCompare(b.name));
}

/** The offset the simulator applied: the same for every item, so read it from any copy. */
export function rebaseOffsetFromCopies(copies: readonly ExportedItemCopy[], expected: readonly ExpectedItem[]): number {
  const byId = new Map(expected.map((e) => [e.item.id, e]));
  // The first copy of an expected item: the export's order follows the order of import, so a
  // copy of another transport's item (not in `expected`) may come first.
  const first = copies.find((copy) => byId.has(copy.itemId));
  assert.ok(first, 'no copy of an expected item to read the rebase offset from');
  const delivered = property(first, DELIVERY_TIME_PROPERTY_ID);
  assert.ok(delivered, `${first.itemId}: no delivery time`);
  return Date.parse(delivered) - Date.parse(byId.get(first.itemId)!.item.sentAt);
}
