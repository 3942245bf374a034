import type { Connector } from '../../shared/connectors/connector';
import type { ImportStore } from '../../shared/imports/import-store';
import type { ItemOutcome } from '../../shared/imports/item-outcome';
import type { FetchRun } from '../../shared/runs/fetch-run';
import type { RunStore } from '../../shared/runs/run-store';
import type { FetchWindow } from '../../shared/scheduling/fetch-window';

/** `report.json`: what one cycle of the pipeline did, per connector. */
export interface CycleReport {
  connectors: ConnectorCycleReport[];
}

export interface ConnectorCycleReport {
  id: string;
  product: string;
  /** The fetch windows of this cycle, oldest first. */
  windows: FetchWindow[];
  /** Items TeleMessage listed in those windows (the last attempt of each window). */
  fetched: number;
  /** Items the fetch stage newly wrote to storage (items already stored by an earlier run are not counted). */
  stored: number;
  /** Items of those windows that now have a copy in every mailbox they map to, at least one copy new; `messages` counts their copies. */
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
}

/**
 * Builds the report of one cycle from the `runs` and `imports` tables. An item belongs to the
 * cycle when the import stage processed it during the cycle and its `archivedAt` lies in one of
 * the cycle's windows (an item quarantined before its `archivedAt` could be read needs only the
 * first). So items stored by an earlier cycle and listed again, as after a restart with the
 * scenario rebased, are not counted again, nor are replays of items of other windows.
 */
export async function buildCycleReport(options: BuildCycleReportOptions): Promise<CycleReport> {
  const report: CycleReport = { connectors: [] };
  for (const connector of options.connectors) {
    const runs = (await options.runs.list(connector.id)).filter((run) => Date.parse(run.queuedAt) >= options.since.getTime());
    const outcomes = await options.imports.listOutcomes(connector.id);
    report.connectors.push(connectorReport(connector, runs, outcomes, options.since));
  }
  return report;
}

/** The report of one connector from its runs of the cycle and all its import outcomes. */
export function connectorReport(
  connector: Pick<Connector, 'id' | 'product'>,
  cycleRuns: readonly FetchRun[],
  outcomes: readonly ItemOutcome[],
  since: Date,
): ConnectorCycleReport {
  const windows = cycleRuns.map((run) => ({ from: run.from, to: run.to })).sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
  const bounds = windows.map((w) => [Date.parse(w.from), Date.parse(w.to)] as const);
  const inCycle = (outcome: ItemOutcome): boolean => {
    // Only what the import stage did during the cycle: an item listed again but stored long ago was not processed now.
    if (Date.parse(outcome.updatedAt) < since.getTime()) return false;
    const archived = outcome.archivedAt === undefined ? Number.NaN : Date.parse(outcome.archivedAt);
    return Number.isNaN(archived) || bounds.some(([from, to]) => archived >= from && archived < to);
  };

  const report: ConnectorCycleReport = {
    id: connector.id,
    product: connector.product,
    windows,
    fetched: sum(cycleRuns, (run) => run.fetched),
    stored: sum(cycleRuns, (run) => run.stored),
    imported: { items: 0, messages: 0 },
    alreadyImported: 0,
    unmapped: [],
    quarantined: [],
    failed: [],
  };
  const items = outcomes.filter(inCycle).sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  for (const outcome of items) {
    switch (outcome.status) {
      case 'imported':
        if (outcome.mailboxes.every((m) => m.status === 'alreadyImported')) {
          report.alreadyImported += 1;
        } else {
          report.imported.items += 1;
          report.imported.messages += outcome.mailboxes.length;
        }
        break;
      case 'unmapped':
        report.unmapped.push({ itemId: outcome.itemId, reasons: outcome.unmapped.map((u) => `${u.participant}: ${u.reason}`) });
        break;
      case 'quarantined':
        report.quarantined.push({ itemId: outcome.itemId, reason: outcome.reason ?? 'no reason recorded' });
        break;
      case 'failed':
        report.failed.push({ itemId: outcome.itemId, error: outcome.error ?? 'no error recorded' });
        break;
    }
  }
  return report;
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
} {
  const c = report.connectors;
  return {
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
