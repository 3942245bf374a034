import { connectorTransport, type Connector, type ConnectorTransport } from '../connectors/connector';
import type { EmlDropZone } from '../eml-drop/drop-zone';
import { ConnectorExistsError, type ConnectorStore } from '../connectors/connector-store';
import { canEnableConnector } from '../mapping/participant-mapper';
import type { FetchRun } from '../schedule/fetch-run';
import type { RunStore } from '../schedule/run-store';
import type { FetchScheduler, ScheduledConnector } from '../schedule/fetch-scheduler';
import type { SecretStore } from '../platform/secrets/secret-store';
import { ConnectorStateError, InvalidAdminInputError } from './admin-errors';
import {
  connectorIdArgument,
  parseBaseUrl,
  parseConnectorId,
  parseFolderName,
  parseInstant,
  parseProduct,
  parseRegion,
  parseSecretName,
  parseUsername,
} from './connector-settings';
import type { SecretWriter } from './secret-writer';
import type { TeleMessageCredentialCheck } from './telemessage-check';

/** How far back a new connector starts when no start is named. */
export const DEFAULT_START_OFFSET_MS = 24 * 60 * 60 * 1000;

export interface AddConnectorRequest {
  id: string;
  product: string;
  /**
   * `archive-api` (default): fetched from TeleMessage's archive API on schedule, which needs the
   * URL, user and password below. `eml-drop`: fed by TeleMessage's EML export ZIPs over SFTP into
   * its folder of the drop container; none of the three is given, and nothing is scheduled.
   */
  transport?: ConnectorTransport;
  /** The TeleMessage API root, e.g. https://archive.example.com (http on loopback only). Archive API only. */
  baseUrl?: string;
  /** Archive API only. */
  username?: string;
  /** Name of the secret holding the password (Key Vault in Azure, `SECRET_<NAME>` locally). Archive API only. */
  passwordSecretName?: string;
  /**
   * A password to store under `passwordSecretName` once TeleMessage has accepted it. Without it the
   * secret must already exist.
   */
  password?: string;
  /** Default: the product's folder name, e.g. "AT&T SMS/MMS Network Archiver". */
  folderName?: string;
  /** Region of numbers without a country code. Default "US". */
  region?: string;
  /** Whether a participant's own email address may name the mailbox. Default true. */
  autoMapping?: boolean;
  /** The first instant fetched, an ISO 8601 instant. Default 24 hours before now. */
  startFrom?: string;
  /** Default true. */
  enabled?: boolean;
}

export interface AddConnectorDependencies {
  connectors: ConnectorStore;
  secrets: SecretStore;
  /** Needed only when the request carries a password. */
  secretWriter?: SecretWriter;
  checkCredentials: TeleMessageCredentialCheck;
  /** Needed only for a connector on the EML transport: its folder is made there. */
  dropZone?: EmlDropZone;
  clock?: () => Date;
  signal?: AbortSignal;
}

export interface AddConnectorResult {
  connector: Connector;
  /** Where the password was stored, when the request carried one. */
  secretStoredIn?: string;
  /** On the EML transport: the folder TeleMessage delivers into, `eml-drop/{connectorId}`. */
  dropFolder?: string;
}

/** The options that belong to the archive API transport, as the command line names them. */
const ARCHIVE_API_FIELDS = [
  ['baseUrl', 'base-url'],
  ['username', 'username'],
  ['passwordSecretName', 'password-secret'],
  ['password', 'password-stdin'],
  ['startFrom', 'start-from'],
] as const;

/**
 * Adds a connector after checking everything about it: the settings, that the id is free, and
 * that TeleMessage accepts the credentials. A password given with the request is checked before
 * it is stored, so a wrong one never replaces a working secret.
 */
