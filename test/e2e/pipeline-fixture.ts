import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startTestAzurite } from '../support/test-azurite';
export { waitFor } from '../support/wait-for';
import { LOCAL_HOST_ID, LocalEnvironment, type LocalEnvironmentOptions } from '../../dev/demo/local-environment';
import { readGraphExport, type ExportedMailbox } from '../../dev/demo/graph-export';
import { buildCycleReport, type CycleReport } from '../../dev/demo/report';
import { applyScenarioConnectors } from '../../dev/demo/scenario-connectors';
import { rebaseOffsetMs } from '../../dev/demo/demo-cycle';
import { loadScenario, type Scenario } from '../../dev/scenario/scenario';
import type { HostProcess } from '../../dev/host';
import { StorageFetchJobQueue } from '../../shared/schedule/fetch-job-queue';
import { Containers, Queues, Tables } from '../../shared/platform/storage/storage-names';
import type { MailboxDelivery } from '../../shared/outcomes/item-outcome';
import type { RequestLogEntry } from '../../dev/simulators/graph';


/**
 * The product on a scenario, through the local host in a child process, with the handles a test
 * needs: the simulators (for faults), the stores, host restarts, the report and the export.
 */
export class E2ePipeline {
  readonly #secrets: Record<string, string>;

  private constructor(
    readonly environment: LocalEnvironment,
    readonly scenario: Scenario,
    readonly workdir: string,
    secrets: Record<string, string>,
    /** How far the TeleMessage simulator moved the scenario's timestamps. */
    readonly rebaseOffsetMs: number,
    /** App settings every host of this pipeline gets beside the environment's. */
    private readonly hostSettings: Readonly<Record<string, string>> = {},
  ) {
    this.#secrets = secrets;
  }

  /** Azurite storage of its own (see test/support/test-azurite.ts), both simulators, the scenario's connectors; no host yet. */
  /**
   * The blob trigger source is Event Grid unless `blobTriggerSource` says otherwise, with Event
   * Grid's retry schedule at 1/100 (10 s → 100 ms) so a failed delivery is retried within a test.
   */
  static async start(
    scenarioDir: string,
    workdir: string,
    options: Pick<LocalEnvironmentOptions, 'graphLatency' | 'blobTriggerSource' | 'eventGrid'> & { hostSettings?: Readonly<Record<string, string>> } = {},
  ): Promise<E2ePipeline> {
    const { hostSettings, ...environmentOptions } = options;
    const scenario = await loadScenario(scenarioDir);
    // Stopped by the environment, also when the environment fails to start.
    const azurite = await startTestAzurite();
    const environment = await LocalEnvironment.start({ scenarioDir, azurite, graphDataDir: path.join(workdir, 'graph'), rebaseToNow: singleDayAnchor(scenario, new Date()), ...environmentOptions, eventGrid: { retryScale: 0.01, ...options.eventGrid } });
    try {
      const setup = await applyScenarioConnectors({
        scenarioDir,
        connectors: scenario.connectors,
        baseUrl: environment.teleMessage.url,
        connectorStore: environment.stores.connectors,
        mappingFiles: environment.stores.mappingFiles,
      });
      return new E2ePipeline(environment, scenario, workdir, setup.secrets, rebaseOffsetMs(scenario, environment.teleMessage), hostSettings);
    } catch (error) {
      await environment.stop();
      throw error;
    }
  }

  get graphDataDir(): string {
    return this.environment.graphDataDir;
  }

