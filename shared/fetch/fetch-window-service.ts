import type { Connector } from '../connectors/connector';
import type { ConnectorStore } from '../connectors/connector-store';
import type { ArchiveStore } from '../archive/archive-store';
import type { ArchiveSource } from '../telemessage/archive-source';
import { isArchiveProduct } from '../telemessage/archive-source';
import type { FetchRun } from '../schedule/fetch-run';
import type { RunStore } from '../schedule/run-store';
import type { FetchJob } from '../schedule/fetch-job';
import type { Telemetry } from '../platform/telemetry/telemetry';
import { DEFAULT_MAX_DEQUEUE_COUNT } from '../platform/settings/host-settings';
import { isWindowLevelFailure } from './window-failure';

export interface FetchWindowServiceOptions {
  connectors: ConnectorStore;
  runs: RunStore;
  store: ArchiveStore;
  /** The source client for a connector (its secret resolved); one per invocation. */
  sourceFor(connector: Connector): Promise<ArchiveSource>;
  telemetry: Telemetry;
  /**
   * Keeps an item that can never be stored (its attachments do not match what it declares, it is
   * malformed, or anything else about that one item failed) where an administrator sees it, so that one bad item does not hold the
   * connector's checkpoint back forever. Used on the last attempt only: earlier attempts retry.
   */
  quarantine(connectorId: string, itemId: string, item: unknown, reason: string): Promise<void>;
  /**
   * The host's `extensions.queues.maxDequeueCount` (host.json, read at start-up by the composition
   * root): the attempt that fails at this count marks the run failed. Default 5, the host's default.
   */
  maxAttempts?: number;
  pageSize?: number;
  clock?: () => Date;
}

export interface FetchAttempt {
  /** The queue message's dequeue count (1 on the first attempt). */
  attempt: number;
  signal?: AbortSignal;
}

/**
 * The fetch stage: stores every item of one connector's window (attachments first, JSON last),
 * then records the run and advances the checkpoint. A failure leaves the checkpoint where it
 * was and rethrows, so the host retries the job and finally moves it to the poison queue.
 */
export class FetchWindowService {
  readonly #clock: () => Date;
  readonly #maxAttempts: number;

  constructor(private readonly options: FetchWindowServiceOptions) {
    this.#clock = options.clock ?? (() => new Date());
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_MAX_DEQUEUE_COUNT;
  }

  async fetchWindow(queued: FetchJob, attempt: FetchAttempt): Promise<FetchRun> {
    const { connectors, runs, store } = this.options;
    const started = this.#clock();
    // One spelling per instant: run keys and checkpoint comparisons are strings.
    const job: FetchJob = { ...queued, from: canonicalInstant(queued.from, 'from'), to: canonicalInstant(queued.to, 'to') };
    const connector = await connectors.get(job.connectorId);
    if (!isArchiveProduct(connector.product)) throw new Error(`Connector "${connector.id}" has unknown product "${connector.product}"`);
    const product = connector.product;

    const existing = await runs.get(job.connectorId, job);
    if (existing?.status === 'succeeded') {
      // Delivered again after it succeeded: store nothing, but finish what an interrupted
      // attempt may have left undone (the checkpoint is advanced after the run is recorded).
      await this.#advanceCheckpoint(connector.id, existing, started, { recordLastRun: false });
      return existing;
    }
    const runId = existing?.runId ?? job.runId;
    if (!existing) {
      // A job queued by hand or from an older schedule: record it like any other.
      await runs.createIfAbsent({
        connectorId: job.connectorId, runId, from: job.from, to: job.to, status: 'queued', attempts: 0,
        queuedAt: started.toISOString(), fetched: 0, stored: 0, alreadyStored: 0, missingAttachments: 0,
      });
    }
    await runs.update(job.connectorId, job, (r) => ({ ...r, status: 'running', attempts: attempt.attempt, startedAt: started.toISOString() }));

    const counts: RunCounts = { fetched: 0, stored: 0, alreadyStored: 0, missingAttachments: 0, quarantined: 0 };
    const lastAttempt = attempt.attempt >= this.#maxAttempts;
    try {
      const source = await this.options.sourceFor(connector);
      const items = source.listItems(product, { from: new Date(job.from), to: new Date(job.to) }, {
        ...(this.options.pageSize ? { limit: this.options.pageSize } : {}),
        ...(attempt.signal ? { signal: attempt.signal } : {}),
      });
      for await (const item of items) {
        counts.fetched++;
        let result;
        try {
          result = await store.storeItem({ connectorId: connector.id, product, item, source }, attempt.signal ? { signal: attempt.signal } : {});
        } catch (err) {
          // Whatever goes wrong with one item is that item's problem (see isWindowLevelFailure).
          if (!lastAttempt || isWindowLevelFailure(err, attempt.signal)) throw err;
          await this.options.quarantine(connector.id, item.id, item, describeItemError(err));
          counts.quarantined = (counts.quarantined ?? 0) + 1;
          continue;
        }
        if (result.outcome === 'stored') counts.stored++;
        else counts.alreadyStored++;
        counts.missingAttachments += result.attachments.missing.length;
      }
    } catch (err) {
      await this.#recordFailure(connector, job, runId, attempt.attempt, started, counts, err);
      throw err;
    }

    const finished = this.#clock();
    const run = await runs.update(job.connectorId, job, (r) => ({
      ...r, ...counts, status: 'succeeded', finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(), error: undefined,
    } as FetchRun));
    await this.#advanceCheckpoint(connector.id, run, finished);
    this.options.telemetry.event('FetchRun', runProperties(run, product, 'succeeded'), {
      itemsFetched: counts.fetched, itemsStored: counts.stored, itemsAlreadyStored: counts.alreadyStored,
        itemsQuarantined: counts.quarantined ?? 0, missingAttachments: counts.missingAttachments, durationMs: run.durationMs ?? 0,
    });
    return run;
  }

