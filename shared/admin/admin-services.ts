import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { loadAppConfig, type AppConfig, type SecretsConfig, type StorageConfig } from '../platform/settings/app-config';
import { AppSettings } from '../platform/settings/app-settings';
import { TableConnectorStore } from '../connectors/connector-store';
import { createGraphClient } from '../graph/graph-client';
import { createGraphCredential } from '../graph/graph-credential';
import { GraphUserDirectory } from '../graph/graph-user-directory';
import { TableImportStore } from '../outcomes/import-store';
import { CachingUserDirectory } from '../mapping/caching-user-directory';
import type { UserDirectory } from '../mapping/directory';
import { TableRunStore } from '../schedule/run-store';
import { StorageFetchJobQueue } from '../schedule/fetch-job-queue';
import { FetchScheduler } from '../schedule/fetch-scheduler';
import { AppSettingsSecretStore, KeyVaultSecretStore, type SecretStore } from '../platform/secrets/secret-store';
import { StorageClients } from '../platform/storage/storage-clients';
import { Containers, Queues, Tables } from '../platform/storage/storage-names';
import { BlobMappingFileStore } from '../mapping/mapping-file-store';
import { KeyVaultSecretWriter, LocalSettingsSecretWriter, type SecretWriter } from './secret-writer';
import { teleMessageCredentialCheck, type TeleMessageCredentialCheck } from './telemessage-check';

type Env = Readonly<Record<string, string | undefined>>;

/** The settings the administration commands use: the app's own, Graph optional. */
export interface AdminConfig {
  storage: StorageConfig;
  secrets: SecretsConfig;
  /** Absent when GRAPH_ENDPOINT is not set: mapping files are then checked without the directory. */
  graph?: AppConfig['graph'];
}

/**
 * Reads the app's settings with the app's own loader. The commands that manage connectors need
 * storage and secrets only, so an administrator's shell without Graph settings is accepted: the
 * loader then checks everything else, with Graph stood in by an unused loopback placeholder.
 */
export function loadAdminConfig(env: Env): AdminConfig {
  if (env[AppSettings.graphEndpoint]?.trim()) {
    const config = loadAppConfig(env);
    return { storage: config.storage, secrets: config.secrets, graph: config.graph };
  }
  const config = loadAppConfig({
    ...env,
    [AppSettings.graphEndpoint]: 'http://127.0.0.1/v1.0',
    [AppSettings.graphDevToken]: 'not-used',
  });
  return { storage: config.storage, secrets: config.secrets };
}

/** The three storage services, reached as the host's triggers reach them. */
export interface AdminStorage {
  readonly blobs: BlobServiceClient;
  table(name: string): TableClient;
  queue(name: string): QueueClient;
}

export interface AdminServices {
  readonly config: AdminConfig;
  readonly connectors: TableConnectorStore;
  readonly runs: TableRunStore;
  readonly imports: TableImportStore;
  readonly scheduler: FetchScheduler;
  readonly mappingFiles: BlobMappingFileStore;
  /** The `archive-items` container. */
  readonly items: ContainerClient;
  readonly secrets: SecretStore;
  readonly secretWriter: SecretWriter;
  readonly checkCredentials: TeleMessageCredentialCheck;
  /** The Graph directory, when Graph is configured; created on first use. */
  directory(): UserDirectory | undefined;
}

export interface AdminServicesOptions {
  /** The settings as read (environment over local.settings.json): the local secret store reads these. */
  env: Env;
  /** Where `--password-stdin` writes `SECRET_<NAME>` when secrets are app settings. */
  localSettingsFile: string;
  /**
   * The administrator's own Azure credential, for Key Vault writes and identity-based storage.
   * Default: DefaultAzureCredential (Azure CLI sign-in, environment, managed identity, …).
   */
  credential?: () => TokenCredential;
}

/**
 * Builds the stores and clients the commands use. Outside Azure the app's managed identity is not
 * there, so identity-based storage and Key Vault are reached with the administrator's credential.
 */
export function createAdminServices(config: AdminConfig, options: AdminServicesOptions): AdminServices {
  let credential: TokenCredential | undefined;
  const adminCredential = (): TokenCredential => (credential ??= options.credential?.() ?? new DefaultAzureCredential());
  const storage = createAdminStorage(config.storage, adminCredential);
  const connectors = new TableConnectorStore(storage.table(Tables.connectors));
  const runs = new TableRunStore(storage.table(Tables.runs));
  let directory: UserDirectory | undefined;
  return {
    config,
    connectors,
    runs,
    imports: new TableImportStore(storage.table(Tables.imports)),
    scheduler: new FetchScheduler({ connectors, runs, queue: new StorageFetchJobQueue(storage.queue(Queues.fetchJobs)) }),
    mappingFiles: new BlobMappingFileStore(storage.blobs.getContainerClient(Containers.mappingFiles)),
    items: storage.blobs.getContainerClient(Containers.items),
    secrets:
      config.secrets.kind === 'key-vault' ? new KeyVaultSecretStore(config.secrets.vaultUri, adminCredential()) : new AppSettingsSecretStore(options.env),
    secretWriter:
      config.secrets.kind === 'key-vault'
        ? new KeyVaultSecretWriter(config.secrets.vaultUri, adminCredential())
        : new LocalSettingsSecretWriter(options.localSettingsFile),
    checkCredentials: teleMessageCredentialCheck(),
    directory: () => {
      if (config.graph === undefined) return undefined;
      directory ??= new CachingUserDirectory(
        new GraphUserDirectory(createGraphClient({ endpoint: config.graph.endpoint, credential: createGraphCredential(config.graph) })),
      );
      return directory;
    },
  };
}

function createAdminStorage(config: StorageConfig, credential: () => TokenCredential): AdminStorage {
  if (config.kind === 'connection-string') return new StorageClients(config);
  const uri = (service: 'blob' | 'queue' | 'table'): string =>
    config.serviceUris?.[service] ?? `https://${config.accountName}.${service}.core.windows.net`;
  const queues = new QueueServiceClient(uri('queue'), credential());
  return {
    blobs: new BlobServiceClient(uri('blob'), credential()),
    table: (name) => new TableClient(uri('table'), name, credential()),
    queue: (name) => queues.getQueueClient(name),
  };
}
