import type { Connector } from '../../shared/connectors/connector';
import type { ImportStore } from '../../shared/outcomes/import-store';
import type { ItemOutcome } from '../../shared/outcomes/item-outcome';
import type { FetchRun } from '../../shared/schedule/fetch-run';
import type { RunStore } from '../../shared/schedule/run-store';
import type { FetchWindow } from '../../shared/schedule/fetch-window';
import { outstandingOf } from '../../shared/admin/outstanding-items';

/** `report.json`: what one cycle of the pipeline did, per connector. */
export interface CycleReport {
  connectors: ConnectorCycleReport[];
}

export interface ConnectorCycleReport extends ItemResults {
  id: string;
  product: string;
  /** The fetch windows of this cycle, oldest first, each with its run's status and error. */
  windows: ReportedWindow[];
  /** Items TeleMessage listed in those windows (the last attempt of each window). */
  fetched: number;
  /** Items the fetch stage newly wrote to storage (items already stored by an earlier run are not counted). */
  stored: number;
  /**
   * Items of earlier windows that the import stage processed during this cycle: those whose blobs
   * `npm run items -- replay` queued, or that an interrupted earlier cycle left unprocessed.
   * Present only when there are any.
   */
  replayed?: ItemResults;
  /**
   * What is outstanding now, whichever cycle produced it (the same query as the admin page's and
   * `npm run items`): a later cycle that imports nothing new still lists every item still unmapped.
   */
  outstanding: OutstandingSection;
}

/** Items with something outstanding now, by kind; `partial` reached some mailboxes but left a participant unmapped. */
export interface OutstandingSection {
  unmapped: { itemId: string; reasons: string[] }[];
  partial: { itemId: string; reasons: string[] }[];
  failed: { itemId: string; error: string }[];
  quarantined: { itemId: string; reason: string }[];
}

/** The outstanding section from every outcome of a connector. */
export function outstandingSection(outcomes: readonly ItemOutcome[]): OutstandingSection {
  const section: OutstandingSection = { unmapped: [], partial: [], failed: [], quarantined: [] };
  const byId = new Map(outcomes.map((o) => [o.itemId, o]));
  for (const item of outstandingOf(outcomes)) {
    const outcome = byId.get(item.itemId) as ItemOutcome;
    const reasons = outcome.unmapped.map((u) => `${u.participant}: ${u.reason}`);
    if (item.status === 'unmapped' || item.status === 'partial') section[item.status].push({ itemId: item.itemId, reasons });
    else if (item.status === 'failed') section.failed.push({ itemId: item.itemId, error: outcome.error ?? 'no error recorded' });
    else section.quarantined.push({ itemId: item.itemId, reason: outcome.reason ?? 'no reason recorded' });
  }
  return section;
}

/** A fetch window of the cycle and how its run ended: a failed window must never look like a finished one. */
export interface ReportedWindow extends FetchWindow {
  status: FetchRun['status'];
  /** The run's last error, when it has one. */
  error?: string;
}

/** What the import stage made of a set of items. */
export interface ItemResults {
  /** Items that now have a copy in every mailbox they map to, at least one copy new; `messages` counts their copies. */
  imported: { items: number; messages: number };
  /** Items whose every mailbox already held them (imported by an earlier run or attempt). */
  alreadyImported: number;
  /** Items that map to no mailbox, each participant's reason listed. */
  unmapped: { itemId: string; reasons: string[] }[];
  /** Items refused (malformed, or attachments not matching their size or hash) by the fetch or import stage, kept in the `quarantine` container. */
  quarantined: { itemId: string; reason: string }[];
  /** Items whose import failed for at least one mailbox. */
  failed: { itemId: string; error: string }[];
}

export interface BuildCycleReportOptions {
  /** The connectors to report on, in report order. */
  connectors: readonly Pick<Connector, 'id' | 'product'>[];
  runs: Pick<RunStore, 'list'>;
  imports: Pick<ImportStore, 'listOutcomes'>;
  /**
   * When the cycle began: its windows are the runs queued at or after this instant (new windows
   * and failed ones queued again).
   */
  since: Date;
  /**
   * When the import stage may have begun working for this cycle: the host's start, which can come
   * before `since`, as a starting host picks up queued replays at once. Items of earlier windows
   * processed from then on are reported as `replayed`. Default `since`.
   */
  processedSince?: Date;
}

/**
 * Builds the report of one cycle from the `runs` and `imports` tables. An item belongs to the
 * cycle when the import stage processed it during the cycle and its `archivedAt` lies in one of
 * the cycle's windows (an item quarantined before its `archivedAt` could be read needs only the
 * first). So items stored by an earlier cycle and listed again, as after a restart with the
 * scenario rebased, are not counted again. Items of other windows that the import stage processed
 * during the cycle (replays) are reported apart, as `replayed`.
 */
