/**
 * `npm run bench`: the import stage against a Graph simulator that answers as slowly as Exchange
 * (latency model on, real per-mailbox limits). Prints figures and writes them to
 * `.work/bench/summary.json` (headline) and `.work/bench/results.json` (detail); asserts nothing.
 * See docs/benchmark.md.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BlobArchiveStore } from '../../shared/archive/blob-archive-store';
import { toStoredItem } from '../../shared/archive/stored-item';
import { TableConnectorStore } from '../../shared/connectors/connector-store';
import { toGraphMessage } from '../../shared/conversion';
import { parseArchivedItem } from '../../shared/items';
import { productModule } from '../../shared/products';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { Tables } from '../../shared/platform/storage/storage-names';
import type { DirectoryUser } from '../scenario/directory-users';
import { LatencyModel, type SimulatorStatsSnapshot } from '../simulators/graph';
import { AzuriteProcess } from '../azurite/azurite-process';
import { readHostJson, resolveBlobsOptions } from '../host';
import { benchConnector, seedArchive } from './archive-seeder';
import { runBareCreates, type BareCreate } from './bare-graph-client-run';
import { BENCH_GRAPH_TOKEN } from './bench-config';
import { benchDirectoryUsers } from './bench-directory';
import { REAL_LIMITS, REQUESTS_PER_SECOND_BUDGET } from './bench-limits';
import { runFreshnessScenario, type FreshnessFigures } from './freshness-scenario';
import { GeneratedArchiveSource } from './generated-attachment';
import { runLargeAttachmentScenario, type LargeAttachmentFigures } from './large-attachment-scenario';
import { runPipelineProcesses, type ProcessesRunResult } from './pipeline-process-run';
import { CpuMeter } from './process-cpu';
import { SimulatorProcess } from './simulator-process';
import { generateSmsItems, type BenchSms } from './sms-items';
import { summarizeBusiestMailbox, type MailboxBusySummary } from './mailbox-busy-summary';
import { formatMiB, formatNumber, formatPercent, formatTable } from './text-table';

const MiB = 1024 * 1024;

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Blob-triggered imports per instance: the app's host.json `extensions.blobs.maxDegreeOfParallelism`, as the local host reads it. */
const PARALLELISM_PER_INSTANCE = resolveBlobsOptions(readHostJson(PROJECT_ROOT), 8).maxDegreeOfParallelism;
const OUT_DIR = path.join(PROJECT_ROOT, '.work', 'bench');

const USAGE = 'usage: npm run bench [-- --heavy-items 3000 --mailboxes 200 --items-per-mailbox 20 --freshness-minutes 3 --skip freshness,memory]';

/**
 * Azure list prices used for the cost estimate (USD, pay-as-you-go, East US), as published on
 * the Azure pricing pages for Storage (GPv2, LRS, hot), Functions Flex Consumption and Event Grid
 * and recorded here on 2026-12-02; they were not fetched by the bench (it has no network).
 */
const PRICES = {
  date: '2026-12-02',
  tableTransactionsPer10k: 0.00036,
  blobReadsPer10k: 0.0044,
  blobWritesPer10k: 0.055,
  queueOperationsPer10k: 0.0004,
  flexExecutionsPerMillion: 0.4,
  flexGbSecond: 0.000026,
  flexInstanceMemoryGb: 2,
  eventGridOperationsPerMillion: 0.6,
};

interface Options {
  heavyItems: number;
  mailboxes: number;
  itemsPerMailbox: number;
  freshnessMinutes: number;
  skip: Set<string>;
}

