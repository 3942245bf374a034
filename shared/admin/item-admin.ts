import type { ContainerClient } from '@azure/storage-blob';
import type { ImportReplayQueue } from '../import/import-replay-queue';
import { itemBlobName } from '../archive/blob-names';
import type { ConnectorStore } from '../connectors/connector-store';
import type { ImportStore } from '../outcomes/import-store';
import type { ItemOutcome } from '../outcomes/item-outcome';
import { mapWithConcurrency } from '../platform/concurrency/bounded-map';
import { describeError, InvalidAdminInputError } from './admin-errors';
import { listOutstandingItems, type OutstandingFilter } from './outstanding-items';
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
  /** The `archive-items` container, read only: a replay never rewrites the raw archive. */
  items: ContainerClient;
  /** Where replay requests go; the `replayItem` function imports each again. */
  replays: ImportReplayQueue;
  /** Items handled at once. Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface ReplayItemsResult {
  connectorId: string;
  status: ReplayableStatus;
  /** Items listed with that status. */
  listed: number;
  /** Items whose replay is queued; the import stage picks each up within moments. */
  replayed: string[];
  /** Items whose blob is gone from the archive; they stay listed. */
  missing: string[];
  /** Items whose replay could not be queued, with why. */
  failed: { itemId: string; error: string }[];
}

/**
 * Queues every listed item for import again. The raw archive is write-once (an immutability
 * policy in Azure), so the item's blob is not touched: the `replayItem` function reads it and
 * runs the import stage on it. The import stage skips mailboxes that already hold the item, so
 * an item that now maps is imported exactly once and one that still does not stays listed.
 */
export async function replayItems(request: ReplayItemsRequest, deps: ReplayItemsDependencies): Promise<ReplayItemsResult> {
  const status = request.status ?? 'unmapped';
  const outcomes = await listItemOutcomes(request.connectorId, status, deps);
  const queued = await queueReplays(outcomes, deps);
  return { connectorId: connectorIdArgument(request.connectorId, 'connector'), status, listed: outcomes.length, ...queued };
}

export interface ReplaySelectionRequest {
  connectorId: string;
  /** The items to replay; each must be outstanding (unmapped, failed, partial or quarantined). */
  itemIds?: readonly string[];
  /** Instead of ids: every outstanding item matching the filter. */
  filter?: OutstandingFilter;
}

export interface ReplaySelectionResult extends Omit<ReplayItemsResult, 'status'> {
  /** Ids asked for that are not outstanding (imported everywhere, or unknown). */
  notOutstanding: string[];
}

/** The most items one replay request names. */
export const MAX_REPLAY_IDS = 1000;

/**
 * Queues the chosen outstanding items for import again: the ones named, or every one matching a
 * filter. A partial item (some participant unmapped) gets only the missing copies: the import
 * stage skips mailboxes that already hold it.
 */
export async function replaySelectedItems(request: ReplaySelectionRequest, deps: ReplayItemsDependencies): Promise<ReplaySelectionResult> {
  const connectorId = connectorIdArgument(request.connectorId, 'connector');
  if ((request.itemIds === undefined) === (request.filter === undefined)) throw new InvalidAdminInputError('ids', 'give either ids or all with a filter');
  if (request.itemIds !== undefined && request.itemIds.length === 0) throw new InvalidAdminInputError('ids', 'must name at least one item');
  if (request.itemIds !== undefined && request.itemIds.length > MAX_REPLAY_IDS) throw new InvalidAdminInputError('ids', `names ${request.itemIds.length} items; at most ${MAX_REPLAY_IDS} at once (use all with a filter)`);
  const outstanding = await listOutstandingItems(connectorId, request.filter ?? {}, deps);
  const wanted = request.itemIds === undefined ? undefined : new Set(request.itemIds);
  const chosen = wanted === undefined ? outstanding : outstanding.filter((item) => wanted.has(item.itemId));
  const found = new Set(chosen.map((item) => item.itemId));
  const notOutstanding = wanted === undefined ? [] : [...wanted].filter((id) => !found.has(id));
  const outcomes = chosen.map((item) => ({ connectorId: item.connectorId, itemId: item.itemId, blobName: '' }));
  const queued = await queueReplays(outcomes, deps);
  return { connectorId, listed: chosen.length, ...queued, notOutstanding };
}

async function queueReplays(
  outcomes: readonly Pick<ItemOutcome, 'connectorId' | 'itemId' | 'blobName'>[],
  deps: ReplayItemsDependencies,
): Promise<Pick<ReplayItemsResult, 'replayed' | 'missing' | 'failed'>> {
  const result: Pick<ReplayItemsResult, 'replayed' | 'missing' | 'failed'> = { replayed: [], missing: [], failed: [] };
  const answers = await mapWithConcurrency(
    outcomes,
    deps.concurrency ?? 8,
    async (outcome) => {
      const blobName = outcome.blobName || itemBlobName(outcome.connectorId, outcome.itemId);
      try {
        if (!(await deps.items.getBlobClient(blobName).exists({ abortSignal: deps.signal }))) return { outcome, answer: 'missing' as const };
        await deps.replays.enqueue({ connectorId: outcome.connectorId, itemId: outcome.itemId, blobName });
        return { outcome, answer: 'queued' as const };
      } catch (error) {
        if (deps.signal?.aborted) throw error;
        return { outcome, answer: { error: describeError(error) } };
      }
    },
    deps.signal,
  );
  for (const { outcome, answer } of answers) {
    if (answer === 'queued') result.replayed.push(outcome.itemId);
    else if (answer === 'missing') result.missing.push(outcome.itemId);
    else result.failed.push({ itemId: outcome.itemId, error: answer.error });
  }
  return result;
}
