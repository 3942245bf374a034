import type { ConnectorStore } from '../connectors/connector-store';
import { attachmentHashesValue, bodyTextSha256, parseAttachmentHashes } from '../conversion';
import type { GraphCopyReader } from '../graph/copy-reader';
import { mapWithConcurrency } from '../platform/concurrency/bounded-map';
import { MANIFEST_FORMAT, type DayManifest } from './day-manifest';
import type { UtcDay } from './day-reconciliation';
import type { BlobManifestStore } from './manifest-store';

export class DayNotReconciledError extends Error {
  override readonly name = 'DayNotReconciledError';

  constructor(readonly connectorId: string, readonly day: UtcDay) {
    super(`Connector "${connectorId}" has no manifest for ${day}: the day is not reconciled (see "items reconcile")`);
  }
}

/** One copy that is not what the manifest recorded. */
export interface CopyDifference {
  itemId: string;
  mailbox: string;
  messageId: string;
  problem: string;
}

export interface DayVerification {
  connectorId: string;
  day: UtcDay;
  manifestBlob: string;
  manifestSha256: string;
  /** Copies the manifest records, and how many of them were read back. */
  copies: number;
  checked: number;
  differences: CopyDifference[];
}

export interface VerifyDayRequest {
  connectorId: string;
  day: UtcDay;
  /** Check this many copies chosen at random instead of all. */
  sample?: number;
}

export interface VerifyDayDependencies {
  connectors: ConnectorStore;
  manifests: BlobManifestStore;
  reader: GraphCopyReader;
  random?: () => number;
  signal?: AbortSignal;
}

/**
 * Reads each copy a reconciled day's manifest records back through Graph and checks that it
 * exists, sits in the connector's folder, carries the item's and attachments' hashes, and shows
 * the body it was created with. Read-only: nothing in a mailbox or in storage changes.
 */
export async function verifyDay(request: VerifyDayRequest, deps: VerifyDayDependencies): Promise<DayVerification> {
  const connector = await deps.connectors.get(request.connectorId);
  const stored = await deps.manifests.read(request.connectorId, request.day);
  if (stored === undefined) throw new DayNotReconciledError(request.connectorId, request.day);
  const manifest = JSON.parse(stored.bytes.toString('utf8')) as DayManifest;
  if (manifest.format !== MANIFEST_FORMAT) throw new Error(`${stored.blobName}: unknown manifest format ${JSON.stringify(manifest.format)}`);

  const all = manifest.items.flatMap((item) => item.copies.map((copy) => ({ item, copy })));
  const chosen = request.sample === undefined ? all : sample(all, request.sample, deps.random ?? Math.random);
  const folders = new Map<string, Promise<string | undefined>>();
  const folderOf = (userId: string): Promise<string | undefined> => {
    let id = folders.get(userId);
    if (id === undefined) folders.set(userId, (id = deps.reader.findFolderId(userId, connector.folderName)));
    return id;
  };

  const found = await mapWithConcurrency(
    chosen,
    4,
    async ({ item, copy }): Promise<CopyDifference[]> => {
      const differ = (problem: string): CopyDifference => ({ itemId: item.itemId, mailbox: copy.userPrincipalName, messageId: copy.messageId, problem });
      const read = await deps.reader.readCopy(copy.userId, copy.messageId);
      if (read === undefined) return [differ('copy missing from the mailbox')];
      const differences: CopyDifference[] = [];
      const folderId = await folderOf(copy.userId);
      if (folderId === undefined || read.parentFolderId !== folderId) differences.push(differ(`copy is not in the folder "${connector.folderName}"`));
      if (read.itemSha256 !== item.sha256) differences.push(differ(`item SHA-256 is ${read.itemSha256 ?? 'missing'}, the archive's is ${item.sha256 ?? 'unknown'}`));
      const attachments = read.attachmentsSha256 === undefined ? undefined : parseAttachmentHashes(read.attachmentsSha256);
      if (attachments === undefined || JSON.stringify(attachments) !== attachmentHashesValue(item)) differences.push(differ("attachments' SHA-256 differ from the archive's"));
      if (item.bodySha256 !== undefined && bodyTextSha256(read.bodyHtml) !== item.bodySha256) differences.push(differ('body differs from the body imported'));
      return differences;
    },
    deps.signal,
  );
  return {
    connectorId: request.connectorId,
    day: request.day,
    manifestBlob: stored.blobName,
    manifestSha256: stored.sha256,
    copies: all.length,
    checked: chosen.length,
    differences: found.flat(),
  };
}

function sample<T>(values: readonly T[], count: number, random: () => number): T[] {
  const pool = [...values];
  for (let i = pool.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, Math.max(0, count));
}
