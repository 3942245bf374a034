import { ConfigurationError, SettingProblem } from './configuration-error';
import { AppSettings, DEFAULT_SCHEDULE, DEFAULT_SETTLING_MINUTES } from './app-settings';

export type StorageConfig =
  | { kind: 'connection-string'; connectionString: string }
  | {
      kind: 'managed-identity';
      accountName: string;
      clientId?: string;
      /** Needed outside the public cloud, where the storage DNS suffix differs. */
      serviceUris?: { blob?: string; queue?: string; table?: string };
    };

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
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates every setting once. All problems are reported together so that an
 * administrator fixes a deployment in one pass.
 */
export function loadAppConfig(env: Env = process.env): AppConfig {
  const problems: SettingProblem[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const required = (name: string, hint: string): string => {
    const v = get(name);
    if (!v) problems.push({ setting: name, message: `is required (${hint})` });
    return v ?? '';
  };

  const storage = readStorage(get, problems);

  const schedule = get(AppSettings.schedule) ?? DEFAULT_SCHEDULE;
  if (schedule.split(/\s+/).length !== 6) {
    problems.push({
      setting: AppSettings.schedule,
      message: `must be a six-field NCRONTAB expression "{second} {minute} {hour} {day} {month} {day-of-week}", got "${schedule}"`,
    });
  }

  const settlingText = get(AppSettings.settlingMinutes);
  const settlingMinutes = settlingText === undefined ? DEFAULT_SETTLING_MINUTES : Number(settlingText);
  if (!Number.isInteger(settlingMinutes) || settlingMinutes < 0 || settlingMinutes > 1440) {
    problems.push({ setting: AppSettings.settlingMinutes, message: `must be a whole number of minutes from 0 to 1440, got "${settlingText}"` });
  }

  const source = get(AppSettings.blobTriggerSource) ?? 'LogsAndContainerScan';
  if (source !== 'EventGrid' && source !== 'LogsAndContainerScan') {
    problems.push({ setting: AppSettings.blobTriggerSource, message: `must be "EventGrid" or "LogsAndContainerScan", got "${source}"` });
  }

  const endpoint = required(AppSettings.graphEndpoint, 'the Microsoft Graph base URL, e.g. https://graph.microsoft.com/v1.0');
  const endpointUrl = endpoint ? parseUrl(endpoint, AppSettings.graphEndpoint, problems) : undefined;
  const authorityHost = get(AppSettings.graphAuthorityHost) ?? 'https://login.microsoftonline.com';
  parseUrl(authorityHost, AppSettings.graphAuthorityHost, problems);

  const devToken = get(AppSettings.graphDevToken);
  const clientSecret = get(AppSettings.graphClientSecret);
  const miClientId = get(AppSettings.managedIdentityClientId);
  let auth: GraphAuthConfig | undefined;
  let tenantId = get(AppSettings.graphTenantId) ?? '';
  let clientId = get(AppSettings.graphClientId) ?? '';
  if (devToken) {
    if (endpointUrl && !isLoopback(endpointUrl)) {
      problems.push({
        setting: AppSettings.graphDevToken,
        message: `is for the local Graph simulator only; ${AppSettings.graphEndpoint} points at ${endpointUrl.host}. Remove it and configure ${AppSettings.graphClientSecret} or ${AppSettings.managedIdentityClientId}`,
      });
    }
    auth = { kind: 'development-token', token: devToken };
  } else {
    tenantId = required(AppSettings.graphTenantId, 'the Entra tenant id of the archived mailboxes');
    clientId = required(AppSettings.graphClientId, 'the client id of the Graph app registration');
    if (clientSecret) auth = { kind: 'client-secret', clientSecret };
    else if (miClientId) auth = { kind: 'managed-identity-federation', managedIdentityClientId: miClientId };
    else {
      problems.push({
        setting: AppSettings.managedIdentityClientId,
        message: `is required to sign in to Graph in Azure (or set ${AppSettings.graphClientSecret} for a client secret)`,
      });
    }
  }

  const vaultUri = get(AppSettings.keyVaultUri);
  if (vaultUri) parseUrl(vaultUri, AppSettings.keyVaultUri, problems);

  if (problems.length > 0) throw new ConfigurationError(problems);
  return {
    storage: storage!,
    schedule,
    settlingMinutes,
    blobTriggerSource: source as BlobTriggerSource,
    graph: { endpoint: endpoint.replace(/\/+$/, ''), authorityHost, tenantId, clientId, auth: auth! },
    secrets: vaultUri ? { kind: 'key-vault', vaultUri } : { kind: 'app-settings' },
    ...(get(AppSettings.appInsightsConnectionString)
      ? { appInsightsConnectionString: get(AppSettings.appInsightsConnectionString)! }
      : {}),
  };
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
