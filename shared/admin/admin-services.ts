import type { TokenCredential } from '@azure/identity';
import type { ContainerClient } from '@azure/storage-blob';
import type { SettingsSections } from '../platform/settings/app-config';
import type { SecretStore } from '../platform/secrets/secret-store';
import type { TableConnectorStore } from '../connectors/connector-store';
import type { TableRunStore } from '../schedule/run-store';
import type { FetchScheduler } from '../schedule/fetch-scheduler';
import type { TableImportStore } from '../outcomes/import-store';
import type { BlobMappingFileStore } from '../mapping/mapping-file-store';
import type { UserDirectory } from '../mapping/directory';
import type { ImportReplayQueue } from '../import/import-replay-queue';
import type { ReconciliationService } from '../custody/reconciliation-service';
import type { ReconciliationStore } from '../custody/reconciliation-store';
import type { BlobManifestStore } from '../custody/manifest-store';
import type { GraphCopyReader } from '../graph/copy-reader';
import type { Telemetry } from '../platform/telemetry/telemetry';
import type { EmlDropZone } from '../eml-drop/drop-zone';
import type { SecretWriter } from './secret-writer';
import type { TeleMessageCredentialCheck } from './telemessage-check';
import type { AuditTrail } from '../audit/audit-trail';
import type { AddressPolicy } from '../telemessage/address-policy';

type Env = Readonly<Record<string, string | undefined>>;

/** The settings the administration commands use: storage and secrets; Graph when configured. */
export interface AdminSettings {
  storage: SettingsSections['storage'];
  secrets: SettingsSections['secrets'];
  /** The SFTP drop zone's account (DropZoneStorage); its storage is unset without a drop zone. */
  dropZone: SettingsSections['dropZone'];
  /** Absent when GRAPH_ENDPOINT is not set: mapping files are then checked without the directory. */
  graph?: SettingsSections['graph'];
}

/** What the admin operations work with; wired by the composition root (`shared/app/services.ts`). */
export interface AdminServices {
  readonly config: AdminSettings;
  readonly connectors: TableConnectorStore;
  readonly runs: TableRunStore;
  readonly imports: TableImportStore;
  readonly scheduler: FetchScheduler;
  /** The drop container of connectors on the EML transport. */
  readonly dropZone: EmlDropZone;
  readonly mappingFiles: BlobMappingFileStore;
  /** The `archive-items` container. */
  readonly items: ContainerClient;
  /** The `quarantine` container. */
  readonly quarantined: ContainerClient;
  /** Replay requests for the import stage. */
  readonly replays: ImportReplayQueue;
  readonly secrets: SecretStore;
  readonly secretWriter: SecretWriter;
  readonly checkCredentials: TeleMessageCredentialCheck;
  /** Every change an administrator makes (table `audit`, and Application Insights when given). */
  readonly audit: AuditTrail;
  /** Which hosts a TeleMessage base URL may name (loopback only with storage on the local emulator). */
  readonly addressPolicy: AddressPolicy;
  /** The Graph directory, when Graph is configured; created on first use. */
  directory(): UserDirectory | undefined;
  readonly reconciliations: ReconciliationStore;
  readonly manifests: BlobManifestStore;
  /** Daily reconciliation, run on an administrator's request (telemetry off unless given). */
  reconciler(options?: { telemetry?: Telemetry; graceHours?: number; clock?: () => Date }): ReconciliationService;
  /** Reads mailbox copies back, when Graph is configured. */
  copyReader(): GraphCopyReader | undefined;
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
  /** Where audit entries also go (Application Insights in the function app). Default: nowhere but the table. */
  telemetry?: Telemetry;
  /** Replaces where passwords are written (the function app also updates its own environment locally). */
  secretWriter?: SecretWriter;
}
