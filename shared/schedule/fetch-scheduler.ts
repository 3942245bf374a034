import { randomUUID } from 'node:crypto';
import { connectorTransport, type Connector } from '../connectors/connector';
import type { ConnectorStore } from '../connectors/connector-store';
import type { FetchRun } from './fetch-run';
import type { RunStore } from './run-store';
import type { FetchJobQueue } from './fetch-job-queue';
import { splitIntoDailyWindows, type FetchWindow } from './fetch-window';

export interface FetchSchedulerOptions {
  connectors: ConnectorStore;
  runs: RunStore;
  queue: FetchJobQueue;
  /** Items archived in the last few minutes may still be arriving at TeleMessage; wait for them. */
  settlingMs?: number;
  /** A window queued this long ago and never started is queued again (its message was lost). */
  requeueAfterMs?: number;
  /**
   * A window `running` this long is queued again: its last attempt died (killed, timed out)
   * without recording an outcome, and the host will not deliver the job again. Twice the
   * function timeout.
   */
  requeueRunningAfterMs?: number;
  clock?: () => Date;
}

export interface ScheduledConnector {
  connectorId: string;
  queued: FetchWindow[];
  /** Windows that already had a queued or running job. */
  skipped: number;
}

/**
 * The timer stage: for each enabled connector, queue one job per day of the window from its
 * checkpoint to now, so a connector that missed days catches up on its own. A window that is
 * already queued or running is not queued twice; a failed one is queued again.
 */
export class FetchScheduler {
  readonly #settlingMs: number;
  readonly #requeueAfterMs: number;
  readonly #requeueRunningAfterMs: number;
  readonly #clock: () => Date;

  constructor(private readonly options: FetchSchedulerOptions) {
    this.#settlingMs = options.settlingMs ?? 5 * 60_000;
    this.#requeueAfterMs = options.requeueAfterMs ?? 60 * 60_000;
    this.#requeueRunningAfterMs = options.requeueRunningAfterMs ?? 2 * 60 * 60_000;
    this.#clock = options.clock ?? (() => new Date());
  }

  async scheduleAll(): Promise<ScheduledConnector[]> {
    const results: ScheduledConnector[] = [];
    for (const connector of await this.options.connectors.list()) {
      // A connector on the EML transport is fed by TeleMessage's deliveries, not by fetch windows.
      if (connector.enabled && connectorTransport(connector) === 'archive-api') results.push(await this.scheduleConnector(connector));
    }
    return results;
  }

  async scheduleConnector(connector: Connector): Promise<ScheduledConnector> {
    const now = this.#clock();
    const until = new Date(now.getTime() - this.#settlingMs);
    const result: ScheduledConnector = { connectorId: connector.id, queued: [], skipped: 0 };
    // Nothing to fetch: TeleMessage delivers this connector's items as EML export ZIPs.
    if (connectorTransport(connector) !== 'archive-api') return result;

    // Earlier windows not yet stored: failed ones, and queued ones whose message went missing.
    for (const run of await this.options.runs.list(connector.id, { fromAtLeast: connector.checkpoint })) {
      const stale =
        (run.status === 'queued' && now.getTime() - Date.parse(run.queuedAt) > this.#requeueAfterMs) ||
        (run.status === 'running' && now.getTime() - Date.parse(run.startedAt ?? run.queuedAt) > this.#requeueRunningAfterMs);
      if (run.status === 'failed' || stale) {
        await this.#requeue(run, now);
        result.queued.push({ from: run.from, to: run.to });
      } else if (run.status !== 'succeeded') {
        result.skipped++;
      }
    }

    const start = new Date(Math.max(Date.parse(connector.checkpoint), Date.parse(connector.scheduledThrough)));
    if (start < until) {
      const windows = splitIntoDailyWindows(start, until);
      for (const w of windows) {
        if (await this.#queueNew(connector.id, w, now)) result.queued.push(w);
        else result.skipped++;
      }
      await this.options.connectors.update(connector.id, (c) => {
        if (Date.parse(c.scheduledThrough) >= until.getTime()) return undefined;
        c.scheduledThrough = until.toISOString();
        return c;
      });
    }
    return result;
  }

  /** Queues explicit windows (a back-fill), split per day; windows already queued or running are skipped. */
  async scheduleWindow(connectorId: string, from: Date, to: Date): Promise<ScheduledConnector> {
    const now = this.#clock();
    const result: ScheduledConnector = { connectorId, queued: [], skipped: 0 };
    for (const w of splitIntoDailyWindows(from, to)) {
      const existing = await this.options.runs.get(connectorId, w);
      if (!existing) {
        if (await this.#queueNew(connectorId, w, now)) result.queued.push(w);
        else result.skipped++;
      } else if (existing.status === 'queued' || existing.status === 'running') {
        result.skipped++;
      } else {
        await this.#requeue(existing, now);
        result.queued.push(w);
      }
    }
    return result;
  }

  async #queueNew(connectorId: string, w: FetchWindow, now: Date): Promise<boolean> {
    const run: FetchRun = {
      connectorId, runId: randomUUID(), from: w.from, to: w.to, status: 'queued', attempts: 0,
      queuedAt: now.toISOString(), fetched: 0, stored: 0, alreadyStored: 0, missingAttachments: 0,
    };
    if (!(await this.options.runs.createIfAbsent(run))) return false;
    await this.options.queue.enqueue({ connectorId, runId: run.runId, from: w.from, to: w.to });
    return true;
  }

  async #requeue(run: FetchRun, now: Date): Promise<void> {
    const updated = await this.options.runs.update(run.connectorId, run, (r) => ({
      ...r, runId: randomUUID(), status: 'queued', queuedAt: now.toISOString(), attempts: 0,
    }));
    await this.options.queue.enqueue({ connectorId: run.connectorId, runId: updated.runId, from: run.from, to: run.to });
  }
}
