import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { ContainerClient } from '@azure/storage-blob';
import { loadAppConfig, loadSettings, type AppConfig, type SettingsSections, type StorageConfig } from '../platform/settings/app-config';
import { AppSettings, DEFAULT_RECONCILE_AFTER_HOURS } from '../platform/settings/app-settings';
import { loadHostSettings, type HostSettings } from '../platform/settings/host-settings';
import { dropZoneBlobService, isLocalDevelopmentStorage, StorageClients } from '../platform/storage/storage-clients';
import { checkBaseUrlHost, type AddressPolicy } from '../telemessage/address-policy';
import { Containers, Queues, Tables } from '../platform/storage/storage-names';
import { AppSettingsSecretStore, KeyVaultSecretStore, type SecretStore } from '../platform/secrets/secret-store';
import type { Telemetry } from '../platform/telemetry/telemetry';
import { createTelemetry } from '../platform/telemetry/create-telemetry';
import { TableConnectorStore } from '../connectors/connector-store';
import type { Connector } from '../connectors/connector';
import { TableRunStore } from '../schedule/run-store';
import { StorageFetchJobQueue } from '../schedule/fetch-job-queue';
import { FetchScheduler } from '../schedule/fetch-scheduler';
import { TableImportStore } from '../outcomes/import-store';
import { ItemQuarantine } from '../outcomes/item-quarantine';
import { BlobQuarantineStore } from '../outcomes/quarantine-store';
import { FetchWindowService } from '../fetch/fetch-window-service';
import { QuarantinedItemRestorer } from '../fetch/quarantine-restorer';
import { ImportItemService } from '../import/import-item-service';
import { StorageImportReplayQueue } from '../import/import-replay-queue';
import { BlobStoredItemReader } from '../archive/stored-item-reader';
import { BlobArchiveStore } from '../archive/blob-archive-store';
import { EmlDropService } from '../eml-drop/eml-drop-service';
import { BlobEmlDropZone, EML_DROP_CONTAINER } from '../eml-drop/drop-zone';
import { TeleMessageClient } from '../telemessage/telemessage-client';
import { createGraphClient } from '../graph/graph-client';
import { createGraphCredential } from '../graph/graph-credential';
import { GraphMailboxWriter } from '../graph/mailbox-writer';
import { useMailboxLimiter } from '../graph/mailbox-limiter';
import { TableMailboxLimiter } from '../graph/table-mailbox-limiter';
import { GraphUserDirectory } from '../graph/graph-user-directory';
import { sourceItemIdPropertyId } from '../conversion';
import { BlobMappingFileStore } from '../mapping/mapping-file-store';
import { CachingUserDirectory } from '../mapping/caching-user-directory';
import { ReconciliationService } from '../custody/reconciliation-service';
import { TableReconciliationStore } from '../custody/reconciliation-store';
import { BlobManifestStore } from '../custody/manifest-store';
import { KeyVaultManifestSigner, type ManifestSigner } from '../custody/manifest-signer';
import { GraphCopyReader } from '../graph/copy-reader';
import { NoTelemetry } from '../platform/telemetry/telemetry';
import type { UserDirectory } from '../mapping/directory';
import type { AdminServices, AdminServicesOptions, AdminSettings } from '../admin/admin-services';
import { KeyVaultSecretWriter, LocalSettingsSecretWriter } from '../admin/secret-writer';
import { teleMessageCredentialCheck } from '../admin/telemessage-check';
import { TableAuditTrail } from '../audit/audit-trail';
import { LOCAL_SETTINGS_FILE } from '../admin/local-settings-file';
import { ProcessEnvSecretWriter } from '../admin/secret-writer';
import { join } from 'node:path';

/**
 * The one composition root: every store and service of the product is wired here, for the
 * function app and for the admin command line alike. Each front end asks only for the settings
 * sections it needs (the admin commands run without any Graph setting).
 */

/** The stores every front end shares, on one storage account. */
export interface Stores {
  readonly storage: StorageClients;
  readonly connectors: TableConnectorStore;
  readonly runs: TableRunStore;
  readonly imports: TableImportStore;
  readonly mappingFiles: BlobMappingFileStore;
  /** The `archive-items` container. */
  readonly items: ContainerClient;
  /** The `quarantine` container. */
  readonly quarantined: ContainerClient;
  readonly replays: StorageImportReplayQueue;
  readonly reconciliations: TableReconciliationStore;
  readonly manifests: BlobManifestStore;
}

