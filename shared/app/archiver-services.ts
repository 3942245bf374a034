import { ManagedIdentityCredential } from '@azure/identity';
import { loadAppConfig, type AppConfig } from '../platform/settings/app-config';
import { StorageClients } from '../platform/storage/storage-clients';
import { Containers, Queues, Tables } from '../platform/storage/storage-names';
import { TableConnectorStore, type ConnectorStore } from '../connectors/connector-store';
import type { Connector } from '../connectors/connector';
import { TableRunStore, type RunStore } from '../schedule/run-store';
import { TableImportStore, type ImportStore } from '../outcomes/import-store';
import { StorageFetchJobQueue } from '../schedule/fetch-job-queue';
import { FetchScheduler } from '../schedule/fetch-scheduler';
import { FetchWindowService } from '../fetch/fetch-window-service';
import { ImportItemService, type MappingSource } from '../import/import-item-service';
import { BlobStoredItemAccess } from '../archive/stored-item-reader';
import { ItemQuarantine } from '../outcomes/item-quarantine';
import { BlobArchiveStore } from '../archive/blob-archive-store';
import { TeleMessageClient } from '../telemessage/telemessage-client';
import { AppSettingsSecretStore, KeyVaultSecretStore, type SecretStore } from '../platform/secrets/secret-store';
import { createGraphClient } from '../graph/graph-client';
import { createGraphCredential } from '../graph/graph-credential';
import { GraphMailboxWriter } from '../graph/mailbox-writer';
import { GraphUserDirectory } from '../graph/graph-user-directory';
import { sourceItemIdPropertyId } from '../conversion';
import { BlobMappingFileStore } from '../mapping/mapping-file-store';
import type { Telemetry } from '../platform/telemetry/telemetry';
import { createTelemetry } from '../platform/telemetry/create-telemetry';

/** Every service of the pipeline, wired from the validated configuration. */
export interface ArchiverServices {
  config: AppConfig;
  storage: StorageClients;
  connectors: ConnectorStore;
  runs: RunStore;
  imports: ImportStore;
  scheduler: FetchScheduler;
  fetcher: FetchWindowService;
  importer: ImportItemService;
  secrets: SecretStore;
  mappings: MappingSource;
  telemetry: Telemetry;
}

export function createArchiverServices(config: AppConfig): ArchiverServices {
  const storage = new StorageClients(config.storage);
  const connectors = new TableConnectorStore(storage.table(Tables.connectors));
  const runs = new TableRunStore(storage.table(Tables.runs));
  const imports = new TableImportStore(storage.table(Tables.imports));
  const telemetry = createTelemetry(config);
  const secrets: SecretStore =
    config.secrets.kind === 'key-vault'
      ? new KeyVaultSecretStore(config.secrets.vaultUri, new ManagedIdentityCredential(config.graph.auth.kind === 'managed-identity-federation' ? { clientId: config.graph.auth.managedIdentityClientId } : {}))
      : new AppSettingsSecretStore();
  const graph = createGraphClient({ endpoint: config.graph.endpoint, credential: createGraphCredential(config.graph) });
  const mappings = new BlobMappingFileStore(storage.blobs.getContainerClient(Containers.mappingFiles));

  const storedItems = new BlobStoredItemAccess(storage.blobs);
  const quarantine = new ItemQuarantine(storedItems, imports);
  const sourceFor = async (connector: Connector): Promise<TeleMessageClient> =>
    new TeleMessageClient({ baseUrl: connector.baseUrl, username: connector.username, password: await secrets.get(connector.passwordSecretName) });

  return {
    config, storage, connectors, runs, imports, secrets, mappings, telemetry,
    scheduler: new FetchScheduler({
      connectors, runs, queue: new StorageFetchJobQueue(storage.queue(Queues.fetchJobs)), settlingMs: config.settlingMinutes * 60_000,
    }),
    fetcher: new FetchWindowService({
      connectors, runs, telemetry, sourceFor,
      quarantine: async (connectorId, itemId, item, reason) => {
        await quarantine.quarantine(connectorId, itemId, item, reason);
      },
      store: new BlobArchiveStore({ blobServiceClient: storage.blobs }),
    }),
    importer: new ImportItemService({
      connectors, imports, telemetry, mappings,
      writer: new GraphMailboxWriter({ client: graph, sourceItemIdPropertyId: sourceItemIdPropertyId() }),
      directory: new GraphUserDirectory(graph),
      storage: storedItems,
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