export async function buildCycleReport(options: BuildCycleReportOptions): Promise<CycleReport> {
  const report: CycleReport = { connectors: [] };
  for (const connector of options.connectors) {
    const runs = (await options.runs.list(connector.id)).filter((run) => Date.parse(run.queuedAt) >= options.since.getTime());
    const outcomes = await options.imports.listOutcomes(connector.id);
    report.connectors.push(connectorReport(connector, runs, outcomes, options.since, options.processedSince));
  }
  return report;
}

/**
 * The report of one connector from its runs of the cycle and all its import outcomes. Outcomes
 * updated from `processedSince` (default `since`) on that do not belong to the cycle's windows
 * are the `replayed` part.
 */
export function connectorReport(
  connector: Pick<Connector, 'id' | 'product'>,
  cycleRuns: readonly FetchRun[],
  outcomes: readonly ItemOutcome[],
  since: Date,
  processedSince: Date = since,
): ConnectorCycleReport {
  const windows: ReportedWindow[] = cycleRuns
    .map((run) => ({ from: run.from, to: run.to, status: run.status, ...(run.error === undefined ? {} : { error: run.error }) }))
    .sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
  const bounds = windows.map((w) => [Date.parse(w.from), Date.parse(w.to)] as const);
  const inWindows = (outcome: ItemOutcome): boolean => {
    const archived = outcome.archivedAt === undefined ? Number.NaN : Date.parse(outcome.archivedAt);
    return Number.isNaN(archived) || bounds.some(([from, to]) => archived >= from && archived < to);
  };
  // Only what the import stage did during the cycle: an item listed again but stored long ago was not processed now.
  const inCycle = (outcome: ItemOutcome): boolean => Date.parse(outcome.updatedAt) >= since.getTime() && inWindows(outcome);
  const replayed = (outcome: ItemOutcome): boolean => Date.parse(outcome.updatedAt) >= processedSince.getTime() && !inCycle(outcome);

  const sorted = [...outcomes].sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  const report: ConnectorCycleReport = {
    id: connector.id,
    product: connector.product,
    windows,
    fetched: sum(cycleRuns, (run) => run.fetched),
    stored: sum(cycleRuns, (run) => run.stored),
    ...itemResults(sorted.filter(inCycle)),
    outstanding: outstandingSection(sorted),
  };
  const earlier = sorted.filter(replayed);
  if (earlier.length > 0) report.replayed = itemResults(earlier);
  return report;
}

/** Counts outcomes by kind, with the reasons, in the order given. */
function itemResults(outcomes: readonly ItemOutcome[]): ItemResults {
  const results: ItemResults = { imported: { items: 0, messages: 0 }, alreadyImported: 0, unmapped: [], quarantined: [], failed: [] };
  for (const outcome of outcomes) {
    switch (outcome.status) {
      case 'imported':
        if (outcome.mailboxes.every((m) => m.status === 'alreadyImported')) {
          results.alreadyImported += 1;
        } else {
          results.imported.items += 1;
          results.imported.messages += outcome.mailboxes.length;
        }
        break;
      case 'unmapped':
        results.unmapped.push({ itemId: outcome.itemId, reasons: outcome.unmapped.map((u) => `${u.participant}: ${u.reason}`) });
        break;
      case 'quarantined':
        results.quarantined.push({ itemId: outcome.itemId, reason: outcome.reason ?? 'no reason recorded' });
        break;
      case 'failed':
        results.failed.push({ itemId: outcome.itemId, error: outcome.error ?? 'no error recorded' });
        break;
    }
  }
  return results;
}

/** Totals over every connector, for a one-line summary. */
export function reportTotals(report: CycleReport): {
  fetched: number;
  stored: number;
  importedItems: number;
  messages: number;
  alreadyImported: number;
  unmapped: number;
  quarantined: number;
  failed: number;
  /** Windows of the cycle whose run did not succeed. */
  failedWindows: number;
} {
  const c = report.connectors;
  return {
    failedWindows: sum(c, (r) => r.windows.filter((w) => w.status !== 'succeeded').length),
    fetched: sum(c, (r) => r.fetched),
    stored: sum(c, (r) => r.stored),
    importedItems: sum(c, (r) => r.imported.items),
    messages: sum(c, (r) => r.imported.messages),
    alreadyImported: sum(c, (r) => r.alreadyImported),
    unmapped: sum(c, (r) => r.unmapped.length),
    quarantined: sum(c, (r) => r.quarantined.length),
    failed: sum(c, (r) => r.failed.length),
  };
}

function sum<T>(values: readonly T[], pick: (value: T) => number): number {
  return values.reduce((total, value) => total + pick(value), 0);
}
