import { ConfigurationError, SettingProblem } from './configuration-error';
import { AppSettings, DEFAULT_CLAIM_LEASE_SECONDS, DEFAULT_RECONCILE_AFTER_HOURS, DEFAULT_SCHEDULE, DEFAULT_SETTLING_MINUTES } from './app-settings';

export type StorageConfig =
  | { kind: 'connection-string'; connectionString: string }
  | {
      kind: 'managed-identity';
      accountName: string;
      clientId?: string;
      /** Needed outside the public cloud, where the storage DNS suffix differs. */
      serviceUris?: { blob?: string; queue?: string; table?: string };
    };

/**
 * The SFTP drop zone's account (the `DropZoneStorage` connection). Unset, the drop container is
 * on the pipeline's own account (AzureWebJobsStorage), as in a deployment without a drop zone.
 */
export type DropZoneStorageConfig =
  | { kind: 'connection-string'; connectionString: string }
  | {
      kind: 'managed-identity';
      blobServiceUri: string;
      /** The blob trigger keeps its poison queue on the account of the blob it watches. */
      queueServiceUri: string;
      clientId?: string;
    };

export interface DropZoneConfig {
  storage?: DropZoneStorageConfig;
}

export type GraphAuthConfig =
  /** Azure: the managed identity proves itself to the app registration through a federated credential. */
  | { kind: 'managed-identity-federation'; managedIdentityClientId: string }
  | { kind: 'client-secret'; clientSecret: string }
  /** Development only, against the Graph simulator on loopback. */
  | { kind: 'development-token'; token: string };

export type SecretsConfig = { kind: 'key-vault'; vaultUri: string } | { kind: 'app-settings' };

export type BlobTriggerSource = 'EventGrid' | 'LogsAndContainerScan';

export interface AppConfig {
  storage: StorageConfig;
  schedule: string;
  /** Fetch windows end this many minutes before now. */
  settlingMinutes: number;
  /** How long a claim on a copy or a mailbox slot holds without renewal: a dead instance's work is taken over after it. */
  claimLeaseSeconds: number;
  blobTriggerSource: BlobTriggerSource;
  graph: {
    endpoint: string;
    authorityHost: string;
    tenantId: string;
    clientId: string;
    auth: GraphAuthConfig;
  };
  secrets: SecretsConfig;
  appInsightsConnectionString?: string;
  custody: CustodyConfig;
  dropZone: DropZoneConfig;
}

/** Daily reconciliation and manifests. */
export interface CustodyConfig {
  reconcileAfterHours: number;
  /** A Key Vault key id (https://…/keys/name[/version]) that signs each day's manifest. */
  manifestSigningKeyId?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export type GraphConfig = AppConfig['graph'];

/** How the pipeline runs: the schedule, the settling margin and the blob trigger's source. */
export interface PipelineConfig {
  schedule: string;
  settlingMinutes: number;
  claimLeaseSeconds: number;
  blobTriggerSource: BlobTriggerSource;
}

export interface TelemetryConfig {
  appInsightsConnectionString?: string;
}

/**
 * The settings in sections, so that a command needing only storage asks only for storage and is
 * not refused for a Graph setting it never uses.
 */
export interface SettingsSections {
  storage: StorageConfig;
  secrets: SecretsConfig;
  graph: GraphConfig;
  pipeline: PipelineConfig;
  telemetry: TelemetryConfig;
  custody: CustodyConfig;
  dropZone: DropZoneConfig;
}

export type SettingsSection = keyof SettingsSections;

/** Reads one section's settings, adding every problem it finds. */
type SectionReader<K extends SettingsSection> = (settings: SettingReader) => SettingsSections[K] | undefined;

class SettingReader {
  readonly problems: SettingProblem[] = [];
  constructor(private readonly env: Env) {}

  get(name: string): string | undefined {
    const v = this.env[name]?.trim();
    return v ? v : undefined;
  }

  required(name: string, hint: string): string {
    const v = this.get(name);
    if (!v) this.problems.push({ setting: name, message: `is required (${hint})` });
    return v ?? '';
  }

