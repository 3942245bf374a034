import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { ContainerClient } from '@azure/storage-blob';
import { loadAppConfig, loadSettings, type AppConfig, type SettingsSections } from '../platform/settings/app-config';
import { AppSettings, DEFAULT_RECONCILE_AFTER_HOURS } from '../platform/settings/app-settings';
import { dropZoneBlobService, StorageClients } from '../platform/storage/storage-clients';
import { Containers, Queues, Tables } from '../platform/storage/storage-names';
import { AppSettingsSecretStore, KeyVaultSecretStore, type SecretStore } from '../platform/secrets/secret-store';
import type { Telemetry } from '../platform/telemetry/telemetry';
import { createTelemetry } from '../platform/telemetry/create-telemetry';
import { TableConnectorStore } from '../connectors/connector-store';
import { connectorTransport, type Connector } from '../connectors/connector';
import { TableRunStore } from '../schedule/run-store';
import { StorageFetchJobQueue } from '../schedule/fetch-job-queue';
import { FetchScheduler } from '../schedule/fetch-scheduler';
import { TableImportStore } from '../outcomes/import-store';
import { ItemQuarantine } from '../outcomes/item-quarantine';
import { BlobQuarantineStore } from '../outcomes/quarantine-store';
import { FetchWindowService } from '../fetch/fetch-window-service';
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
  options: { secrets: SecretStore; telemetry: Telemetry; graceHours: number; signer?: ManifestSigner; clock?: () => Date },
): ReconciliationService {
  return new ReconciliationService({
    connectors: stores.connectors,
    runs: stores.runs,
    imports: stores.imports,
    archive: new BlobStoredItemReader(stores.storage.blobs),
    reconciliations: stores.reconciliations,
    manifests: stores.manifests,
    sourceFor: teleMessageSource(options.secrets),
    telemetry: options.telemetry,
    graceHours: options.graceHours,
    ...(options.signer === undefined ? {} : { signer: options.signer }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}

/** The TeleMessage client of a connector, signed in with the password its secret holds. */
function teleMessageSource(secrets: SecretStore): (connector: Connector) => Promise<TeleMessageClient> {
  return async (connector) => {
    if (connectorTransport(connector) !== 'archive-api') {
      throw new Error(`Connector "${connector.id}" takes TeleMessage's EML exports over SFTP; it has no archive API to ask`);
    }
    return new TeleMessageClient({ baseUrl: connector.baseUrl, username: connector.username, password: await secrets.get(connector.passwordSecretName) });
  };
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

let identity: TokenCredential | undefined;

/** The app's managed identity for Key Vault (secrets and the signing key): one token cache per process. */
function managedIdentity(config: AppConfig): TokenCredential {
  identity ??= new ManagedIdentityCredential(config.graph.auth.kind === 'managed-identity-federation' ? { clientId: config.graph.auth.managedIdentityClientId } : {});
  return identity;
}

export function createArchiverServices(config: AppConfig): ArchiverServices {
  const stores = createStores(new StorageClients(config.storage));
  const telemetry = createTelemetry(config);
  const secrets = createSecretStore(config.secrets, () => managedIdentity(config));
  const graph = createGraphClient({ endpoint: config.graph.endpoint, credential: createGraphCredential(config.graph) });
  // Graph's per-mailbox limits are the app's, not an instance's: every instance keeps them together.
  const mailboxLimiter = new TableMailboxLimiter(stores.storage.table(Tables.mailboxLimits));
  useMailboxLimiter(graph, mailboxLimiter);
  const storedItems = new BlobStoredItemReader(stores.storage.blobs);
  const quarantineStore = new BlobQuarantineStore(stores.storage.blobs);
  const quarantine = new ItemQuarantine(quarantineStore, stores.imports);
  const sourceFor = teleMessageSource(secrets);

  return {
    ...stores,
    config, secrets, telemetry, mailboxLimiter,
    mappings: stores.mappingFiles,
    scheduler: createScheduler(stores, config.settlingMinutes),
    reconciler: createReconciler(stores, {
      secrets, telemetry, graceHours: config.custody.reconcileAfterHours,
      ...(config.custody.manifestSigningKeyId === undefined ? {} : { signer: new KeyVaultManifestSigner(config.custody.manifestSigningKeyId, managedIdentity(config)) }),
    }),
    fetcher: new FetchWindowService({
      connectors: stores.connectors, runs: stores.runs, telemetry, sourceFor,
      quarantine: async (connectorId, itemId, item, reason) => {
        await quarantine.quarantine(connectorId, itemId, item, reason);
      },
      store: new BlobArchiveStore({ blobServiceClient: stores.storage.blobs }),
    }),
    emlDrop: new EmlDropService({ connectors: stores.connectors, blobs: stores.storage.blobs }),
    importer: new ImportItemService({
      connectors: stores.connectors, imports: stores.imports, telemetry, mappings: stores.mappingFiles,
      writer: new GraphMailboxWriter({ client: graph, sourceItemIdPropertyId: sourceItemIdPropertyId() }),
      directory: new GraphUserDirectory(graph),
      storage: storedItems,
      quarantine: quarantineStore,
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
  let client: ReturnType<typeof createGraphClient> | undefined;
  const graphClient = (graph: NonNullable<AdminSettings['graph']>): ReturnType<typeof createGraphClient> =>
    (client ??= createGraphClient({ endpoint: graph.endpoint, credential: createGraphCredential(graph) }));
  return {
    ...stores,
    config: settings,
    scheduler: createScheduler(stores),
    dropZone,
    secrets,
    secretWriter:
      settings.secrets.kind === 'key-vault'
        ? new KeyVaultSecretWriter(settings.secrets.vaultUri, adminCredential())
        : new LocalSettingsSecretWriter(options.localSettingsFile),
    checkCredentials: teleMessageCredentialCheck(),
    reconciler: (choices = {}) =>
      createReconciler(stores, {
        secrets,
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