export function createStores(storage: StorageClients): Stores {
  return {
    storage,
    connectors: new TableConnectorStore(storage.table(Tables.connectors)),
    runs: new TableRunStore(storage.table(Tables.runs)),
    imports: new TableImportStore(storage.table(Tables.imports)),
    mappingFiles: new BlobMappingFileStore(storage.blobs.getContainerClient(Containers.mappingFiles)),
    items: storage.blobs.getContainerClient(Containers.items),
    quarantined: storage.blobs.getContainerClient(Containers.quarantine),
    replays: new StorageImportReplayQueue(storage.queue(Queues.importReplays)),
    reconciliations: new TableReconciliationStore(storage.table(Tables.reconciliation)),
    manifests: new BlobManifestStore(storage.blobs.getContainerClient(Containers.manifests)),
  };
}

function createScheduler(stores: Stores, settlingMinutes?: number): FetchScheduler {
  return new FetchScheduler({
    connectors: stores.connectors,
    runs: stores.runs,
    queue: new StorageFetchJobQueue(stores.storage.queue(Queues.fetchJobs)),
    ...(settlingMinutes === undefined ? {} : { settlingMs: settlingMinutes * 60_000 }),
  });
}

function createReconciler(
  stores: Stores,
  options: { secrets: SecretStore; addressPolicy: AddressPolicy; telemetry: Telemetry; graceHours: number; signer?: ManifestSigner; clock?: () => Date },
): ReconciliationService {
  return new ReconciliationService({
    connectors: stores.connectors,
    runs: stores.runs,
    imports: stores.imports,
    archive: new BlobStoredItemReader(stores.storage.blobs),
    reconciliations: stores.reconciliations,
    manifests: stores.manifests,
    sourceFor: teleMessageSource(options.secrets, options.addressPolicy),
    telemetry: options.telemetry,
    graceHours: options.graceHours,
    ...(options.signer === undefined ? {} : { signer: options.signer }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}

/**
 * The TeleMessage client of a connector, signed in with the password its secret holds. The base
 * URL comes from a table row, so its host is checked again here, names resolved, before the
 * password is read or sent (telemessage/address-policy.ts); the client then checks the addresses
 * each of its connections resolves to against the same policy.
 */
export function teleMessageSource(secrets: SecretStore, addressPolicy: AddressPolicy): (connector: Connector) => Promise<TeleMessageClient> {
  return async (connector) => {
    await checkBaseUrlHost(connector.baseUrl, addressPolicy);
    return new TeleMessageClient({
      baseUrl: connector.baseUrl, username: connector.username, password: await secrets.get(connector.passwordSecretName), addressPolicy,
    });
  };
}

/** Loopback TeleMessage hosts (the simulator) only where storage is the local emulator. */
export function addressPolicyFor(storage: StorageConfig): AddressPolicy {
  return { allowLoopback: isLocalDevelopmentStorage(storage) };
}

function createSecretStore(settings: SettingsSections['secrets'], credential: () => TokenCredential, env?: Readonly<Record<string, string | undefined>>): SecretStore {
  return settings.kind === 'key-vault' ? new KeyVaultSecretStore(settings.vaultUri, credential()) : new AppSettingsSecretStore(env);
}

// ---------------------------------------------------------------------------------------------
// The function app

/** Every service of the pipeline, wired from the validated configuration. */
export interface ArchiverServices extends Stores {
  config: AppConfig;
  scheduler: FetchScheduler;
  fetcher: FetchWindowService;
  importer: ImportItemService;
  /** The EML transport: TeleMessage's export ZIPs into stored items. */
  emlDrop: EmlDropService;
  secrets: SecretStore;
  /** The mapping files in force, as the import stage reads them. */
  mappings: BlobMappingFileStore;
  telemetry: Telemetry;
  /** Graph's per-mailbox limits, shared with every other instance through Table Storage. */
  mailboxLimiter: TableMailboxLimiter;
  reconciler: ReconciliationService;
}

let appIdentity: { clientId: string | undefined; credential: TokenCredential } | undefined;

/**
 * The app's one managed identity, created once per process (one token cache) and shared by
 * storage, Key Vault, Application Insights and the Graph federation. The settings name one
 * identity: `AZURE_CLIENT_ID` and `AzureWebJobsStorage__clientId` must agree (app-config.ts).
 */
function managedIdentity(config: Pick<AppConfig, 'graph' | 'storage'>): TokenCredential {
  const clientId = config.graph.auth.kind === 'managed-identity-federation'
    ? config.graph.auth.managedIdentityClientId
    : config.storage.kind === 'managed-identity' ? config.storage.clientId : undefined;
  if (appIdentity === undefined || appIdentity.clientId !== clientId) {
    appIdentity = { clientId, credential: new ManagedIdentityCredential(clientId === undefined ? {} : { clientId }) };
  }
  return appIdentity.credential;
}

/**
 * @param host what host.json says; the fetch stage's last attempt is the host's last delivery
 *   (`maxDequeueCount`), after which the job goes to `fetch-jobs-poison`.
 */
export function createArchiverServices(config: AppConfig, host: HostSettings = loadHostSettings()): ArchiverServices {
  const identity = (): TokenCredential => managedIdentity(config);
  const stores = createStores(new StorageClients(config.storage, identity));
  // Application Insights signs in with Entra ID in Azure, where Graph is reached by federation.
  const telemetry = createTelemetry(config, config.graph.auth.kind === 'managed-identity-federation' ? identity() : undefined);
  const secrets = createSecretStore(config.secrets, identity);
  const graph = createGraphClient({ endpoint: config.graph.endpoint, credential: createGraphCredential(config.graph, identity) });
  // Graph's per-mailbox limits are the app's, not an instance's: every instance keeps them together.
  const leaseMs = config.claimLeaseSeconds * 1000;
  const mailboxLimiter = new TableMailboxLimiter(stores.storage.table(Tables.mailboxLimits), { leaseMs });
  useMailboxLimiter(graph, mailboxLimiter);
  const storedItems = new BlobStoredItemReader(stores.storage.blobs);
  const quarantineStore = new BlobQuarantineStore(stores.storage.blobs);
  const quarantine = new ItemQuarantine(quarantineStore, stores.imports);
  const addressPolicy = addressPolicyFor(config.storage);
  const sourceFor = teleMessageSource(secrets, addressPolicy);
  const archiveStore = new BlobArchiveStore({ blobServiceClient: stores.storage.blobs });
  const quarantineItem = async (connectorId: string, itemId: string, item: unknown, reason: string): Promise<void> => {
    await quarantine.quarantine(connectorId, itemId, item, reason);
  };
  const restorer = new QuarantinedItemRestorer({ connectors: stores.connectors, quarantined: stores.quarantined, store: archiveStore, sourceFor, quarantine: quarantineItem });

  return {
    ...stores,
    config, secrets, telemetry, mailboxLimiter,
    mappings: stores.mappingFiles,
    scheduler: createScheduler(stores, config.settlingMinutes),
    reconciler: createReconciler(stores, {
      secrets, addressPolicy, telemetry, graceHours: config.custody.reconcileAfterHours,
      ...(config.custody.manifestSigningKeyId === undefined ? {} : { signer: new KeyVaultManifestSigner(config.custody.manifestSigningKeyId, managedIdentity(config)) }),
    }),
    fetcher: new FetchWindowService({
      connectors: stores.connectors, runs: stores.runs, telemetry, sourceFor,
      maxAttempts: host.maxDequeueCount,
      quarantine: quarantineItem,
      store: archiveStore,
    }),
    emlDrop: new EmlDropService({ connectors: stores.connectors, blobs: stores.storage.blobs }),
    importer: new ImportItemService({
      connectors: stores.connectors, imports: stores.imports, telemetry, mappings: stores.mappingFiles,
      writer: new GraphMailboxWriter({ client: graph, sourceItemIdPropertyId: sourceItemIdPropertyId() }),
      directory: new GraphUserDirectory(graph),
      storage: storedItems,
      quarantine: quarantineStore,
      restoreQuarantined: (request) => restorer.restore(request.connectorId, request.itemId),
      deliveryLeaseMs: leaseMs,
    }),
  };
}

let config: AppConfig | undefined;
let services: ArchiverServices | undefined;

/** The app settings, validated once per process; an invalid setting stops the app at start-up. */
export function appConfig(): AppConfig {
  config ??= loadAppConfig();
  return config;
}

/**
 * Checks the settings when the app starts and writes every problem to the log (the worker sends
 * console output to the host's log). It never throws: the functions stay registered, and each
 * invocation fails naming the same settings until they are fixed.
 */
export function reportSettingsAtStart(): void {
  try {
    appConfig();
  } catch (err) {
    console.error(`The function app's settings are not valid; every function will fail until they are fixed. ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The process's services, created on first use. */
export function archiverServices(): ArchiverServices {
  services ??= createArchiverServices(appConfig());
  return services;
}

// ---------------------------------------------------------------------------------------------
// The admin command line

type Env = Readonly<Record<string, string | undefined>>;

/** Reads only the sections the commands need; Graph is read, and checked, only when it is set. */
export function loadAdminSettings(env: Env): AdminSettings {
  return env[AppSettings.graphEndpoint]?.trim()
    ? loadSettings(['storage', 'secrets', 'dropZone', 'graph'], env)
    : loadSettings(['storage', 'secrets', 'dropZone'], env);
}

/**
 * The stores and clients the commands use. Outside Azure the app's managed identity is not
 * there, so identity-based storage and Key Vault are reached with the administrator's credential.
 */
export function createAdminServices(settings: AdminSettings, options: AdminServicesOptions): AdminServices {
  let credential: TokenCredential | undefined;
  const adminCredential = (): TokenCredential => (credential ??= options.credential?.() ?? new DefaultAzureCredential());
  const stores = createStores(new StorageClients(settings.storage, adminCredential));
  const dropZone = new BlobEmlDropZone(dropZoneBlobService(settings.dropZone.storage, stores.storage, adminCredential).getContainerClient(EML_DROP_CONTAINER));
  let directory: UserDirectory | undefined;
  const secrets = createSecretStore(settings.secrets, adminCredential, options.env);
  const addressPolicy = addressPolicyFor(settings.storage);
  let client: ReturnType<typeof createGraphClient> | undefined;
  const graphClient = (graph: NonNullable<AdminSettings['graph']>): ReturnType<typeof createGraphClient> =>
    (client ??= createGraphClient({ endpoint: graph.endpoint, credential: createGraphCredential(graph, () => managedIdentity({ graph, storage: settings.storage })) }));
  return {
    ...stores,
    config: settings,
    scheduler: createScheduler(stores),
    dropZone,
    secrets,
    secretWriter:
      options.secretWriter ??
      (settings.secrets.kind === 'key-vault'
        ? new KeyVaultSecretWriter(settings.secrets.vaultUri, adminCredential())
        : new LocalSettingsSecretWriter(options.localSettingsFile)),
    audit: new TableAuditTrail(stores.storage.table(Tables.audit), options.telemetry ?? new NoTelemetry()),
    checkCredentials: teleMessageCredentialCheck({ addressPolicy }),
    addressPolicy,
    reconciler: (choices = {}) =>
      createReconciler(stores, {
        secrets,
        addressPolicy,
        telemetry: choices.telemetry ?? new NoTelemetry(),
        graceHours: choices.graceHours ?? DEFAULT_RECONCILE_AFTER_HOURS,
        ...(choices.clock === undefined ? {} : { clock: choices.clock }),
      }),
    copyReader: () => (settings.graph === undefined ? undefined : new GraphCopyReader(graphClient(settings.graph))),
    directory: () => {
      const graph = settings.graph;
      if (graph === undefined) return undefined;
      directory ??= new CachingUserDirectory(new GraphUserDirectory(graphClient(graph)));
      return directory;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The admin web API (HTTP functions of the function app)

let adminWeb: AdminServices | undefined;

/**
 * The admin operations for the web API, inside the function app: the app's own identity (Key
 * Vault writes need "Key Vault Secrets Officer" for it, see docs/deployment.md), its telemetry,
 * and locally a password written to local.settings.json is also put into this process's
 * environment, so the running host reads it without a restart.
 */
export function adminWebServices(): AdminServices {
  if (adminWeb !== undefined) return adminWeb;
  const config = appConfig();
  const settings = loadAdminSettings(process.env);
  const localSettingsFile = join(process.cwd(), LOCAL_SETTINGS_FILE);
  adminWeb = createAdminServices(settings, {
    env: process.env,
    localSettingsFile,
    credential: () => managedIdentity(config),
    telemetry: archiverServices().telemetry,
    ...(settings.secrets.kind === 'app-settings' ? { secretWriter: new ProcessEnvSecretWriter(new LocalSettingsSecretWriter(localSettingsFile), process.env) } : {}),
  });
  return adminWeb;
}