export async function addConnector(request: AddConnectorRequest, deps: AddConnectorDependencies): Promise<AddConnectorResult> {
  if (connectorTransport(request) === 'eml-drop') return addEmlDropConnector(request, deps);
  const now = (deps.clock ?? (() => new Date()))();
  const id = parseConnectorId(request.id);
  const { product, module } = parseProduct(request.product);
  for (const [key, field] of ARCHIVE_API_FIELDS.slice(0, 3)) {
    if (request[key] === undefined || request[key].trim() === '') throw new InvalidAdminInputError(field, 'is required for a connector on the archive API');
  }
  const baseUrl = parseBaseUrl(request.baseUrl ?? '');
  const username = parseUsername(request.username ?? '');
  const passwordSecretName = parseSecretName(request.passwordSecretName ?? '');
  const folderName = parseFolderName(request.folderName ?? module.defaultFolderName);
  const defaultRegion = parseRegion(request.region ?? 'US');
  const autoMapping = request.autoMapping ?? true;
  const enabled = request.enabled ?? true;
  let checkpoint = new Date(now.getTime() - DEFAULT_START_OFFSET_MS);
  if (request.startFrom !== undefined) {
    checkpoint = parseInstant(request.startFrom, 'start-from');
    if (checkpoint > now) throw new InvalidAdminInputError('start-from', `${checkpoint.toISOString()} is in the future`);
  }
  if (enabled) {
    const enablement = canEnableConnector({ autoMapping, hasMappingFile: false });
    if (!enablement.allowed) {
      throw new ConnectorStateError(
        id,
        `Connector "${id}" would start with automatic mapping off and no mapping file, so it cannot be enabled yet: ` +
          'add it disabled, apply a mapping file, then enable it.',
      );
    }
  }
  if (request.password !== undefined && request.password === '') throw new InvalidAdminInputError('password', 'must not be empty');
  if (request.password !== undefined && deps.secretWriter === undefined) {
    throw new TypeError('addConnector: a password was given but no secret writer');
  }
  if ((await deps.connectors.tryGet(id)) !== undefined) throw new ConnectorExistsError(id);

  const password = request.password ?? (await deps.secrets.get(passwordSecretName));
  await deps.checkCredentials({ baseUrl, username, password }, { signal: deps.signal });
  let secretStoredIn: string | undefined;
  if (request.password !== undefined && deps.secretWriter !== undefined) {
    await deps.secretWriter.set(passwordSecretName, request.password);
    secretStoredIn = deps.secretWriter.description;
  }

  const start = checkpoint.toISOString();
  const connector: Connector = {
    id,
    product,
    folderName,
    baseUrl,
    username,
    passwordSecretName,
    enabled,
    autoMapping,
    defaultRegion,
    checkpoint: start,
    scheduledThrough: start,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.connectors.create(connector);
  return secretStoredIn === undefined ? { connector } : { connector, secretStoredIn };
}

/**
 * A connector on the EML transport: no TeleMessage URL, user or password (TeleMessage signs in to
 * the SFTP drop zone with its SSH key, set up in infra/), its folder `eml-drop/{connectorId}` made
 * in the drop container, and no checkpoint to fetch from: the scheduler never queues it.
 */
async function addEmlDropConnector(request: AddConnectorRequest, deps: AddConnectorDependencies): Promise<AddConnectorResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const id = parseConnectorId(request.id);
  const { product, module } = parseProduct(request.product);
  for (const [key, field] of ARCHIVE_API_FIELDS) {
    if (request[key] !== undefined) {
      throw new InvalidAdminInputError(field, 'is for a connector on the archive API; a connector on the eml-drop transport receives ZIPs over SFTP and has no TeleMessage credentials');
    }
  }
  const folderName = parseFolderName(request.folderName ?? module.defaultFolderName);
  const defaultRegion = parseRegion(request.region ?? 'US');
  const autoMapping = request.autoMapping ?? true;
  const enabled = request.enabled ?? true;
  if (enabled && !canEnableConnector({ autoMapping, hasMappingFile: false }).allowed) {
    throw new ConnectorStateError(
      id,
      `Connector "${id}" would start with automatic mapping off and no mapping file, so it cannot be enabled yet: ` +
        'add it disabled, apply a mapping file, then enable it.',
    );
  }
  if (deps.dropZone === undefined) throw new TypeError('addConnector: a connector on the eml-drop transport needs the drop zone');
  if ((await deps.connectors.tryGet(id)) !== undefined) throw new ConnectorExistsError(id);
  const dropFolder = await deps.dropZone.prepareFolder(id);
  const at = now.toISOString();
  const connector: Connector = {
    id,
    product,
    folderName,
    transport: 'eml-drop',
    baseUrl: '',
    username: '',
    passwordSecretName: '',
    enabled,
    autoMapping,
    defaultRegion,
    checkpoint: at,
    scheduledThrough: at,
    createdAt: at,
    updatedAt: at,
  };
  await deps.connectors.create(connector);
  return { connector, dropFolder };
}

