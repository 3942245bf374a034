/**
 * `npm run bench`: import throughput and memory of the import stage against the Graph simulator.
 * Prints figures; asserts nothing. See docs/benchmark.md.
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
import { AzuriteProcess } from '../azurite/azurite-process';
import type { BareCreate } from './bare-graph-client-run';
import { benchDirectoryUsers } from './bench-directory';
import { GeneratedArchiveSource } from './generated-attachment';
import { runLargeAttachmentScenario, type LargeAttachmentFigures } from './large-attachment-scenario';
import type { SimulatorProcess } from './simulator-process';
import { generateSmsItems } from './sms-items';
import { formatMiB, formatNumber, formatPercent, formatTable } from './text-table';
import {
  CEILING_REQUESTS_PER_SECOND,
  runThroughputScenario,
  type ScenarioEnvironment,
  type ThroughputFigures,
  type ThroughputScenario,
} from './throughput-scenario';

const ITEMS = 2_000;
const MAILBOXES = 20;
/** host.json `extensions.blobs.maxDegreeOfParallelism`: blob-triggered imports per instance. */
const PARALLELISM_PER_INSTANCE = 8;
/** "150 MB" as Graph states its upload-session ceiling; see docs/benchmark.md for 150 MiB. */
const LARGE_ATTACHMENT_BYTES = 150_000_000;
/** A fifth of it, imported the same way: if memory does not grow with the attachment, the two peaks match. */
const CONTROL_ATTACHMENT_BYTES = 30_000_000;

const USAGE = 'usage: npm run bench [-- --scale-out <instances>]';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const RESULTS_FILE = path.join(PROJECT_ROOT, '.work', 'bench', 'results.json');

const CONCURRENCY_NOTE = [
  `Concurrency: ${PARALLELISM_PER_INSTANCE} imports in flight, host.json's extensions.blobs.maxDegreeOfParallelism, is what one instance`,
  `runs, so it is the figure per instance; the bare client gets the same ${PARALLELISM_PER_INSTANCE} requests in flight. Flex Consumption`,
  'scales a burst out to more instances (maximumInstanceCount 40), each with its own per-mailbox limiter; on 2 cores',
  'more instances add no CPU, so their throughput cannot be measured here. `--scale-out <n>` adds a run of n',
  `instances × ${PARALLELISM_PER_INSTANCE} in this process against the real limits, which shows their uncoordinated per-mailbox concurrency.`,
].join('\n');

const BASE_SCENARIOS: ThroughputScenario[] = [
  { id: 'pipeline-unbound', label: 'pipeline, limits off', limits: 'unbound', client: { kind: 'pipeline', instances: 1, parallelismPerInstance: PARALLELISM_PER_INSTANCE } },
  { id: 'bare-unbound', label: 'bare fetch, limits off', limits: 'unbound', client: { kind: 'bare', concurrency: PARALLELISM_PER_INSTANCE } },
  { id: 'pipeline-real', label: 'pipeline, real limits', limits: 'real', client: { kind: 'pipeline', instances: 1, parallelismPerInstance: PARALLELISM_PER_INSTANCE } },
  { id: 'bare-real', label: 'bare fetch, real limits', limits: 'real', client: { kind: 'bare', concurrency: PARALLELISM_PER_INSTANCE } },
];

function scaledOutScenario(instances: number): ThroughputScenario {
  return {
    id: 'pipeline-scaled-out-real',
    label: `pipeline ${instances}×${PARALLELISM_PER_INSTANCE}, real limits`,
    limits: 'real',
    client: { kind: 'pipeline', instances, parallelismPerInstance: PARALLELISM_PER_INSTANCE },
  };
}