function readOptions(): Options | undefined {
  try {
    const { values } = parseArgs({
      options: {
        'heavy-items': { type: 'string' }, mailboxes: { type: 'string' }, 'items-per-mailbox': { type: 'string' },
        'freshness-minutes': { type: 'string' }, skip: { type: 'string' },
      },
    });
    const whole = (name: string, raw: string | undefined, fallback: number, max: number): number => {
      const value = raw === undefined ? fallback : Number(raw);
      if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be a whole number from 1 to ${max}, got "${raw}"`);
      return value;
    };
    const skip = new Set((values.skip ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''));
    for (const part of skip) if (!['heavy', 'organisation', 'freshness', 'memory'].includes(part)) throw new Error(`--skip takes heavy, organisation, freshness, memory; got "${part}"`);
    return {
      heavyItems: whole('heavy-items', values['heavy-items'], 3000, 100_000),
      mailboxes: whole('mailboxes', values.mailboxes, 200, 999),
      itemsPerMailbox: whole('items-per-mailbox', values['items-per-mailbox'], 20, 1000),
      freshnessMinutes: whole('freshness-minutes', values['freshness-minutes'], 3, 60),
      skip,
    };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return undefined;
  }
}

interface ImportFigures {
  label: string;
  processes: number;
  items: number;
  durationMs: number;
  itemsPerSecond: number;
  outcomes: ProcessesRunResult['outcomes'];
  retries: number;
  failures: string[];
  graphRequests: number;
  throttled: number;
  throttledBy: SimulatorStatsSnapshot['throttledBy'];
  maxInFlightPerMailbox: number;
  storageOperations: Record<string, number>;
  operations: Record<string, number>;
  limiter: ProcessesRunResult['limiter'];
  busiestMailbox: MailboxBusySummary | undefined;
  cpuSeconds: Record<string, number>;
  usage: ProcessesRunResult['usage'];
}

interface BareFigures {
  label: string;
  concurrency: number;
  items: number;
  durationMs: number;
  itemsPerSecond: number;
  graphRequests: number;
  throttled: number;
  maxInFlightPerMailbox: number;
  /** CPU seconds over the timed run: `bench` (this process, the bare client) and `simulator`. */
  cpuSeconds: Record<string, number>;
}

async function main(): Promise<void> {
  const options = readOptions();
  if (options === undefined) {
    process.exitCode = 2;
    return;
  }
  const startedAt = new Date();
  const startLoad = os.loadavg();
  const progress = (message: string): void => console.log(`  … ${message}`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'telemessage-bench-'));
  const simulators = new Set<SimulatorProcess>();
  let azurite: AzuriteProcess | undefined;
  const cleanUp = async (): Promise<void> => {
    await Promise.allSettled([...simulators].map((s) => s.kill()));
    await azurite?.stop().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  };
  const interrupted = (): void => {
    console.error('\nInterrupted: stopping the simulators and Azurite.');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const track = (simulator: SimulatorProcess): (() => void) => {
    simulators.add(simulator);
    return () => simulators.delete(simulator);
  };

  try {
    const model = new LatencyModel();
    const meanCreateSeconds = model.mean('messageCreate') / 1000;
    const ceilingPerSecond = Math.min(REQUESTS_PER_SECOND_BUDGET, 4 / meanCreateSeconds);
    console.log('Import benchmark against the Graph simulator with Exchange-like latency and the real per-mailbox limits.');
    console.log(`Machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${loadAverage()} at start.`);
    console.log(`Mean create latency ${formatNumber(meanCreateSeconds * 1000)} ms: a mailbox's ceiling is min(16.7, 4 ÷ ${formatNumber(meanCreateSeconds, 3)} s) = ${formatNumber(ceilingPerSecond, 1)} items/s.`);

    azurite = await AzuriteProcess.start();
    const storageConnectionString = azurite.connectionString;
    const storage = new StorageClients({ kind: 'connection-string', connectionString: storageConnectionString });
    const connectors = new TableConnectorStore(storage.table(Tables.connectors));
    const archiveStore = new BlobArchiveStore({ blobServiceClient: storage.blobs });
    const folderName = productModule('att-network').defaultFolderName;
    const source = new GeneratedArchiveSource(new Map());

    const importRun = async (id: string, label: string, users: readonly DirectoryUser[], items: readonly BenchSms[], processes: number): Promise<ImportFigures> => {
      const connector = benchConnector(`bench-${id}`);
      progress(`${label}: storing ${items.length} items`);
      const blobNames = await seedArchive({ connectors, store: archiveStore, connector, items: items.map((i) => i.item), source });
      const simulator = await SimulatorProcess.start({ users, dataDir: path.join(workDir, id), limits: REAL_LIMITS, latency: true });
      const untrack = track(simulator);
      try {
        progress(`${label}: importing (${processes} process(es) × ${PARALLELISM_PER_INSTANCE} imports)`);
        const run = await runPipelineProcesses({
          storageConnectionString, graphEndpoint: simulator.url, blobNames, processes, parallelism: PARALLELISM_PER_INSTANCE,
          watch: { azurite: azurite?.pid, simulator: simulator.pid },
        });
        const stats = await simulator.stop();
        untrack();
        const figures: ImportFigures = {
          label, processes, items: items.length, durationMs: run.durationMs, itemsPerSecond: items.length / (run.durationMs / 1000),
          outcomes: run.outcomes, retries: run.retries, failures: run.failures,
          graphRequests: stats.requests, throttled: stats.byStatus['429'] ?? 0, throttledBy: stats.throttledBy,
          maxInFlightPerMailbox: stats.maxInFlightPerMailbox, storageOperations: run.storageOperations, operations: run.operations, limiter: run.limiter,
          busiestMailbox: summarizeBusiestMailbox(stats),
          cpuSeconds: run.cpuSeconds, usage: run.usage,
        };
        const busy = figures.busiestMailbox;
        if (busy !== undefined) {
          progress(`${label}: busiest mailbox ${formatPercent(busy.shareAtLimit, 1)} of its time at 4 in flight (mean ${formatNumber(busy.meanInFlight, 2)}); `
            + `a freed place idle ${formatNumber(busy.refillGapMs.mean, 1)} ms on average (p50 ${formatNumber(busy.refillGapMs.p50)}, p90 ${formatNumber(busy.refillGapMs.p90)}, p99 ${formatNumber(busy.refillGapMs.p99)} ms); `
            + `requests held ${formatNumber(busy.meanHeldMs)} ms on average, drawn create latency ${busy.drawnCreateMeanMs === undefined ? '-' : formatNumber(busy.drawnCreateMeanMs)} ms; `
            + `the simulator's event loop late by ${formatNumber(busy.simulatorEventLoopDelayMs.mean, 1)} ms on average (p99 ${formatNumber(busy.simulatorEventLoopDelayMs.p99)}, max ${formatNumber(busy.simulatorEventLoopDelayMs.max)} ms)`);
        }
        progress(`${label}: ${formatNumber(figures.itemsPerSecond, 1)} items/s, ${figures.throttled} × 429, at most ${figures.maxInFlightPerMailbox} in flight per mailbox`);
        return figures;
      } finally {
        await simulator.kill();
        untrack();
      }
    };

    const bareRun = async (id: string, label: string, users: readonly DirectoryUser[], items: readonly BenchSms[], concurrency: number): Promise<BareFigures> => {
      const creates: BareCreate[] = items.map(({ item, mailbox }) => {
        const stored = toStoredItem(item, { version: 1, connectorId: 'bench', product: 'att-network', missingAttachments: [] });
        return { mailbox, body: toGraphMessage(parseArchivedItem(stored, { expectedProduct: 'att-network' }), { folderName }).createBody };
      });
      const simulator = await SimulatorProcess.start({ users, dataDir: path.join(workDir, id), limits: REAL_LIMITS, latency: true });
      const untrack = track(simulator);
      try {
        progress(`${label}: posting ${creates.length} creates with fetch (${concurrency} at once)`);
        const meter = new CpuMeter({ simulator: simulator.pid });
        const run = await runBareCreates({ graphUrl: simulator.url, token: BENCH_GRAPH_TOKEN, folderName, creates, concurrency });
        const { self, ...watched } = meter.stop();
        const stats = await simulator.stop();
        untrack();
        const figures: BareFigures = {
          label, concurrency, items: creates.length, durationMs: run.durationMs, itemsPerSecond: creates.length / (run.durationMs / 1000),
          graphRequests: stats.requests, throttled: stats.byStatus['429'] ?? 0, maxInFlightPerMailbox: stats.maxInFlightPerMailbox,
          cpuSeconds: { bench: self ?? 0, ...watched },
        };
        progress(`${label}: ${formatNumber(figures.itemsPerSecond, 1)} items/s`);
        return figures;
      } finally {
        await simulator.kill();
        untrack();
      }
    };

    let heavy: ImportFigures | undefined;
    if (!options.skip.has('heavy')) {
      console.log(`\n[heavy mailbox] a back-fill of ${options.heavyItems} SMS into one mailbox`);
      const users = benchDirectoryUsers(1);
      heavy = await importRun('heavy', 'heavy mailbox', users, generateSmsItems({ users, count: options.heavyItems, idPrefix: 'heavy' }), 1);
    }

    const organisation: { processes: number; pipeline: ImportFigures; bare: BareFigures }[] = [];
    if (!options.skip.has('organisation')) {
      const users = benchDirectoryUsers(options.mailboxes);
      const count = options.mailboxes * options.itemsPerMailbox;
      console.log(`\n[organisation] ${options.mailboxes} mailboxes × ${options.itemsPerMailbox} SMS, with 1 and 3 host processes, and a bare client at the same concurrency`);
      for (const processes of [1, 3]) {
        const items = generateSmsItems({ users, count, idPrefix: `org${processes}` });
        const pipeline = await importRun(`org-${processes}`, `organisation, ${processes} process(es)`, users, items, processes);
        const bare = await bareRun(`bare-${processes}`, `bare client, ${processes * PARALLELISM_PER_INSTANCE} at once`, users, items, processes * PARALLELISM_PER_INSTANCE);
        organisation.push({ processes, pipeline, bare });
      }
    }

    let freshness: FreshnessFigures | undefined;
    if (!options.skip.has('freshness')) {
      console.log(`\n[freshness] the run command's set-up (schedule every minute) on a live stream for ${options.freshnessMinutes} minutes`);
      freshness = await runFreshnessScenario({ workDir, captureMinutes: options.freshnessMinutes, intervalSeconds: 10, progress });
      progress(`p50 ${formatNumber(freshness.p50Seconds)} s, p95 ${formatNumber(freshness.p95Seconds)} s (${freshness.arrived} of ${freshness.captured} arrived)`);
    }

    let memory: LargeAttachmentFigures | undefined;
    if (!options.skip.has('memory')) {
      console.log('\n[memory] one 150 MB attachment imported while 8 imports of 30 MB run beside it, in one process');
      memory = await runLargeAttachmentScenario(
        { users: benchDirectoryUsers(9), storageConnectionString, connectors, archiveStore, workDir, progress, track },
        { id: 'memory', attachmentBytes: 150_000_000, besideBytes: 30_000_000, besideCount: 8, latency: true },
      );
      progress(`peak RSS ${formatMiB(memory.peak.rss)} (${memory.status}, ${memory.deliveredIntact ? 'delivered intact' : 'NOT delivered intact'})`);
    }

    // ---- the figures -------------------------------------------------------------------------
    const runs = [...(heavy ? [heavy] : []), ...organisation.map((o) => o.pipeline)];
    const graphRequests = runs.reduce((n, r) => n + r.graphRequests, 0);
    const throttled = runs.reduce((n, r) => n + r.throttled, 0);
    const costBasis = organisation[0]?.pipeline ?? heavy;
    const cost = costBasis === undefined ? undefined : costPerMillion(costBasis);
    const summary = {
      heavyMailbox: heavy === undefined ? null : {
        itemsPerSecond: round(heavy.itemsPerSecond, 2), ceilingPerSecond: round(ceilingPerSecond, 2), shareOfCeiling: round(heavy.itemsPerSecond / ceilingPerSecond, 3),
      },
      organisation: organisation.map((o) => ({
        processes: o.processes, itemsPerSecond: round(o.pipeline.itemsPerSecond, 2), bareItemsPerSecond: round(o.bare.itemsPerSecond, 2),
        shareOfBare: round(o.pipeline.itemsPerSecond / o.bare.itemsPerSecond, 3),
      })),
      throttledShare: graphRequests === 0 ? null : round(throttled / graphRequests, 4),
      maxInFlightPerMailbox: runs.length === 0 ? null : Math.max(...runs.map((r) => r.maxInFlightPerMailbox)),
      freshness: freshness === undefined ? null : { p50Seconds: round(freshness.p50Seconds, 1), p95Seconds: round(freshness.p95Seconds, 1) },
      peakRssMiB: memory === undefined ? null : round(memory.peak.rss / MiB, 1),
    };
    console.log(`\n${report({ heavy, organisation, freshness, memory, cost, ceilingPerSecond, summary })}`);
    const finishedAt = new Date();
    const results = {
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: {
        cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', totalMemoryBytes: os.totalmem(),
        platform: `${os.platform()} ${os.release()}`, node: process.version, loadAverageAtStart: startLoad, loadAverageAtEnd: os.loadavg(),
      },
      setup: { ...options, skip: [...options.skip], parallelismPerInstance: PARALLELISM_PER_INSTANCE, meanCreateLatencyMs: meanCreateSeconds * 1000, latencyProfiles: model.profiles },
      summary, heavy, organisation, freshness, memory, cost, prices: PRICES,
    };
    await mkdir(OUT_DIR, { recursive: true });
    await writeFile(path.join(OUT_DIR, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    await writeFile(path.join(OUT_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nFigures written to .work/bench/summary.json and .work/bench/results.json (whole bench ${results.durationSeconds} s, load average ${loadAverage()} at the end).`);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanUp();
  }
}

interface CostFigures {
  storageOperationsPerItem: Record<string, number>;
  graphRequestsPerItem: number;
  /** USD for a million imported SMS. */
  perMillionItems: { storage: number; functionExecutions: number; functionGbSeconds: number; eventGrid: number; total: number };
}

/**
 * A million items' cost from one run's counts: every storage request the import processes sent
 * (blob, table, queue), one function execution and one Event Grid delivery per item blob, and
 * the instance's GB-seconds at the run's throughput (Flex Consumption bills instance memory
 * while it runs).
 */
function costPerMillion(run: ImportFigures): CostFigures {
  const per = (n: number): number => n / run.items;
  const ops = Object.fromEntries(Object.entries(run.storageOperations).map(([service, n]) => [service, round(per(n), 2)]));
  const million = 1_000_000;
  // Reads and writes are not told apart for blobs here: the import stage's blob requests are the
  // trigger's read of the item (its writes are quarantine only), so they are priced as reads.
  const storage = million * (per(run.storageOperations.table ?? 0) * PRICES.tableTransactionsPer10k
    + per(run.storageOperations.blob ?? 0) * PRICES.blobReadsPer10k
    + per(run.storageOperations.queue ?? 0) * PRICES.queueOperationsPer10k) / 10_000;
  const functionExecutions = PRICES.flexExecutionsPerMillion;
  const seconds = million / (run.itemsPerSecond / run.processes);
  const functionGbSeconds = seconds * PRICES.flexInstanceMemoryGb * PRICES.flexGbSecond;
  const eventGrid = PRICES.eventGridOperationsPerMillion;
  return {
    storageOperationsPerItem: ops,
    graphRequestsPerItem: round(per(run.graphRequests), 3),
    perMillionItems: {
      storage: round(storage, 2), functionExecutions, functionGbSeconds: round(functionGbSeconds, 2), eventGrid,
      total: round(storage + functionExecutions + functionGbSeconds + eventGrid, 2),
    },
  };
}

function report(parts: {
  heavy: ImportFigures | undefined;
  organisation: { processes: number; pipeline: ImportFigures; bare: BareFigures }[];
  freshness: FreshnessFigures | undefined;
  memory: LargeAttachmentFigures | undefined;
  cost: CostFigures | undefined;
  ceilingPerSecond: number;
  summary: { throttledShare: number | null; maxInFlightPerMailbox: number | null };
}): string {
  const lines: string[] = [];
  const rows: string[][] = [];
  const importRow = (f: ImportFigures, against: string): string[] => [
    f.label, String(f.items), formatNumber(f.durationMs / 1000, 1), formatNumber(f.itemsPerSecond, 1), against,
    formatNumber(f.graphRequests), `${f.throttled} (${formatPercent(f.graphRequests === 0 ? 0 : f.throttled / f.graphRequests, 2)})`,
    String(f.maxInFlightPerMailbox), formatNumber(totalOf(f.storageOperations) / f.items, 1), String(f.outcomes.failed ?? 0),
  ];
  if (parts.heavy) rows.push(importRow(parts.heavy, `${formatPercent(parts.heavy.itemsPerSecond / parts.ceilingPerSecond)} of ceiling ${formatNumber(parts.ceilingPerSecond, 1)}`));
  for (const o of parts.organisation) {
    rows.push(importRow(o.pipeline, `${formatPercent(o.pipeline.itemsPerSecond / o.bare.itemsPerSecond)} of bare`));
    rows.push([o.bare.label, String(o.bare.items), formatNumber(o.bare.durationMs / 1000, 1), formatNumber(o.bare.itemsPerSecond, 1), '', formatNumber(o.bare.graphRequests),
      `${o.bare.throttled} (${formatPercent(o.bare.graphRequests === 0 ? 0 : o.bare.throttled / o.bare.graphRequests, 2)})`, String(o.bare.maxInFlightPerMailbox), '-', '-']);
  }
  lines.push(formatTable(
    [
      { header: 'run' }, { header: 'items', align: 'right' }, { header: 's', align: 'right' }, { header: 'items/s', align: 'right' },
      { header: 'share', align: 'right' }, { header: 'Graph req', align: 'right' }, { header: '429s', align: 'right' },
      { header: 'max in flight/mailbox', align: 'right' }, { header: 'storage ops/item', align: 'right' }, { header: 'failed', align: 'right' },
    ],
    rows,
  ));
  for (const f of [...(parts.heavy ? [parts.heavy] : []), ...parts.organisation.map((o) => o.pipeline)]) {
    lines.push(`${f.label}: storage requests per item ${Object.entries(f.storageOperations).map(([k, n]) => `${k} ${formatNumber(n / f.items, 2)}`).join(', ')};` +
      ` limiter ${f.limiter.claims} claims, ${f.limiter.reclaims} reclaims, ${f.limiter.handOffs} hand-offs (${f.limiter.refreshedHandOffs} after a read, ${f.limiter.memoryHandOffs} without a write), ${f.limiter.backgroundReads} reads beside requests, ${f.limiter.conflicts} conflicts, waits ${JSON.stringify(f.limiter.waits)}` +
      (Object.keys(f.throttledBy).length > 0 ? `; 429s by limit ${JSON.stringify(f.throttledBy)}` : '') +
      (f.failures.length > 0 ? `; failures: ${f.failures.join(' | ')}` : ''));
    lines.push(`  CPU ms per item: ${cpuPerItem(f.cpuSeconds, f.items)} (${formatNumber(totalOf(f.cpuSeconds) / (f.durationMs / 1000), 2)} CPUs busy on average);` +
      ` event loop delay per process, mean/p99 ms: ${f.usage.map((u) => `${formatNumber(u.eventLoopDelayMs.mean, 1)}/${formatNumber(u.eventLoopDelayMs.p99, 1)}`).join(', ')}`);
    lines.push(`  where an item's time went, per process: ${f.usage.map(itemTime).join('; ')}`);
    lines.push(`  per item by operation: ${Object.entries(f.operations).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${formatNumber(n / f.items, 2)}`).join(', ')}`);
  }
  for (const o of parts.organisation) {
    lines.push(`${o.bare.label}: CPU ms per item: ${cpuPerItem(o.bare.cpuSeconds, o.bare.items)} (${formatNumber(totalOf(o.bare.cpuSeconds) / (o.bare.durationMs / 1000), 2)} CPUs busy on average)`);
  }
  lines.push(`Throttling: 429s ${parts.summary.throttledShare === null ? '-' : formatPercent(parts.summary.throttledShare, 2)} of Graph requests over the pipeline runs; at most ${parts.summary.maxInFlightPerMailbox ?? '-'} requests in flight on one mailbox (the simulator's count, all processes).`);
  if (parts.cost) {
    const c = parts.cost.perMillionItems;
    lines.push(`Cost per imported SMS: ${JSON.stringify(parts.cost.storageOperationsPerItem)} storage requests, ${parts.cost.graphRequestsPerItem} Graph requests.`);
    lines.push(`A million SMS at list prices of ${PRICES.date}: storage $${c.storage}, function executions $${c.functionExecutions}, function GB-s $${c.functionGbSeconds}, Event Grid $${c.eventGrid}: $${c.total}.`);
  }
  if (parts.freshness) {
    const f = parts.freshness;
    lines.push(`Freshness (schedule every minute, settling 1 min): p50 ${formatNumber(f.p50Seconds)} s, p95 ${formatNumber(f.p95Seconds)} s, max ${formatNumber(f.maxSeconds)} s; ${f.arrived} of ${f.captured} captured SMS arrived.`);
  }
  if (parts.memory) {
    const m = parts.memory;
    lines.push(`Memory: 150 MB + 8 × 30 MB at once: peak RSS ${formatMiB(m.peak.rss)} (baseline ${formatMiB(m.baseline.rss)}), heap ${formatMiB(m.peak.heapUsed)}, ` +
      `arrayBuffers ${formatMiB(m.peak.arrayBuffers)}; ${formatNumber(m.durationMs / 1000, 1)} s; ${m.status}${m.error ? ` (${m.error})` : ''}; ${m.deliveredIntact ? 'all delivered intact' : 'NOT all delivered intact'}; ${m.throttled} × 429.`);
  }
  return lines.join('\n');
}

/**
 * One import process's mean item time (Little's law: its imports in parallel × its time ÷ its
 * items) beside the wall time its requests took per item, by kind; the rest is CPU and waiting
 * for it (event loop, pauses of the limiter or the claims).
 */
function itemTime(usage: ProcessesRunResult['usage'][number]): string {
  const itemMs = (usage.durationMs * usage.parallelism) / usage.items;
  const parts = Object.entries(usage.requests).map(([kind, r]) => [kind, r.totalMs / usage.items, r.count / usage.items] as const);
  const rest = itemMs - parts.reduce((n, [, ms]) => n + ms, 0);
  return `${formatNumber(itemMs)} ms = ${parts.map(([kind, ms, n]) => `${kind} ${formatNumber(ms)} (${formatNumber(n, 1)} req)`).join(' + ')} + other ${formatNumber(rest)}`;
}

/** `imports 12.3, azurite 4.5, …`: CPU milliseconds per item of each process. */
function cpuPerItem(cpuSeconds: Record<string, number>, items: number): string {
  return Object.entries(cpuSeconds).map(([name, seconds]) => `${name} ${formatNumber((seconds * 1000) / items, 1)}`).join(', ');
}

function totalOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function loadAverage(): string {
  return os.loadavg().map((l) => formatNumber(l, 2)).join(' / ');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
