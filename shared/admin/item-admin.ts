import type { ContainerClient } from '@azure/storage-blob';
import type { ImportReplayQueue } from '../import/import-replay-queue';
import { itemBlobName, quarantineBlobName } from '../archive/blob-names';
import type { ConnectorStore } from '../connectors/connector-store';
import type { ImportStore } from '../outcomes/import-store';
import type { ItemOutcome } from '../outcomes/item-outcome';
import { mapWithConcurrency } from '../platform/concurrency/bounded-map';
import { describeError, InvalidAdminInputError } from './admin-errors';
import { connectorIdArgument, parseInstant } from './connector-settings';
import { listOutstandingItems, type OutstandingFilter } from './outstanding-items';

/** The outcomes an administrator can list and replay once the cause is fixed. */
export type ReplayableStatus = 'unmapped' | 'failed' | 'quarantined';

export const REPLAYABLE_STATUSES: readonly ReplayableStatus[] = ['unmapped', 'failed', 'quarantined'];

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
  /**
   * Only items archived in [from, to) (ISO 8601 instants). An item with no archived time (the fetch
   * stage quarantined it before it was read) is placed by when it was first processed.
   */
  from?: string;
  to?: string;
}

export interface ReplayItemsDependencies extends ItemAdminDependencies {
  /** The `archive-items` container, read only: a replay never rewrites the raw archive. */
  items: ContainerClient;
  /**
   * The `quarantine` container, read only: where an item the fetch stage refused is kept instead.
   * Without it such an item is reported missing.
   */
  quarantined?: ContainerClient;
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
 * A quarantined item is in the archive when the import stage refused it, and replayed the same
 * way; one the fetch stage refused is only in `quarantine`: the `replayItem` function stores it
 * from there as the fetch stage would (attachments fetched again and verified, the item written
 * once), which starts its import. One that fails again stays listed with the new reason.
 */
export async function replayItems(request: ReplayItemsRequest, deps: ReplayItemsDependencies): Promise<ReplayItemsResult> {
  const status = request.status ?? 'unmapped';
  const from = request.from === undefined ? undefined : parseInstant(request.from, 'from').getTime();
  const to = request.to === undefined ? undefined : parseInstant(request.to, 'to').getTime();
  if (from !== undefined && to !== undefined && from >= to) throw new InvalidAdminInputError('to', 'must be after from');
  const outcomes = (await listItemOutcomes(request.connectorId, status, deps)).filter((o) => {
    const at = Date.parse(o.archivedAt ?? o.firstProcessedAt);
    return (from === undefined || at >= from) && (to === undefined || at < to);
  });
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
  const queued = await queueReplays(chosen, deps);
  return { connectorId, listed: chosen.length, ...queued, notOutstanding };
}

/**
 * Queues each item's replay: from the archive, or, for an item the fetch stage quarantined before
 * it was archived, from `quarantine`; an item in neither is reported missing.
 */
async function queueReplays(
  outcomes: readonly { connectorId: string; itemId: string; status: string }[],
  deps: ReplayItemsDependencies,
): Promise<Pick<ReplayItemsResult, 'replayed' | 'missing' | 'failed'>> {
  const result: Pick<ReplayItemsResult, 'replayed' | 'missing' | 'failed'> = { replayed: [], missing: [], failed: [] };
  const answers = await mapWithConcurrency(
    outcomes,
    deps.concurrency ?? 8,
    async (outcome) => {
      try {
        // An id no blob name can hold (a lone surrogate) was never archived and never can be.
        const blobName = itemBlobName(outcome.connectorId, outcome.itemId);
        const archived = await deps.items.getBlobClient(blobName).exists({ abortSignal: deps.signal });
        const inQuarantine =
          !archived &&
          outcome.status === 'quarantined' &&
          deps.quarantined !== undefined &&
          (await deps.quarantined.getBlobClient(quarantineBlobName(outcome.connectorId, outcome.itemId)).exists({ abortSignal: deps.signal }));
        if (!archived && !inQuarantine) return { outcome, answer: 'missing' as const };
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