  problem(setting: string, message: string): void {
    this.problems.push({ setting, message });
  }
}

const SECTION_READERS: { [K in SettingsSection]: SectionReader<K> } = {
  storage: (s) => readStorage((name) => s.get(name), s.problems),
  secrets: readSecrets,
  graph: readGraph,
  pipeline: readPipeline,
  custody: readCustody,
  dropZone: readDropZone,
  telemetry: (s) => {
    const connectionString = s.get(AppSettings.appInsightsConnectionString);
    return connectionString ? { appInsightsConnectionString: connectionString } : {};
  },
};

/**
 * Reads and validates the named sections of the settings once. All problems are reported together
 * so that an administrator fixes a deployment in one pass.
 */
export function loadSettings<K extends SettingsSection>(sections: readonly K[], env: Env = process.env): Pick<SettingsSections, K> {
  const reader = new SettingReader(env);
  const result: Partial<SettingsSections> = {};
  for (const section of sections) {
    (result as Record<string, unknown>)[section] = (SECTION_READERS[section] as SectionReader<K>)(reader);
  }
  if (reader.problems.length > 0) throw new ConfigurationError(reader.problems);
  return result as Pick<SettingsSections, K>;
}

/**
 * The blob trigger source the functions register with, read without failing: registration must
 * not throw on a bad setting (the functions would vanish from the host's list). Anything but
 * `EventGrid` registers the polling source; a wrong value is reported by {@link loadAppConfig}, at
 * start-up and by every invocation.
 */
export function registeredBlobTriggerSource(env: Env = process.env): BlobTriggerSource {
  return env[AppSettings.blobTriggerSource]?.trim() === 'EventGrid' ? 'EventGrid' : 'LogsAndContainerScan';
}

/**
 * The `connection` the importEmlDrop trigger registers with, read as leniently as the blob
 * source: the drop zone's own (`DropZoneStorage`) when any of its settings is there, else the
 * pipeline's account; a bad value is named by the validation, not here.
 */
export function registeredDropZoneConnection(env: Env = process.env): string {
  const set = (name: string): boolean => (env[name]?.trim() ?? '') !== '';
  return set(AppSettings.dropZoneStorage) || set(AppSettings.dropZoneBlobServiceUri) ? AppSettings.dropZoneStorage : AppSettings.storage;
}

/** Every setting the function app reads, validated once at start-up. */
export function loadAppConfig(env: Env = process.env): AppConfig {
  const { storage, secrets, graph, pipeline, telemetry, custody, dropZone } = loadSettings(
    ['storage', 'pipeline', 'graph', 'secrets', 'telemetry', 'custody', 'dropZone'],
    env,
  );
  const storageIdentity = storage.kind === 'managed-identity' ? storage.clientId : undefined;
  const graphIdentity = graph.auth.kind === 'managed-identity-federation' ? graph.auth.managedIdentityClientId : undefined;
  if (storageIdentity !== undefined && graphIdentity !== undefined && storageIdentity !== graphIdentity) {
    // The app has one managed identity, created once and shared by every client.
    throw new ConfigurationError([{
      setting: AppSettings.storageClientId,
      message: `must name the app's one managed identity, the same as ${AppSettings.managedIdentityClientId} ("${graphIdentity}"), got "${storageIdentity}"`,
    }]);
  }
  return { storage, ...pipeline, graph, secrets, ...telemetry, custody, dropZone };
}

function readPipeline(s: SettingReader): PipelineConfig {
  const schedule = s.get(AppSettings.schedule) ?? DEFAULT_SCHEDULE;
  // The timer extension takes six NCRONTAB fields, or five (minute-level, at second 0).
  const fields = schedule.trim().split(/\s+/).length;
  if (fields !== 6 && fields !== 5) {
    s.problem(
      AppSettings.schedule,
      `must be an NCRONTAB expression of six fields "{second} {minute} {hour} {day} {month} {day-of-week}" or five (no seconds), got "${schedule}"`,
    );
  }

  const settlingText = s.get(AppSettings.settlingMinutes);
  const settlingMinutes = settlingText === undefined ? DEFAULT_SETTLING_MINUTES : Number(settlingText);
  if (!Number.isInteger(settlingMinutes) || settlingMinutes < 0 || settlingMinutes > 1440) {
    s.problem(AppSettings.settlingMinutes, `must be a whole number of minutes from 0 to 1440, got "${settlingText}"`);
  }

  const leaseText = s.get(AppSettings.claimLeaseSeconds);
  const claimLeaseSeconds = leaseText === undefined ? DEFAULT_CLAIM_LEASE_SECONDS : Number(leaseText);
  // Under 10 s a renewal every third of it could miss under load; over 10 minutes a dead instance's copies wait too long.
  if (!Number.isInteger(claimLeaseSeconds) || claimLeaseSeconds < 10 || claimLeaseSeconds > 600) {
    s.problem(AppSettings.claimLeaseSeconds, `must be a whole number of seconds from 10 to 600, got "${leaseText}"`);
  }

  const source = s.get(AppSettings.blobTriggerSource) ?? 'LogsAndContainerScan';
  if (source !== 'EventGrid' && source !== 'LogsAndContainerScan') {
    s.problem(AppSettings.blobTriggerSource, `must be "EventGrid" or "LogsAndContainerScan", got "${source}"`);
  }
  return { schedule, settlingMinutes, claimLeaseSeconds, blobTriggerSource: source as BlobTriggerSource };
}

function readGraph(s: SettingReader): GraphConfig {
  const endpoint = s.required(AppSettings.graphEndpoint, 'the Microsoft Graph base URL, e.g. https://graph.microsoft.com/v1.0');
  const endpointUrl = endpoint ? parseUrl(endpoint, AppSettings.graphEndpoint, s.problems) : undefined;
  const authorityHost = s.get(AppSettings.graphAuthorityHost) ?? 'https://login.microsoftonline.com';
  parseUrl(authorityHost, AppSettings.graphAuthorityHost, s.problems);

  const devToken = s.get(AppSettings.graphDevToken);
  const clientSecret = s.get(AppSettings.graphClientSecret);
  const miClientId = s.get(AppSettings.managedIdentityClientId);
  let auth: GraphAuthConfig | undefined;
  let tenantId = s.get(AppSettings.graphTenantId) ?? '';
  let clientId = s.get(AppSettings.graphClientId) ?? '';
  if (devToken) {
    if (endpointUrl && !isLoopback(endpointUrl)) {
      s.problem(
        AppSettings.graphDevToken,
        `is for the local Graph simulator only; ${AppSettings.graphEndpoint} points at ${endpointUrl.host}. Remove it and configure ${AppSettings.graphClientSecret} or ${AppSettings.managedIdentityClientId}`,
      );
    }
    auth = { kind: 'development-token', token: devToken };
  } else {
    tenantId = s.required(AppSettings.graphTenantId, 'the Entra tenant id of the archived mailboxes');
    clientId = s.required(AppSettings.graphClientId, 'the client id of the Graph app registration');
    if (clientSecret) auth = { kind: 'client-secret', clientSecret };
    else if (miClientId) auth = { kind: 'managed-identity-federation', managedIdentityClientId: miClientId };
    else {
      s.problem(
        AppSettings.managedIdentityClientId,
        `is required to sign in to Graph in Azure (or set ${AppSettings.graphClientSecret} for a client secret)`,
      );
    }
  }
  return { endpoint: endpoint.replace(/\/+$/, ''), authorityHost, tenantId, clientId, auth: auth! };
}

function readCustody(s: SettingReader): CustodyConfig {
  const hoursText = s.get(AppSettings.reconcileAfterHours);
  const reconcileAfterHours = hoursText === undefined ? DEFAULT_RECONCILE_AFTER_HOURS : Number(hoursText);
  if (!Number.isInteger(reconcileAfterHours) || reconcileAfterHours < 0 || reconcileAfterHours > 24 * 30) {
    s.problem(AppSettings.reconcileAfterHours, `must be a whole number of hours from 0 to 720, got "${hoursText}"`);
  }
  const keyId = s.get(AppSettings.manifestSigningKeyId);
  if (keyId !== undefined) {
    const url = parseUrl(keyId, AppSettings.manifestSigningKeyId, s.problems);
    if (url !== undefined && !/^\/keys\/[^/]+(\/[^/]+)?\/?$/.test(url.pathname)) {
      s.problem(AppSettings.manifestSigningKeyId, `must be a Key Vault key id such as https://<vault>.vault.azure.net/keys/<name>, got "${keyId}"`);
    }
  }
  return { reconcileAfterHours, ...(keyId === undefined ? {} : { manifestSigningKeyId: keyId }) };
}

function readDropZone(s: SettingReader): DropZoneConfig {
  const connectionString = s.get(AppSettings.dropZoneStorage);
  if (connectionString) return { storage: { kind: 'connection-string', connectionString } };
  const blobServiceUri = s.get(AppSettings.dropZoneBlobServiceUri);
  const queueServiceUri = s.get(AppSettings.dropZoneQueueServiceUri);
  const credential = s.get(AppSettings.dropZoneCredential);
  const clientId = s.get(AppSettings.dropZoneClientId);
  if (blobServiceUri === undefined) {
    for (const name of [AppSettings.dropZoneQueueServiceUri, AppSettings.dropZoneCredential, AppSettings.dropZoneClientId]) {
      if (s.get(name) !== undefined) s.problem(name, `needs ${AppSettings.dropZoneBlobServiceUri} (the drop zone account's blob endpoint) beside it`);
    }
    return {};
  }
  parseUrl(blobServiceUri, AppSettings.dropZoneBlobServiceUri, s.problems);
  if (queueServiceUri === undefined) {
    s.problem(AppSettings.dropZoneQueueServiceUri, `is required with ${AppSettings.dropZoneBlobServiceUri}: the blob trigger keeps its poison queue on the drop zone account`);
  } else {
    parseUrl(queueServiceUri, AppSettings.dropZoneQueueServiceUri, s.problems);
  }
  if (credential !== undefined && credential.toLowerCase() !== 'managedidentity') {
    s.problem(AppSettings.dropZoneCredential, `must be "managedidentity" (or unset), got "${credential}"`);
  }
  return { storage: { kind: 'managed-identity', blobServiceUri, queueServiceUri: queueServiceUri ?? '', ...(clientId ? { clientId } : {}) } };
}

function readSecrets(s: SettingReader): SecretsConfig {
  const vaultUri = s.get(AppSettings.keyVaultUri);
  if (vaultUri) parseUrl(vaultUri, AppSettings.keyVaultUri, s.problems);
  return vaultUri ? { kind: 'key-vault', vaultUri } : { kind: 'app-settings' };
}

function readStorage(get: (n: string) => string | undefined, problems: SettingProblem[]): StorageConfig | undefined {
  const connectionString = get(AppSettings.storage);
  if (connectionString) return { kind: 'connection-string', connectionString };
  const accountName = get(AppSettings.storageAccountName);
  if (accountName) {
    const clientId = get(AppSettings.storageClientId);
    const serviceUris = {
      ...(get(AppSettings.storageBlobServiceUri) ? { blob: get(AppSettings.storageBlobServiceUri)! } : {}),
      ...(get(AppSettings.storageQueueServiceUri) ? { queue: get(AppSettings.storageQueueServiceUri)! } : {}),
      ...(get(AppSettings.storageTableServiceUri) ? { table: get(AppSettings.storageTableServiceUri)! } : {}),
    };
    return {
      kind: 'managed-identity',
      accountName,
      ...(clientId ? { clientId } : {}),
      ...(Object.keys(serviceUris).length ? { serviceUris } : {}),
    };
  }
  problems.push({
    setting: AppSettings.storage,
    message: `is required: a connection string (locally "UseDevelopmentStorage=true"), or set ${AppSettings.storageAccountName} for a managed identity`,
  });
  return undefined;
}

function parseUrl(value: string, setting: string, problems: SettingProblem[]): URL | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
      problems.push({ setting, message: `must be an https URL (http is allowed on loopback only), got "${value}"` });
    }
    return url;
  } catch {
    problems.push({ setting, message: `must be an absolute URL, got "${value}"` });
    return undefined;
  }
}

export function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}