/** Reads the command line; undefined (after printing the usage) when it is not understood. */
function readOptions(): { scaleOut: number } | undefined {
  try {
    const { values } = parseArgs({ options: { 'scale-out': { type: 'string' } } });
    const raw = values['scale-out'];
    const scaleOut = raw === undefined ? 0 : Number(raw);
    if (raw !== undefined && (!Number.isSafeInteger(scaleOut) || scaleOut < 2 || scaleOut > 40)) throw new Error(`--scale-out must be a whole number of instances from 2 to 40, got "${raw}"`);
    return { scaleOut };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  if (options === undefined) {
    process.exitCode = 2;
    return;
  }
  const scenarios = options.scaleOut > 0 ? [...BASE_SCENARIOS, scaledOutScenario(options.scaleOut)] : BASE_SCENARIOS;
  const startedAt = new Date();
  const startLoad = os.loadavg();
  const steps = scenarios.length + 1;
  let step = 0;
  const progress = (message: string): void => console.log(`  … ${message}`);
  const heading = (title: string): void => console.log(`[${++step}/${steps}] ${title}`);

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'telemessage-bench-'));
  const simulators = new Set<SimulatorProcess>();
  let azurite: AzuriteProcess | undefined;
  const cleanUp = async (): Promise<void> => {
    await Promise.allSettled([...simulators].map((s) => s.kill()));
    await azurite?.stop().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  };
  const interrupted = (): void => {
    console.error('\nInterrupted: stopping the simulator and Azurite.');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    console.log(`Import benchmark: ${ITEMS.toLocaleString('en-US')} SMS over ${MAILBOXES} mailboxes, then one ${formatNumber(LARGE_ATTACHMENT_BYTES / 1e6)} MB attachment.`);
    console.log(`Machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${loadAverage()} at start.`);
    console.log(CONCURRENCY_NOTE);
    console.log('');

    azurite = await AzuriteProcess.start();
    const storage = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
    const connectors = new TableConnectorStore(storage.table(Tables.connectors));
    const archiveStore = new BlobArchiveStore({ blobServiceClient: storage.blobs });
    const users = benchDirectoryUsers(MAILBOXES);
    const items = generateSmsItems({ users, count: ITEMS, idPrefix: 'bench-sms' });
    const folderName = productModule('att-network').defaultFolderName;
    const bareCreates: BareCreate[] = items.map(({ item, mailbox }) => {
      // Exactly what the import stage sends: the stored JSON, parsed and converted the same way.
      const stored = toStoredItem(item, { version: 1, connectorId: 'bench', product: 'att-network', missingAttachments: [] });
      return { mailbox, body: toGraphMessage(parseArchivedItem(stored, { expectedProduct: 'att-network' }), { folderName }).createBody };
    });
    const track = (simulator: SimulatorProcess): (() => void) => {
      simulators.add(simulator);
      return () => simulators.delete(simulator);
    };
    const env: ScenarioEnvironment = {
      users, items, bareCreates, folderName, connectors, archiveStore, workDir, progress, track,
      storageConnectionString: azurite.connectionString,
      source: new GeneratedArchiveSource(new Map()),
    };

    const throughput: ThroughputFigures[] = [];
    for (const scenario of scenarios) {
      heading(scenario.label);
      const figures = await runThroughputScenario(scenario, env);
      console.log(`  ${formatNumber(figures.itemsPerSecond, 1)} items/s, ${formatNumber(figures.graphRequestsPerSecond, 1)} Graph requests/s, ${figures.throttled.total} × 429`);
      throughput.push(figures);
    }

    heading(`one ${formatNumber(LARGE_ATTACHMENT_BYTES / 1e6)} MB attachment (and a ${formatNumber(CONTROL_ATTACHMENT_BYTES / 1e6)} MB one for comparison)`);
    const largeEnv = { users, storageConnectionString: azurite.connectionString, connectors, archiveStore, workDir, progress, track };
    const large = await runLargeAttachmentScenario(largeEnv, { id: 'attachment-150mb', attachmentBytes: LARGE_ATTACHMENT_BYTES, ownerIndex: 0 });
    const control = await runLargeAttachmentScenario(largeEnv, { id: 'attachment-30mb', attachmentBytes: CONTROL_ATTACHMENT_BYTES, ownerIndex: 1 });

    const finishedAt = new Date();
    console.log('');
    console.log(report(throughput, large, control));
    const results = {
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        totalMemoryBytes: os.totalmem(),
        platform: `${os.platform()} ${os.release()}`,
        node: process.version,
        loadAverageAtStart: startLoad,
        loadAverageAtEnd: os.loadavg(),
      },
      setup: {
        items: ITEMS,
        mailboxes: MAILBOXES,
        parallelismPerInstance: PARALLELISM_PER_INSTANCE,
        scaledOutInstances: options.scaleOut > 0 ? options.scaleOut : null,
        ceilingRequestsPerSecondPerMailbox: CEILING_REQUESTS_PER_SECOND,
        concurrencyNote: CONCURRENCY_NOTE.replace(/\n/g, ' '),
      },
      throughput,
      largeAttachment: large,
      controlAttachment: control,
    };
    await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nFigures written to ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE} (whole bench ${results.durationSeconds} s).`);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanUp();
  }
}

/** The 1, 5 and 15-minute load averages: other work on the machine shows in every figure. */
function loadAverage(): string {
  return os.loadavg().map((l) => formatNumber(l, 2)).join(' / ');
}

function report(throughput: readonly ThroughputFigures[], large: LargeAttachmentFigures, control: LargeAttachmentFigures): string {
  const rows = throughput.map((f) => [
    f.label,
    String(f.concurrency),
    formatNumber(f.durationMs / 1000, 1),
    formatNumber(f.itemsPerSecond, 1),
    formatNumber(f.graphRequests),
    formatNumber(f.graphRequestsPerSecond, 1),
    `${formatNumber(f.mailboxRequestsPerSecond.mean, 2)} (${formatPercent(f.ceilingFraction.mean)})`,
    `${formatNumber(f.mailboxRequestsPerSecond.max, 2)} (${formatPercent(f.ceilingFraction.max)})`,
    `${formatNumber(f.inFlight.mean, 2)} (${formatPercent(f.inFlight.utilisation)})`,
    String(f.inFlight.max),
    formatPercent(f.inFlight.shareAtCeiling, 1),
    formatPercent(f.inFlight.shareOverCeiling, 1),
    String(f.throttled.total),
    f.outcomes === undefined ? '-' : String(f.outcomes.failed ?? 0),
  ]);
  const table = formatTable(
    [
      { header: 'run' },
      { header: 'in flight', align: 'right' },
      { header: 's', align: 'right' },
      { header: 'items/s', align: 'right' },
      { header: 'Graph req', align: 'right' },
      { header: 'req/s', align: 'right' },
      { header: 'req/s/mailbox mean (of 16.7)', align: 'right' },
      { header: 'max (of 16.7)', align: 'right' },
      { header: 'in flight/mailbox (of 4)', align: 'right' },
      { header: 'peak', align: 'right' },
      { header: 'time at 4', align: 'right' },
      { header: 'over 4', align: 'right' },
      { header: '429s', align: 'right' },
      { header: 'failed', align: 'right' },
    ],
    rows,
  );
  const lines = [
    `Throughput: ${ITEMS.toLocaleString('en-US')} SMS, ${MAILBOXES} mailboxes (one message each, about ${ITEMS / MAILBOXES} per mailbox)`,
    table,
    '',
    'req/s/mailbox: admitted requests per mailbox per second over the run, and that as a share of Graph\'s',
    `10,000 per 10 minutes (${formatNumber(CEILING_REQUESTS_PER_SECOND, 1)}/s as a steady rate). in flight/mailbox: the time-average of mailbox requests`,
    'the importing process had outstanding per mailbox (from fetch() to its response), as a share of the 4-request',
    'ceiling; peak, and the share of time a mailbox had 4, or more than 4 (which Exchange would answer with 429).',
    'Graph req counts every request the simulator answered: directory look-ups, folder, create, 429s.',
  ];
  for (const f of throughput) {
    const notImported = Object.entries(f.outcomes ?? {}).filter(([status]) => status !== 'imported');
    if (notImported.length > 0) lines.push(`${f.label}: items not imported: ${notImported.map(([status, n]) => `${n} ${status}`).join(', ')}`);
    if (f.failures !== undefined) lines.push(`${f.label}: failures: ${f.failures.join(' | ')}`);
    const throttledBy = Object.entries(f.throttled.byLimit).map(([k, v]) => `${k} ${v}`).join(', ');
    if (throttledBy !== '') lines.push(`${f.label}: 429s by limit: ${throttledBy}`);
  }
  const mb = (bytes: number): string => `${formatNumber(bytes / 1e6)} MB`;
  const memoryTable = formatTable(
    [
      { header: 'figure' },
      { header: 'baseline', align: 'right' },
      { header: 'peak', align: 'right' },
      { header: `above baseline, ${mb(large.attachmentBytes)}`, align: 'right' },
      { header: `above baseline, ${mb(control.attachmentBytes)}`, align: 'right' },
    ],
    (['rss', 'heapUsed', 'external', 'arrayBuffers'] as const).map((key) => [
      key,
      formatMiB(large.baseline[key]),
      formatMiB(large.peak[key]),
      formatMiB(large.aboveBaseline[key]),
      formatMiB(control.aboveBaseline[key]),
    ]),
  );
  const requests = Object.entries(large.byRoute).map(([route, n]) => `${n} × ${route}`).join(', ');
  const outcome = (f: LargeAttachmentFigures): string =>
    `${mb(f.attachmentBytes)} (${f.attachmentBytes.toLocaleString('en-US')} bytes): ${f.status}${f.error ? ` (${f.error})` : ''}, ` +
    `${formatNumber(f.durationMs / 1000, 1)} s (${formatNumber(f.bytesPerSecond / 1e6, 1)} MB/s), ` +
    `${f.deliveredIntact ? 'delivered intact (size and SHA-256)' : 'NOT found intact in the mailbox'}, ${f.throttled} × 429`;
  lines.push(
    '',
    'Large attachment, one item through an upload session, real limits:',
    `  ${outcome(large)}`,
    `  ${outcome(control)}`,
    memoryTable,
    `Importing process only (simulator and Azurite run in their own processes), sampled every ${large.sampleIntervalMs} ms;`,
    'baseline after a warm-up import of one SMS into the same mailbox and a full garbage collection; no collection is',
    'forced while sampling, so peaks include garbage not yet collected.',
    `Requests for ${mb(large.attachmentBytes)} (warm-up included): ${requests}`,
  );
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