export function listConnectors(deps: { connectors: ConnectorStore }): Promise<Connector[]> {
  return deps.connectors.list();
}

export function getConnector(id: string, deps: { connectors: ConnectorStore }): Promise<Connector> {
  return deps.connectors.get(connectorIdArgument(id));
}

/** Enables a connector; refused while no participant could be mapped (automatic mapping off, no mapping file). */
export async function enableConnector(id: string, deps: { connectors: ConnectorStore }): Promise<Connector> {
  const connectorId = connectorIdArgument(id);
  let refusal: string | undefined;
  const connector = await deps.connectors.update(connectorId, (current) => {
    if (current.enabled) return undefined;
    const enablement = canEnableConnector({ autoMapping: current.autoMapping, hasMappingFile: current.mappingFile !== undefined });
    if (!enablement.allowed) {
      refusal = enablement.message;
      return undefined;
    }
    return { ...current, enabled: true };
  });
  if (refusal !== undefined) throw new ConnectorStateError(connectorId, `Connector "${connectorId}": ${refusal}`);
  return connector;
}

/** Disables a connector: the timer stops queueing its windows; jobs already queued still run. */
export function disableConnector(id: string, deps: { connectors: ConnectorStore }): Promise<Connector> {
  return deps.connectors.update(connectorIdArgument(id), (current) => (current.enabled ? { ...current, enabled: false } : undefined));
}

export interface RunConnectorRequest {
  id: string;
  /** A back-fill window: both instants ISO 8601. Without `from`, the connector is scheduled as the timer would. */
  from?: string;
  /** End of the back-fill window; default now. */
  to?: string;
}

export interface RunConnectorDependencies {
  connectors: ConnectorStore;
  scheduler: Pick<FetchScheduler, 'scheduleConnector' | 'scheduleWindow'>;
  clock?: () => Date;
}

/**
 * Queues a connector's fetch jobs now, instead of waiting for the timer: the windows from its
 * checkpoint to now, or an explicit back-fill window. Either way windows are split per day and a
 * window already queued or running is not queued twice.
 */
export async function runConnector(request: RunConnectorRequest, deps: RunConnectorDependencies): Promise<ScheduledConnector> {
  const id = connectorIdArgument(request.id);
  const now = (deps.clock ?? (() => new Date()))();
  if (request.from === undefined && request.to !== undefined) throw new InvalidAdminInputError('from', 'is required with --to');
  const window =
    request.from === undefined
      ? undefined
      : { from: parseInstant(request.from, 'from'), to: request.to === undefined ? now : parseInstant(request.to, 'to') };
  if (window !== undefined) {
    if (window.from >= window.to) {
      throw new InvalidAdminInputError('to', `${window.to.toISOString()} must be after from (${window.from.toISOString()})`);
    }
    if (window.to > now) throw new InvalidAdminInputError('to', `${window.to.toISOString()} is in the future`);
  }
  const connector = await deps.connectors.get(id);
  if (connectorTransport(connector) === 'eml-drop') {
    throw new ConnectorStateError(
      id,
      `Connector "${id}" takes TeleMessage's EML exports over SFTP (transport eml-drop): it has nothing to fetch; its ZIPs are imported as they arrive`,
    );
  }
  if (!connector.enabled) {
    throw new ConnectorStateError(id, `Connector "${id}" is disabled; enable it first ("connectors enable --id ${id}")`);
  }
  return window === undefined ? deps.scheduler.scheduleConnector(connector) : deps.scheduler.scheduleWindow(id, window.from, window.to);
}

/** A connector's run records, newest window first, at most `limit` of them. */
export async function listRuns(id: string, deps: { connectors: ConnectorStore; runs: RunStore }, options: { limit?: number } = {}): Promise<FetchRun[]> {
  const connectorId = connectorIdArgument(id);
  await deps.connectors.get(connectorId);
  const runs = (await deps.runs.list(connectorId)).reverse();
  return options.limit === undefined ? runs : runs.slice(0, options.limit);
}
