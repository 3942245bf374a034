import * as path from 'node:path';
import type { BlobArchiveStore } from '../../shared/archive/blob-archive-store';
import type { ConnectorStore } from '../../shared/connectors/connector-store';
import type { ItemOutcomeStatus } from '../../shared/outcomes/item-outcome';
import type { ArchiveSource } from '../../shared/telemessage/archive-source';
import type { DirectoryUser } from '../scenario/directory-users';
import type { GraphLimits } from '../simulators/graph';
import { benchConnector, seedArchive } from './archive-seeder';
import { runBareCreates, type BareCreate } from './bare-graph-client-run';
import { BENCH_GRAPH_TOKEN, benchAppConfig } from './bench-config';
import { runPipelineImport } from './pipeline-import-run';
import { summarizeRequestLog } from './request-log-summary';
import { SimulatorProcess } from './simulator-process';
import { MailboxFetchProbe, type MailboxInFlightFigures } from './mailbox-fetch-probe';
import type { BenchSms } from './sms-items';

/** Graph's per-mailbox request budget, as a steady rate: 10,000 per 10 minutes. */
export const CEILING_REQUESTS_PER_SECOND = 10_000 / 600;
/** Graph's per-mailbox concurrency limit. */
export const CONCURRENCY_CEILING = 4;

export const REAL_LIMITS: Required<GraphLimits> = {
  concurrentPerMailbox: 4,
  requestsPer10Min: 10_000,
  uploadBytesPer5Min: 150 * 1024 * 1024,
};

/** Limits so high that nothing the bench does meets them. */
export const UNBOUND_LIMITS: Required<GraphLimits> = {
  concurrentPerMailbox: 1_000_000,
  requestsPer10Min: 1_000_000_000,
  uploadBytesPer5Min: 2 ** 50,
};

export type ScenarioClient =
  | { kind: 'pipeline'; instances: number; parallelismPerInstance: number }
  | { kind: 'bare'; concurrency: number };

export interface ThroughputScenario {
  /** Short name, also the simulator's data folder and part of the connector id. */
  id: string;
  label: string;
  limits: 'unbound' | 'real';
  client: ScenarioClient;
}

export interface ScenarioEnvironment {
  users: readonly DirectoryUser[];
  items: readonly BenchSms[];
  /** Create bodies for the bare client, one per item, in the items' order. */
  bareCreates: readonly BareCreate[];
  folderName: string;
  storageConnectionString: string;
  connectors: ConnectorStore;
  archiveStore: BlobArchiveStore;
  source: ArchiveSource;
  workDir: string;
  /** Told what is happening, for the progress lines. */
  progress: (message: string) => void;
  /** Registers a simulator so that an interrupted bench can still stop it. */
  track: (simulator: SimulatorProcess) => () => void;
}

export interface ThroughputFigures {
  id: string;
  label: string;
  limits: 'unbound' | 'real';
  client: ScenarioClient;
  /** Invocations (pipeline) or requests (bare) in flight at once, over all mailboxes. */
  concurrency: number;
  items: number;
  durationMs: number;
  itemsPerSecond: number;
  /** Every request the simulator answered (directory look-ups, mailbox requests, 429s). */
  graphRequests: number;
  graphRequestsPerSecond: number;
  directoryRequests: number;
  /** Admitted mailbox requests per mailbox per second over the run. */
  mailboxRequestsPerSecond: { mean: number; max: number };
  /** The same as a fraction of the 10,000-per-10-minutes budget's steady rate. */
  ceilingFraction: { mean: number; max: number };
  /** Mailbox requests in flight per mailbox, as the importing process had them outstanding. */
  inFlight: MailboxInFlightFigures & { utilisation: number };
  /** 429 answers, and which limit sent them. */
  throttled: { total: number; byLimit: Record<string, number> };
  byRoute: Record<string, number>;
  outcomes?: Partial<Record<ItemOutcomeStatus, number>>;
  retries?: number;
  failures?: string[];
}

/** Runs one scenario against a fresh simulator and returns its figures. */
export async function runThroughputScenario(scenario: ThroughputScenario, env: ScenarioEnvironment): Promise<ThroughputFigures> {
  const simulator = await SimulatorProcess.start({
    users: env.users,
    dataDir: path.join(env.workDir, scenario.id),
    limits: scenario.limits === 'real' ? REAL_LIMITS : UNBOUND_LIMITS,
  });
  const untrack = env.track(simulator);
  let probe: MailboxFetchProbe | undefined;
  try {
    type RunResult = { durationMs: number; outcomes?: Partial<Record<ItemOutcomeStatus, number>>; retries?: number; failures?: string[] };
    let execute: () => Promise<RunResult>;
    let concurrency: number;
    if (scenario.client.kind === 'pipeline') {
      const { instances, parallelismPerInstance } = scenario.client;
      concurrency = instances * parallelismPerInstance;
      const connector = benchConnector(`bench-${scenario.id}`);
      env.progress(`storing ${env.items.length} items for connector ${connector.id}`);
      const blobNames = await seedArchive({
        connectors: env.connectors,
        store: env.archiveStore,
        connector,
        items: env.items.map((i) => i.item),
        source: env.source,
      });
      env.progress(`importing through ImportItemService (${instances} × ${parallelismPerInstance} invocations)`);
      const config = benchAppConfig({ storageConnectionString: env.storageConnectionString, graphEndpoint: simulator.url });
      execute = () => runPipelineImport({ config, blobNames, instances, parallelismPerInstance });
    } else {
      const bare = { graphUrl: simulator.url, token: BENCH_GRAPH_TOKEN, folderName: env.folderName, creates: env.bareCreates, concurrency: scenario.client.concurrency };
      concurrency = bare.concurrency;
      env.progress(`posting ${env.bareCreates.length} creates with fetch (${concurrency} at once)`);
      execute = () => runBareCreates(bare);
    }
    probe = MailboxFetchProbe.install(env.users, CONCURRENCY_CEILING);
    const run = await execute();
    const inFlight = probe.uninstall(env.users);
    probe = undefined;
    const stats = await simulator.stop();
    untrack();
    const log = await summarizeRequestLog(simulator.requestLogFile);

    const seconds = run.durationMs / 1000;
    const mailboxRates = env.users.map((u) => (log.admittedByMailbox[u.userPrincipalName] ?? 0) / seconds);
    const figures: ThroughputFigures = {
      id: scenario.id,
      label: scenario.label,
      limits: scenario.limits,
      client: scenario.client,
      concurrency,
      items: env.items.length,
      durationMs: run.durationMs,
      itemsPerSecond: env.items.length / seconds,
      graphRequests: stats.requests,
      graphRequestsPerSecond: stats.requests / seconds,
      directoryRequests: log.directoryRequests,
      mailboxRequestsPerSecond: { mean: mean(mailboxRates), max: Math.max(...mailboxRates) },
      ceilingFraction: { mean: mean(mailboxRates) / CEILING_REQUESTS_PER_SECOND, max: Math.max(...mailboxRates) / CEILING_REQUESTS_PER_SECOND },
      inFlight: { ...inFlight, utilisation: inFlight.mean / CONCURRENCY_CEILING },
      throttled: { total: stats.byStatus['429'] ?? 0, byLimit: log.throttledBy },
      byRoute: log.byRoute,
      ...(run.outcomes === undefined ? {} : { outcomes: run.outcomes }),
      ...(run.retries === undefined ? {} : { retries: run.retries }),
      ...(run.failures === undefined || run.failures.length === 0 ? {} : { failures: run.failures }),
    };
    return figures;
  } finally {
    probe?.uninstall(env.users);
    await simulator.kill();
    untrack();
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
