import { randomUUID } from 'node:crypto';
import type { BlobServiceClient } from '@azure/storage-blob';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { BlobArchiveStore } from '../../shared/archive/blob-archive-store';
import type { Connector } from '../../shared/connectors/connector';
import { TableConnectorStore } from '../../shared/connectors/connector-store';
import { FetchWindowService, type FetchWindowServiceOptions } from '../../shared/fetch/fetch-window-service';
import type { FetchRun } from '../../shared/schedule/fetch-run';
import { TableRunStore } from '../../shared/schedule/run-store';
import type { FetchJob } from '../../shared/schedule/fetch-job';
import { TeleMessageClient } from '../../shared/telemessage/telemessage-client';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { Containers, Tables } from '../../shared/platform/storage/storage-names';
import { RecordingTelemetry } from '../../shared/platform/telemetry/telemetry';
import { TableImportStore } from '../../shared/outcomes/import-store';
import { ItemQuarantine } from '../../shared/outcomes/item-quarantine';
import { BlobQuarantineStore } from '../../shared/outcomes/quarantine-store';
import { ScenarioBuilder, TEST_PASSWORD, TEST_USERNAME, type TestScenario } from '../telemessage/telemessage-test-scenario';

/** Day windows of the test scenario: [`day(n)`, `day(n + 1)`). */
export function day(n: number): string {
  return new Date(Date.UTC(2026, 10, 20 + n)).toISOString();
}

/** An instant inside day `n`, as the contract writes it (no fraction). */
export function during(n: number, minute: number): string {
  return new Date(Date.UTC(2026, 10, 20 + n, 9, minute)).toISOString().replace('.000Z', 'Z');
}

/**
 * One TeleMessage simulator over a scenario made for the fetch tests, one private Azurite, and
 * the real stores. Each test takes its own connector id, so their blobs and runs never meet.
 */
export class FetchFixture {
  readonly telemetry = new RecordingTelemetry();
  readonly imports: TableImportStore;
  readonly quarantine: ItemQuarantine;
  readonly connectors: TableConnectorStore;
  readonly runs: TableRunStore;
  readonly store: BlobArchiveStore;
  readonly blobs: BlobServiceClient;

  private constructor(
    readonly azurite: TestAzurite,
    readonly sim: TeleMessageSimulator,
    readonly scenario: TestScenario,
    connectionString: string,
  ) {
    const storage = new StorageClients({ kind: 'connection-string', connectionString });
    this.blobs = storage.blobs;
    this.connectors = new TableConnectorStore(storage.table(Tables.connectors));
    this.runs = new TableRunStore(storage.table(Tables.runs));
    this.store = new BlobArchiveStore({ blobServiceClient: storage.blobs });
    this.imports = new TableImportStore(storage.table(Tables.imports));
    this.quarantine = new ItemQuarantine(new BlobQuarantineStore(storage.blobs), this.imports);
  }

  /** @param options.connectionString the stores' storage, when not Azurite's own (a recording proxy, say). */
  static async start(
    build: (scenario: ScenarioBuilder) => Promise<void>,
    options: { connectionString?: (azurite: TestAzurite) => Promise<string> } = {},
  ): Promise<FetchFixture> {
    const builder = await ScenarioBuilder.create();
    await build(builder);
    const scenario = await builder.write();
    const azurite = await startTestAzurite();
    const sim = await TeleMessageSimulator.start({ scenarioDir: scenario.dir });
    const fixture = new FetchFixture(azurite, sim, scenario, (await options.connectionString?.(azurite)) ?? azurite.connectionString);
    await fixture.store.ensureContainers();
    return fixture;
  }

  async close(): Promise<void> {
    await this.sim.stop();
    await this.azurite.stop();
    await this.scenario.remove();
  }

  /** The fetch stage as the app wires it, with fast client retries so that faults cost milliseconds. */
  service(options: Partial<FetchWindowServiceOptions> & { maxClientAttempts?: number } = {}): FetchWindowService {
    const { maxClientAttempts, ...rest } = options;
    return new FetchWindowService({
      connectors: this.connectors,
      runs: this.runs,
      store: this.store,
      telemetry: this.telemetry,
      quarantine: async (connectorId, itemId, item, reason) => {
        await this.quarantine.quarantine(connectorId, itemId, item, reason);
      },
      sourceFor: async (connector) =>
        new TeleMessageClient({
          baseUrl: connector.baseUrl,
          username: connector.username,
          password: TEST_PASSWORD,
          retry: { maxAttempts: maxClientAttempts ?? 6, baseDelayMs: 5, maxDelayMs: 20 },
          requestTimeoutMs: 5_000,
          addressPolicy: { allowLoopback: true },
        }),
      ...rest,
    });
  }

  async createConnector(checkpoint: string): Promise<Connector> {
    const now = new Date().toISOString();
    const connector: Connector = {
      id: `c-${randomUUID().slice(0, 8)}`,
      product: 'att-network',
      folderName: 'AT&T SMS/MMS',
      baseUrl: this.sim.url,
      username: TEST_USERNAME,
      passwordSecretName: 'telemessage-password',
      enabled: true,
      autoMapping: true,
      defaultRegion: 'US',
      checkpoint,
      scheduledThrough: checkpoint,
      createdAt: now,
      updatedAt: now,
    };
    await this.connectors.create(connector);
    return connector;
  }

  /** Records a queued run for the window, as the scheduler does, and returns its job. */
  async queue(connectorId: string, from: string, to: string): Promise<FetchJob> {
    const run: FetchRun = {
      connectorId, runId: randomUUID(), from, to, status: 'queued', attempts: 0,
      queuedAt: new Date().toISOString(), fetched: 0, stored: 0, alreadyStored: 0, missingAttachments: 0,
    };
    await this.runs.createIfAbsent(run);
    return { connectorId, runId: run.runId, from, to };
  }

  /** Queues a window again, as the scheduler's requeue does for a failed or back-filled window. */
  async requeue(job: FetchJob): Promise<FetchJob> {
    const run = await this.runs.update(job.connectorId, job, (r) => ({ ...r, runId: randomUUID(), status: 'queued', attempts: 0 }));
    return { ...job, runId: run.runId };
  }

  async checkpoint(connectorId: string): Promise<string> {
    return (await this.connectors.get(connectorId)).checkpoint;
  }

  /** Item blobs of a connector: name → etag. */
  async itemBlobs(connectorId: string): Promise<Map<string, string>> {
    return this.#list(Containers.items, connectorId);
  }

  async attachmentBlobs(connectorId: string): Promise<Map<string, string>> {
    return this.#list(Containers.attachments, connectorId);
  }

  async readJson(container: string, name: string): Promise<Record<string, unknown>> {
    const buffer = await this.blobs.getContainerClient(container).getBlobClient(name).downloadToBuffer();
    return JSON.parse(buffer.toString('utf8')) as Record<string, unknown>;
  }

  async #list(container: string, connectorId: string): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for await (const blob of this.blobs.getContainerClient(container).listBlobsFlat({ prefix: `${connectorId}/` })) {
      found.set(blob.name, blob.properties.etag ?? '');
    }
    return found;
  }
}
