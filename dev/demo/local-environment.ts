import { setTimeout as delay } from 'node:timers/promises';
import { AzuriteProcess, type AzuriteStorage } from '../azurite';
import { LocalEventGrid, type LocalEventGridOptions } from '../event-grid';
import { HostProcess, readBlobsExtensionKey, waitUntilDrained, type WaitForDrainedOptions } from '../host';
import { GraphSimulator, type GraphSimulatorOptions } from '../simulators/graph';
import { TeleMessageSimulator } from '../simulators/telemessage';
import { AppSettings } from '../../shared/platform/settings/app-settings';
import { TableConnectorStore } from '../../shared/connectors/connector-store';
import { TableImportStore } from '../../shared/outcomes/import-store';
import { TableRunStore } from '../../shared/schedule/run-store';
import { BlobMappingFileStore } from '../../shared/mapping/mapping-file-store';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { Containers, Tables } from '../../shared/platform/storage/storage-names';
import { EML_DROP_CONTAINER } from '../../shared/eml-drop/eml-drop-service';
import { repoRoot } from './paths';

/** Any non-empty bearer token passes the Graph simulator; this one says what it is. */
export const GRAPH_SIMULATOR_TOKEN = 'local-graph-simulator';

/** Pins the host's state in `azure-webjobs-hosts` (blob receipts, timer status), so a restarted host continues. */
export const LOCAL_HOST_ID = 'telemessage-archiver-local';

/** Once a year, on 1 January: for runs where only the on-demand fire of `scheduleFetch` should happen. */
export const SCHEDULE_ON_DEMAND_ONLY = '0 0 0 1 1 *';

export interface LocalEnvironmentOptions {
  scenarioDir: string;
  /** Azurite's data folder, kept between runs; omitted means in memory. */
  azuriteLocation?: string;
  /**
   * Storage someone else started (a test run's shared Azurite); no Azurite is started then, and
   * {@link LocalEnvironment.stop} stops this one. Excludes `azuriteLocation`.
   */
  azurite?: AzuriteStorage;
  /** The Graph simulator's data folder: mailboxes, attachment files and its request log. */
  graphDataDir: string;
  /** Passed to the TeleMessage simulator: true moves the scenario so its newest item is one hour old. */
  rebaseToNow?: boolean | Date;
  /** 0 or omitted: a free port. */
  teleMessagePort?: number;
  graphPort?: number;
  /** Default: the repository root (host.json, package.json `main`). */
  appRoot?: string;
  /** The Graph simulator answers as slowly as Exchange (see docs/graph-simulator.md); default off. */
  graphLatency?: GraphSimulatorOptions['latency'];
  /**
   * How `importItem` gets its blobs: `EventGrid` (default, as on Flex Consumption) through the
   * local Event Grid and the host's webhook, or `LogsAndContainerScan` (the polling trigger).
   */
  blobTriggerSource?: BlobTriggerSourceName;
  /** The local Event Grid's delivery behaviour (retry schedule scale, duplicates, order). */
  eventGrid?: Pick<LocalEventGridOptions, 'retryScale' | 'duplicates' | 'outOfOrder' | 'scanIntervalMs'>;
}

export type BlobTriggerSourceName = 'EventGrid' | 'LogsAndContainerScan';

/**
 * The blob-triggered functions and their containers: one Event Grid subscription each. The items
 * one is infra/modules/event-subscription.bicep's; the eml-drop one has no subscription in infra/
 * yet (see docs/local-host.md).
 */
const SUBSCRIBED_FUNCTIONS = [
  { functionName: 'importItem', container: Containers.items },
  { functionName: 'importEmlDrop', container: EML_DROP_CONTAINER },
] as const;

export interface StartHostOptions {
  /** Six-field NCRONTAB for `scheduleFetch`; default {@link SCHEDULE_ON_DEMAND_ONLY}. */
  schedule?: string;
  /** `SECRET_<NAME>` app settings: the TeleMessage passwords, handed to the host process only. */
  secrets: Readonly<Record<string, string>>;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Copy the host's output to this process's stdout/stderr. */
  echo?: boolean;
  /** Further app settings, winning over the environment's. */
  settings?: Readonly<Record<string, string>>;
  /** The host's working folder; default this process's (see HostProcessOptions.cwd). */
  cwd?: string;
}