  /** Moves the checkpoint over every contiguous stored window starting at it. */
  async #advanceCheckpoint(connectorId: string, run: FetchRun, now: Date, options: { recordLastRun?: boolean } = {}): Promise<void> {
    const { connectors, runs } = this.options;
    const current = await connectors.get(connectorId);
    const fromAtLeast = new Date(Date.parse(current.checkpoint)).toISOString();
    const succeeded = (await runs.list(connectorId, { fromAtLeast })).filter((r) => r.status === 'succeeded');
    const recordLastRun = options.recordLastRun ?? true;
    await connectors.update(connectorId, (c) => {
      let checkpoint = Date.parse(c.checkpoint);
      for (;;) {
        const next = succeeded.find((r) => Date.parse(r.from) <= checkpoint && Date.parse(r.to) > checkpoint);
        if (!next) break;
        checkpoint = Date.parse(next.to);
      }
      const moved = checkpoint > Date.parse(c.checkpoint);
      if (!moved && !recordLastRun) return undefined;
      if (moved) c.checkpoint = new Date(checkpoint).toISOString();
      if (!recordLastRun) return c;
      c.lastRun = { runId: run.runId, from: run.from, to: run.to, status: 'succeeded', at: now.toISOString() };
      c.lastSuccessAt = now.toISOString();
      return c;
    });
  }

  async #recordFailure(
    connector: Connector, job: FetchJob, runId: string, attempt: number, started: Date,
    counts: RunCounts, err: unknown,
  ): Promise<void> {
    const final = attempt >= this.#maxAttempts;
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const now = this.#clock();
    try {
      const run = await this.options.runs.update(job.connectorId, job, (r) => ({
        ...r, ...counts, status: final ? 'failed' : 'running', attempts: attempt, error, finishedAt: now.toISOString(),
        durationMs: now.getTime() - started.getTime(),
      }));
      await this.options.connectors.update(connector.id, (c) => {
        c.lastRun = { runId, from: job.from, to: job.to, status: final ? 'failed' : 'running', at: now.toISOString(), error };
        return c;
      });
      this.options.telemetry.event('FetchRun', { ...runProperties(run, connector.product, final ? 'failed' : 'retrying'), error }, {
        itemsFetched: counts.fetched, itemsStored: counts.stored, itemsAlreadyStored: counts.alreadyStored,
        itemsQuarantined: counts.quarantined ?? 0, missingAttachments: counts.missingAttachments, durationMs: run.durationMs ?? 0,
      });
    } catch (recordError) {
      // The run would read "running" although this attempt is over: say so where the host logs
      // it, with both failures, and fail the invocation so that the job is delivered again (on
      // the last attempt, the scheduler queues a window left "running" again after its timeout).
      throw new FetchRunNotRecordedError(
        `Window ${job.from} to ${job.to} of connector ${job.connectorId}: attempt ${attempt} failed (${error}) and recording that failed too ` +
          `(${recordError instanceof Error ? `${recordError.name}: ${recordError.message}` : String(recordError)}); the run may still read "running"`,
        err,
        { cause: recordError },
      );
    }
  }
}

/** An attempt failed and its failure could not be recorded on the run. */
export class FetchRunNotRecordedError extends Error {
  override readonly name = 'FetchRunNotRecordedError';

  constructor(message: string, readonly attemptError: unknown, options: ErrorOptions) {
    super(message, options);
  }
}

type RunCounts = Pick<FetchRun, 'fetched' | 'stored' | 'alreadyStored' | 'missingAttachments' | 'quarantined'>;

/** An item's error as its quarantine reason: ours name the item and field; any other is named by its class too. */
export function describeItemError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Our own errors name the item and field; anything else is named by its class too.
  return err.name === 'Error' || err.name.endsWith('ValidationError') || err.name.endsWith('IntegrityError') ? err.message : `${err.name}: ${err.message}`;
}

function canonicalInstant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`Fetch job field "${field}" is not an instant: "${value}"`);
  return new Date(ms).toISOString();
}

function runProperties(run: FetchRun, product: string, status: string): Record<string, string> {
  return { connectorId: run.connectorId, runId: run.runId, product, windowFrom: run.from, windowTo: run.to, status };
}
