import { RestError, type ContainerClient } from '@azure/storage-blob';
import { itemBlobName } from '../archive/blob-names';
import type { ConnectorStore } from '../connectors/connector-store';
import type { ImportStore } from '../outcomes/import-store';
import type { ItemOutcome } from '../outcomes/item-outcome';
import { mapWithConcurrency } from '../platform/concurrency/bounded-map';
import { describeError } from './admin-errors';
import { connectorIdArgument } from './connector-settings';

/** The outcomes an administrator can replay once the cause is fixed. */
export type ReplayableStatus = 'unmapped' | 'failed';

export const REPLAYABLE_STATUSES: readonly ReplayableStatus[] = ['unmapped', 'failed'];

export interface ItemAdminDependencies {
  connectors: ConnectorStore;
  imports: ImportStore;
}

/** A connector's items with this outcome, by item id: unmapped ones carry each participant's reason. */
export async function listItemOutcomes(connectorId: string, status: ReplayableStatus, deps: ItemAdminDependencies): Promise<ItemOutcome[]> {
  const id = connectorIdArgument(connectorId, 'connector');
  await deps.connectors.get(id);
  return deps.imports.listOutcomes(id, status);
}

export interface ReplayItemsRequest {
  connectorId: string;
  /** Default 'unmapped'. */
  status?: ReplayableStatus;
}

export interface ReplayItemsDependencies extends ItemAdminDependencies {
  /** The `archive-items` container. */
  items: ContainerClient;
  /** Blobs rewritten at once. Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface ReplayItemsResult {
  connectorId: string;
  status: ReplayableStatus;
  /** Items listed with that status. */
  listed: number;
  /** Items whose blob now has a new version, so the import stage sees them again. */
  replayed: string[];
  /** Items whose blob is gone (deleted by hand); they stay listed. */
  missing: string[];
  /** Items whose blob could not be rewritten, with why. */
  failed: { itemId: string; error: string }[];
}

/**
 * Re-triggers the import of every listed item by writing its blob again with the same bytes: the
 * new ETag makes the polling blob trigger (locally) and Event Grid's BlobCreated (in Azure) deliver
 * it once more. The import stage skips mailboxes that already hold the item, so an item that now
 * maps is imported exactly once and one that still does not stays listed.
 */
export async function replayItems(request: ReplayItemsRequest, deps: ReplayItemsDependencies): Promise<ReplayItemsResult> {
  const status = request.status ?? 'unmapped';
  const outcomes = await listItemOutcomes(request.connectorId, status, deps);
  const result: ReplayItemsResult = { connectorId: connectorIdArgument(request.connectorId, 'connector'), status, listed: outcomes.length, replayed: [], missing: [], failed: [] };
  const answers = await mapWithConcurrency(
    outcomes,
    deps.concurrency ?? 8,
    async (outcome) => {
      const name = outcome.blobName || itemBlobName(outcome.connectorId, outcome.itemId);
      try {
        return { outcome, answer: await rewriteBlob(deps.items, name, deps.signal) };
      } catch (error) {
        if (deps.signal?.aborted) throw error;
        return { outcome, answer: { error: describeError(error) } };
      }
    },
    deps.signal,
  );
  for (const { outcome, answer } of answers) {
    if (answer === 'rewritten') result.replayed.push(outcome.itemId);
    else if (answer === 'missing') result.missing.push(outcome.itemId);
    else result.failed.push({ itemId: outcome.itemId, error: answer.error });
  }
  return result;
}

/**
 * Writes a blob again with its own bytes, headers and metadata. Only the version read is replaced:
 * a blob someone rewrote in between already has a new ETag, which is all a replay needs.
 */
async function rewriteBlob(container: ContainerClient, name: string, signal: AbortSignal | undefined): Promise<'rewritten' | 'missing'> {
  const blob = container.getBlockBlobClient(name);
  try {
    const download = await blob.download(0, undefined, { abortSignal: signal });
    const bytes = await readAll(download.readableStreamBody);
    await blob.uploadData(bytes, {
      abortSignal: signal,
      blobHTTPHeaders: {
        blobContentType: download.contentType,
        blobContentEncoding: download.contentEncoding,
        blobContentLanguage: download.contentLanguage,
        blobContentDisposition: download.contentDisposition,
        blobCacheControl: download.cacheControl,
      },
      metadata: download.metadata,
      conditions: { ifMatch: download.etag },
    });
    return 'rewritten';
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return 'missing';
    if (error instanceof RestError && error.statusCode === 412) return 'rewritten';
    throw error;
  }
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (stream === undefined) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