/** The pipeline's stores over the environment's Azurite, for setting up connectors and reading results. */
export interface LocalStores {
  storage: StorageClients;
  connectors: TableConnectorStore;
  runs: TableRunStore;
  imports: TableImportStore;
  mappingFiles: BlobMappingFileStore;
}

/**
 * Everything the function app needs on one machine: Azurite, the TeleMessage simulator and the
 * Graph simulator, plus the local Functions host in a child process, wired the way app settings
 * wire the product. The demo command, the run command and the end-to-end tests all use it.
 */
export class LocalEnvironment {
  readonly azurite: AzuriteStorage;
  readonly teleMessage: TeleMessageSimulator;
  readonly graph: GraphSimulator;
  readonly scenarioDir: string;
  readonly graphDataDir: string;
  readonly appRoot: string;
  readonly stores: LocalStores;
  #host: HostProcess | undefined;
  /** Further instances of the app beside {@link host}, as Flex Consumption scales out. */
  readonly #moreHosts: HostProcess[] = [];
  /** Plays Event Grid, one subscription per blob-triggered function, when the blob trigger source is EventGrid. */
  readonly eventGrids: readonly { functionName: string; grid: LocalEventGrid }[];
  readonly blobTriggerSource: BlobTriggerSourceName;
  readonly #endpoints = new Map<HostProcess, { grid: LocalEventGrid; url: string }[]>();
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    azurite: AzuriteStorage;
    teleMessage: TeleMessageSimulator;
    graph: GraphSimulator;
    options: LocalEnvironmentOptions;
  }) {
    this.azurite = parts.azurite;
    this.teleMessage = parts.teleMessage;
    this.graph = parts.graph;
    this.scenarioDir = parts.options.scenarioDir;
    this.graphDataDir = parts.options.graphDataDir;
    this.appRoot = parts.options.appRoot ?? repoRoot();
    this.blobTriggerSource = parts.options.blobTriggerSource ?? 'EventGrid';
    const storage = new StorageClients({ kind: 'connection-string', connectionString: parts.azurite.connectionString });
    this.stores = {
      storage,
      connectors: new TableConnectorStore(storage.table(Tables.connectors)),
      runs: new TableRunStore(storage.table(Tables.runs)),
      imports: new TableImportStore(storage.table(Tables.imports)),
      mappingFiles: new BlobMappingFileStore(storage.blobs.getContainerClient(Containers.mappingFiles), { cacheMs: 0 }),
    };
    // As infra/modules/event-subscription.bicep: BlobCreated under the container, 30 attempts, 24 hours.
    this.eventGrids =
      this.blobTriggerSource !== 'EventGrid'
        ? []
        : SUBSCRIBED_FUNCTIONS.map(({ functionName, container }) => ({
            functionName,
            grid: new LocalEventGrid({
              connectionString: parts.azurite.connectionString,
              subscription: {
                name: `${container}-to-${functionName}`,
                container,
                subjectBeginsWith: `/blobServices/default/containers/${container}/`,
                includedEventTypes: ['Microsoft.Storage.BlobCreated'],
                maxDeliveryAttempts: 30,
                eventTimeToLiveMinutes: 1440,
              },
              ...parts.options.eventGrid,
              log: (line) => console.error(line),
            }),
          }));
  }

  /** Starts Azurite and both simulators; whatever started is stopped again if a later step fails. */
  static async start(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
    const started: { stop(): Promise<void> }[] = [];
    try {
      const azurite =
        options.azurite ?? (await AzuriteProcess.start(options.azuriteLocation === undefined ? {} : { location: options.azuriteLocation }));
      started.push(azurite);
      const teleMessage = await TeleMessageSimulator.start({
        scenarioDir: options.scenarioDir,
        port: options.teleMessagePort ?? 0,
        ...(options.rebaseToNow === undefined ? {} : { rebaseToNow: options.rebaseToNow }),
      });
      started.push(teleMessage);
      const graph = await GraphSimulator.start({
        scenarioDir: options.scenarioDir, dataDir: options.graphDataDir, port: options.graphPort ?? 0,
        ...(options.graphLatency === undefined ? {} : { latency: options.graphLatency }),
      });
      started.push(graph);
      const environment = new LocalEnvironment({ azurite, teleMessage, graph, options });
      await environment.provisionStorage();
      for (const { grid } of environment.eventGrids) {
        started.push(grid);
        await grid.start();
      }
      return environment;
    } catch (error) {
      for (const part of started.reverse()) await part.stop().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Creates the containers the pipeline writes to, as infra/ does in Azure (the app itself
   * assumes they exist). Queues and tables are created on first use.
   */
  async provisionStorage(): Promise<void> {
    for (const name of Object.values(Containers)) {
      await this.stores.storage.blobs.getContainerClient(name).createIfNotExists();
    }
  }

  /**
   * The app settings of the host process. Every setting the app reads is named, most of them
   * empty, so that neither this process's environment nor a developer's local.settings.json can
   * point the run at Key Vault, Application Insights or real Graph credentials.
   */
  hostSettings(options: Pick<StartHostOptions, 'schedule' | 'secrets' | 'settings'>): Record<string, string> {
    const cleared = Object.fromEntries(Object.values(AppSettings).map((name) => [name, '']));
    return {
      ...cleared,
      FUNCTIONS_WORKER_RUNTIME: 'node',
      [AppSettings.storage]: this.azurite.connectionString,
      // The SFTP drop zone is its own account in Azure; locally the same Azurite, through its own connection.
      [AppSettings.dropZoneStorage]: this.azurite.connectionString,
      [AppSettings.schedule]: options.schedule ?? SCHEDULE_ON_DEMAND_ONLY,
      [AppSettings.blobTriggerSource]: this.blobTriggerSource,
      [AppSettings.graphEndpoint]: this.graph.url,
      [AppSettings.graphDevToken]: GRAPH_SIMULATOR_TOKEN,
      // The admin page's local sign-in: this environment is local by construction.
      [AppSettings.adminWebLocalSignIn]: 'on',
      ...options.secrets,
      ...options.settings,
    };
  }

  /** The host currently started by {@link startHost}, if any. */
  get host(): HostProcess | undefined {
    return this.#host;
  }

  /**
   * Starts the local Functions host in a child process, on the environment's storage and
   * simulators. A host started earlier is stopped first (a killed one is simply replaced), so a
   * test can crash a host and start the next one on the same data.
   */
  async startHost(options: StartHostOptions): Promise<HostProcess> {
    if (this.#stopping) throw new Error('The local environment is stopping.');
    const previous = this.#host;
    if (previous !== undefined) {
      this.#forget(previous);
      await previous.stop();
    }
    this.#host = await HostProcess.start({
      appRoot: this.appRoot,
      port: options.port ?? 0,
      hostId: LOCAL_HOST_ID,
      env: this.hostSettings(options),
      startTimeoutMs: 60_000,
      ...(options.echo ? { echo: true } : {}),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    await this.#subscribe(this.#host);
    return this.#host;
  }

  /**
   * Points the Event Grid subscription at a host's blobs webhook, with the `blobs_extension`
   * key the host keeps in its secrets blob (as the azd hook reads it with listKeys in Azure).
   */
  async #subscribe(host: HostProcess): Promise<void> {
    if (this.eventGrids.length === 0) return;
    const key = await readBlobsExtensionKey(this.azurite.connectionString, LOCAL_HOST_ID);
    const endpoints: { grid: LocalEventGrid; url: string }[] = [];
    this.#endpoints.set(host, endpoints);
    for (const { functionName, grid } of this.eventGrids) {
      const url = `${host.baseUrl}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${encodeURIComponent(key)}`;
      await grid.addEndpoint(url);
      endpoints.push({ grid, url });
    }
  }

  #forget(host: HostProcess): void {
    for (const { grid, url } of this.#endpoints.get(host) ?? []) grid.removeEndpoint(url);
    this.#endpoints.delete(host);
  }

  /**
   * Waits until nothing is left to do: the local Event Grid has no event undelivered (a fresh
   * listing finds nothing new) and every running host is drained, for `settleMs` together. A
   * host's own drained answer cannot know of blobs whose events are still on their way.
   * It asks every 250 ms unless told otherwise: each answer costs a listing of the grids'
   * containers and several storage reads per host, and at the 50 ms of a single host's wait
   * these were a good part of an end-to-end test's CPU.
   */
  async waitForDrained(options: WaitForDrainedOptions): Promise<void> {
    const hosts = (): HostProcess[] => [this.#host, ...this.#moreHosts].filter((h): h is HostProcess => h !== undefined && h.running);
    const gridsIdle = async (): Promise<boolean> => {
      for (const { grid } of this.eventGrids) if (!(await grid.isIdle())) return false;
      return true;
    };
    await waitUntilDrained(async () => {
      if (!(await gridsIdle())) return false;
      for (const host of hosts()) if (!(await host.isDrained())) return false;
      return gridsIdle();
    }, { pollIntervalMs: DRAINED_POLL_MS, ...options });
  }

  /**
   * Starts one more host process on the same storage and simulators, beside the one
   * {@link startHost} started: another instance of the same function app (same host id), as
   * Flex Consumption runs several. Stopped with the environment.
   */
  async startAdditionalHost(options: StartHostOptions): Promise<HostProcess> {
    if (this.#stopping) throw new Error('The local environment is stopping.');
    const host = await HostProcess.start({
      appRoot: this.appRoot,
      port: options.port ?? 0,
      hostId: LOCAL_HOST_ID,
      env: this.hostSettings(options),
      startTimeoutMs: 60_000,
      ...(options.echo ? { echo: true } : {}),
    });
    this.#moreHosts.push(host);
    await this.#subscribe(host);
    return host;
  }

  /**
   * Stops the host (letting running invocations finish), then the simulators (the Graph simulator
   * writes every mailbox file before it resolves), then Azurite. Safe to call more than once; the
   * first call's options count.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= (async () => {
      const failures: unknown[] = [];
      const attempt = async (step: () => Promise<unknown>): Promise<void> => {
        try {
          await step();
        } catch (error) {
          failures.push(error);
        }
      };
      for (const { grid } of this.eventGrids) await attempt(() => grid.stop());
      await Promise.all(this.#moreHosts.map((more) => attempt(() => more.stop())));
      const host = this.#host;
      if (host !== undefined) {
        if (options.interrupted) await attempt(() => letHostFinishItsOwnStop(host));
        await attempt(() => host.stop());
      }
      await attempt(() => this.teleMessage.stop());
      await attempt(() => this.graph.stop());
      await attempt(() => this.azurite.stop());
      if (failures.length > 0) {
        throw new AggregateError(failures, `The local environment did not stop cleanly: ${failures.map(describe).join('; ')}`);
      }
    })();
    return this.#stopping;
  }
}

export interface StopOptions {
  /**
   * This process was interrupted from a terminal (Ctrl-C), which signals the host process too. The
   * host then stops on its own, letting running invocations finish; a second signal would make it
   * exit at once, so it is given time to finish instead.
   */
  interrupted?: boolean;
}

const SELF_STOP_LINE = /(SIGINT|SIGTERM) received: stopping the host/;

const DRAINED_POLL_MS = 250;

async function letHostFinishItsOwnStop(host: HostProcess): Promise<void> {
  const pid = host.pid;
  if (pid === undefined) return;
  const stopping = await host.waitForOutput(SELF_STOP_LINE, 1_000).then(
    () => true,
    () => false,
  );
  if (stopping) await waitForProcessExit(pid, 30_000);
}

/** Resolves once no process has this id (signal 0 probes without sending anything), or after the timeout. */
async function waitForProcessExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await delay(100);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