  /** The app settings a host gets (storage, simulators, the connectors' secrets), for running the app in this process. */
  appSettings(): Record<string, string> {
    return this.environment.hostSettings({ secrets: this.#secrets, settings: this.hostSettings });
  }

  /** Starts a host (after any earlier one was stopped or killed) on the same storage and mailboxes. */
  startHost(): Promise<HostProcess> {
    return this.environment.startHost({ secrets: this.#secrets, settings: this.hostSettings, echo: process.env.E2E_ECHO === '1' });
  }

  /** Another instance of the app beside {@link host}, on the same storage and mailboxes. */
  startAdditionalHost(): Promise<HostProcess> {
    return this.environment.startAdditionalHost({ secrets: this.#secrets, settings: this.hostSettings, echo: process.env.E2E_ECHO === '1' });
  }

  get host(): HostProcess {
    const host = this.environment.host;
    if (host === undefined) throw new Error('No host was started');
    return host;
  }

  /** Fires the timer once; resolves with the instant the cycle started (for the report). */
  async fire(): Promise<Date> {
    const since = new Date();
    await this.host.fireFunction('scheduleFetch');
    return since;
  }

  /**
   * Waits until the pipeline is drained; a timeout carries the host's last failures, for diagnosis.
   * The default is a budget, not an expectation: the drained answer ends the wait as soon as the
   * work is done, and on a loaded machine a cycle through faults and retries takes minutes.
   */
  async drain(timeoutMs = 180_000): Promise<void> {
    try {
      // The host's drained answer reads storage as it is (queue lengths, blobs against receipts)
      // and is false if an invocation started while it looked, so the first true one counts.
      // With Event Grid the environment also waits for events still on their way to the host.
      await this.environment.waitForDrained({ timeoutMs, settleMs: 0 });
    } catch (error) {
      const failures = this.host.output.filter((line) => /^Exception:|Failed,|failed/.test(line)).slice(-10);
      throw new Error(`${(error as Error).message}\nThe host's last failures:\n${failures.join('\n')}`, { cause: error });
    }
  }

  report(since: Date): Promise<CycleReport> {
    return buildCycleReport({
      connectors: this.scenario.connectors.map((c) => ({ id: c.id, product: c.product })),
      runs: this.environment.stores.runs,
      imports: this.environment.stores.imports,
      since,
    });
  }

  /** The mailboxes as the running Graph simulator holds them now. */
  mailboxesNow(): ExportedMailbox[] {
    const mailboxes: ExportedMailbox[] = [];
    for (const user of this.scenario.directoryUsers) {
      const mailbox = this.environment.graph.mailbox(user.userPrincipalName);
      if (mailbox !== undefined) mailboxes.push({ userPrincipalName: user.userPrincipalName, file: '', mailbox });
    }
    return mailboxes;
  }

  /** Item JSON blobs the fetch stage has written so far. */
  async storedItemCount(): Promise<number> {
    let count = 0;
    for await (const blob of this.environment.stores.storage.blobs.getContainerClient(Containers.items).listBlobsFlat()) {
      if (blob.name.endsWith('.json')) count += 1;
    }
    return count;
  }

  /** Stops everything, then reads the export as written to disk. */
  async stopAndReadExport(): Promise<ExportedMailbox[]> {
    await this.environment.stop();
    return readGraphExport(this.graphDataDir);
  }

  stop(): Promise<void> {
    return this.environment.stop();
  }

  /**
   * What time does for work a killed host left behind, so a test need not wait for it: the
   * blob-receipt leases it held (30 s) are broken, as if they had run out, the fetch jobs it
   * had received (invisible for the host's 10-minute processing timeout) are put back on the
   * queue as the same jobs, as if their invisibility had ended, and its delivery claims and
   * Graph mailbox slots (60 s leases each) end as their leases running out would end them.
   */
  async releaseWorkOfKilledHost(): Promise<{ leasesBroken: number; jobsRequeued: number; claimsExpired: number; slotsFreed: number }> {
    const leasesBroken = await this.breakReceiptLeases();
    // Only the killed host was running: every claim or slot still held is one it left.
    const claimsExpired = await this.expireDeliveryClaims();
    const slotsFreed = await this.expireMailboxSlots();
    const jobsRequeued = await this.requeueUnfinishedFetchJobs();
    return { leasesBroken, jobsRequeued, claimsExpired, slotsFreed };
  }

  /**
   * The fetch jobs a killed host had received come back (as their 10-minute invisibility ending
   * would): the queue is emptied and every run not yet succeeded or failed is queued again. A
   * run a live host is working on is then fetched twice, which the write-once archive allows.
   */
  async requeueUnfinishedFetchJobs(): Promise<number> {
    const queue = this.environment.stores.storage.queue(Queues.fetchJobs);
    await queue.clearMessages();
    const jobs = new StorageFetchJobQueue(queue);
    let requeued = 0;
    for (const connector of this.scenario.connectors) {
      for (const run of await this.environment.stores.runs.list(connector.id)) {
        if (run.status === 'succeeded' || run.status === 'failed') continue;
        await jobs.enqueue({ connectorId: run.connectorId, runId: run.runId, from: run.from, to: run.to });
        requeued += 1;
      }
    }
    return requeued;
  }

  /**
   * Breaks every blob-receipt lease, as their running out (30 s) would: with hosts still running,
   * a blob one of them is importing becomes free for another to start on as well.
   */
  async breakReceiptLeases(): Promise<number> {
    const hosts = BlobServiceClient.fromConnectionString(this.environment.azurite.connectionString).getContainerClient('azure-webjobs-hosts');
    let broken = 0;
    for await (const blob of hosts.listBlobsFlat()) {
      if (blob.properties.leaseState !== 'leased') continue;
      try {
        await hosts.getBlobClient(blob.name).getBlobLeaseClient().breakLease(0);
        broken += 1;
      } catch (error) {
        // Released since the listing: a running host finished with it.
        if ((error as { code?: string }).code !== 'LeaseNotPresentWithLeaseOperation') throw error;
      }
    }
    return broken;
  }

  /** Ends every delivery claim still held (docs/architecture.md, "The delivery claim"), as their lease running out would. */
  async expireDeliveryClaims(): Promise<number> {
    const table = this.environment.stores.storage.table(Tables.imports);
    let expired = 0;
    try {
      for await (const row of table.listEntities<{ partitionKey: string; rowKey: string; json: string }>({ queryOptions: { filter: "RowKey ge 'delivery|' and RowKey lt 'delivery}'" } })) {
        const delivery = JSON.parse(row.json) as MailboxDelivery;
        if (delivery.status !== 'pending' || delivery.leaseUntil === undefined) continue;
        const { leaseUntil: _expired, ...rest } = delivery;
        await table.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, json: JSON.stringify(rest) }, 'Replace', { etag: row.etag });
        expired += 1;
      }
    } catch (error) {
      // No import has run yet: the table is created by the first.
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    return expired;
  }

  /**
   * Frees every Graph mailbox slot still held (shared/graph/table-mailbox-limiter.ts), as its
   * lease running out would, the way the limiter's own release leaves a slot. Without it a
   * restarted host waits out the killed host's slots (up to 60 s) before writing to those
   * mailboxes again.
   */
  async expireMailboxSlots(): Promise<number> {
    const table = this.environment.stores.storage.table(Tables.mailboxLimits);
    const now = Date.now();
    let freed = 0;
    try {
      for await (const row of table.listEntities<{ partitionKey: string; rowKey: string; holder?: string; leaseUntil?: number }>()) {
        if ((row.leaseUntil ?? 0) <= now) continue;
        await table.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, holder: '', leaseUntil: 0 }, 'Merge', { etag: row.etag });
        freed += 1;
      }
    } catch (error) {
      // No Graph request has run yet: the table is created by the first.
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    return freed;
  }

  /**
   * What time does for the blob trigger messages a killed host had taken from the host's blob
   * trigger queue (invisible for 10 minutes, then delivered again): the queue is emptied and one
   * message, in the storage extension's format, is queued for every stored item not yet
   * imported — those the dead host held, and maybe some a running host has in hand (a
   * duplicate, which the queue's at-least-once delivery allows anyway).
   */
  async requeueUnfinishedImports(): Promise<number> {
    const queue = this.environment.stores.storage.queue(`azure-webjobs-blobtrigger-${LOCAL_HOST_ID}`.toLowerCase().slice(0, 63));
    await queue.clearMessages();
    const imported = new Set<string>();
    for (const connector of this.scenario.connectors) {
      for (const outcome of await this.environment.stores.imports.listOutcomes(connector.id, 'imported')) imported.add(outcome.blobName);
    }
    let queued = 0;
    for await (const blob of this.environment.stores.storage.blobs.getContainerClient(Containers.items).listBlobsFlat()) {
      if (!blob.name.endsWith('.json') || imported.has(blob.name)) continue;
      const etag = blob.properties.etag.startsWith('"') ? blob.properties.etag : `"${blob.properties.etag}"`;
      const message = { Type: 'BlobTrigger', FunctionId: 'Host.Functions.importItem', BlobType: 'BlockBlob', ContainerName: Containers.items, BlobName: blob.name, ETag: etag };
      await queue.sendMessage(Buffer.from(JSON.stringify(message), 'utf8').toString('base64'));
      queued += 1;
    }
    return queued;
  }

  /** The message creates Graph answered 201, by the simulator's own request log. */
  async graphCreates(): Promise<number> {
    const graph = this.environment.graph;
    await graph.flush();
    const log = await readFile(graph.requestLogFile, 'utf8').catch(() => '');
    return log.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as RequestLogEntry)
      .filter((e) => e.method === 'POST' && e.status === 201 && /\/mailFolders\/[^/]+\/messages$/.test(e.path)).length;
  }
}

const DAY_MS = 24 * 3_600_000;

/**
 * Where the simulator puts the scenario's newest item: an hour ago, as with `rebaseToNow: true`,
 * unless the scenario would then straddle a UTC midnight; then just before that midnight. The
 * scheduler splits windows at midnight, so this keeps every item in one window on any day.
 */
export function singleDayAnchor(scenario: Scenario, now: Date): Date {
  const times = [...scenario.items['att-network'], ...scenario.items.wechat].map((l) => Date.parse(l.item.archivedAt));
  const span = times.length === 0 ? 0 : Math.max(...times) - Math.min(...times);
  const anchor = Math.floor(now.getTime() / 1000) * 1000 - 3_600_000;
  const sameDay = Math.floor((anchor - span) / DAY_MS) === Math.floor(anchor / DAY_MS);
  return new Date(sameDay ? anchor : Math.floor(anchor / DAY_MS) * DAY_MS - 1000);
}
