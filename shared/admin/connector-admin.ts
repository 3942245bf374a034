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
import { checkBaseUrlHost, RefusedAddressError, type AddressPolicy, type Resolver } from '../telemessage/address-policy';
import type { TeleMessageCredentialCheck } from './telemessage-check';

/** How far back a new connector starts when no start is named. */
export const DEFAULT_START_OFFSET_MS = 24 * 60 * 60 * 1000;

export interface AddConnectorRequest {
  id: string;
  product: string;
  /** The TeleMessage API root, e.g. https://archive.example.com (http on loopback only). Required on the archive API. */
  baseUrl?: string;
  /** Required on the archive API. */
  username?: string;
  /** Name of the secret holding the password (Key Vault in Azure, `SECRET_<NAME>` locally). Required on the archive API. */
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
  /**
   * How items arrive; default the archive API (see {@link Connector.transport}). A connector on
   * `eml-drop` needs no URL, user or password (TeleMessage delivers over SFTP); given, they are
   * checked and kept as for the archive API (a scenario's connector on an account it also reads).
   */
  transport?: ConnectorTransport;
}

export interface AddConnectorDependencies {
  connectors: ConnectorStore;
  secrets: SecretStore;
  /** Needed only when the request carries a password. */
  secretWriter?: SecretWriter;
  checkCredentials: TeleMessageCredentialCheck;
  /** Which hosts a base URL may name: loopback in local development only (`isLocalDevelopmentStorage`). */
  addressPolicy: AddressPolicy;
  /** How host names are resolved for the address check; the system's resolver by default. */
  resolve?: Resolver;
  /** For a connector on the EML transport: its folder is made there. */
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
  const credentialsGiven = ARCHIVE_API_FIELDS.slice(0, 3).some(([key]) => request[key] !== undefined);
  if (connectorTransport(request) === 'eml-drop' && !credentialsGiven) return addEmlDropConnector(request, deps);
  const now = (deps.clock ?? (() => new Date()))();
  const id = parseConnectorId(request.id);
  const { product, module } = parseProduct(request.product);
  for (const [key, field] of ARCHIVE_API_FIELDS.slice(0, 3)) {
    if (request[key] === undefined || request[key].trim() === '') {
      throw new InvalidAdminInputError(field, "is required for a connector that reads TeleMessage's archive API");
    }
  }
  const baseUrl = parseBaseUrl(request.baseUrl ?? '', deps.addressPolicy);
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
  const transport = request.transport ?? 'archive-api';
  await refuseSameAccount(deps.connectors, { id, product, baseUrl, username, transport });
  await checkResolvedHost(baseUrl, deps);

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
    ...(request.transport === undefined ? {} : { transport: request.transport }),
  };
  await deps.connectors.create(connector);
  const dropFolder = transport === 'eml-drop' && deps.dropZone !== undefined ? await deps.dropZone.prepareFolder(id) : undefined;
  return { connector, ...(secretStoredIn === undefined ? {} : { secretStoredIn }), ...(dropFolder === undefined ? {} : { dropFolder }) };
}

/**
 * A connector on the EML transport given no TeleMessage URL, user or password (TeleMessage signs
 * in to the SFTP drop zone with its SSH key, set up in infra/): its folder `eml-drop/{connectorId}`
 * made in the drop container, and no checkpoint to fetch from: the scheduler never queues it.
 */
async function addEmlDropConnector(request: AddConnectorRequest, deps: AddConnectorDependencies): Promise<AddConnectorResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const id = parseConnectorId(request.id);
  const { product, module } = parseProduct(request.product);
  for (const [key, field] of ARCHIVE_API_FIELDS) {
    if (request[key] !== undefined) {
      throw new InvalidAdminInputError(field, 'is for a connector that reads the archive API; a connector on the eml-drop transport receives ZIPs over SFTP and needs no TeleMessage credentials');
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
    id, product, folderName, transport: 'eml-drop', baseUrl: '', username: '', passwordSecretName: '',
    enabled, autoMapping, defaultRegion, checkpoint: at, scheduledThrough: at, createdAt: at, updatedAt: at,
  };
  await deps.connectors.create(connector);
  return { connector, dropFolder };
}

/**
 * Two connectors on one TeleMessage account and product would fetch every item twice and import
 * each into the same folders twice (the writer finds a copy by source id within one connector's
 * deliveries only). The account is the base URL (as parsed: scheme, host, port and path) and the
 * user name, compared ignoring case. Connectors on the EML transport read no account (their items
 * arrive as export ZIPs, with ids of their own) and are not compared.
 */
async function refuseSameAccount(
  connectors: ConnectorStore,
  wanted: { id: string; product: string; baseUrl: string; username: string; transport: ConnectorTransport },
): Promise<void> {
  if (wanted.transport !== 'archive-api') return;
  const key = accountKey(wanted);
  const existing = (await connectors.list()).find(
    (c) => c.id !== wanted.id && c.product === wanted.product && connectorTransport(c) === 'archive-api' && accountKey(c) === key,
  );
  if (existing !== undefined) {
    throw new ConnectorStateError(
      wanted.id,
      `Connector "${existing.id}" already archives ${wanted.product} of TeleMessage user "${existing.username}" at ${existing.baseUrl}; ` +
        `a second connector on the same account and product would import every item twice. Change "${existing.id}" instead ("connectors update --id ${existing.id}").`,
    );
  }
}

function accountKey(c: { baseUrl: string; username: string }): string {
  return `${c.baseUrl.toLowerCase()}\n${c.username.trim().toLowerCase()}`;
}

/** The host's addresses, as resolved now from here: a name pointing at an internal address is refused like the address. */
export async function checkResolvedHost(baseUrl: string, deps: { addressPolicy: AddressPolicy; resolve?: Resolver }): Promise<void> {
  try {
    await checkBaseUrlHost(baseUrl, deps.addressPolicy, deps.resolve);
  } catch (error) {
    if (error instanceof RefusedAddressError) throw new InvalidAdminInputError('base-url', error.message);
    throw error;
  }
}

/**
 * The fields of {@link AddConnectorRequest} a connector may change in place: each given replaces
 * the connector's and is validated as `add` validates it; a new password is stored under the (new)
 * secret name once TeleMessage has accepted it.
 */
export type UpdateConnectorRequest = Pick<
  AddConnectorRequest,
  'id' | 'baseUrl' | 'username' | 'passwordSecretName' | 'password' | 'folderName' | 'region' | 'autoMapping'
>;

export interface UpdateConnectorResult {
  connector: Connector;
  /** The fields that changed, by the command line's option names. */
  changed: string[];
  secretStoredIn?: string;
}

/**
 * Changes a connector in place: its TeleMessage account (base URL, user, password secret or
 * password), folder, region or automatic mapping. The checkpoint, runs and outcomes stay, so
 * nothing is fetched again. A change of account is checked with TeleMessage before it is saved, as
 * `add` checks it, and refused if another connector already archives that account and product.
 * A new folder takes effect for items imported from then on; copies already made stay where they
 * are and are not made again (docs/administration.md).
 */
export async function updateConnector(request: UpdateConnectorRequest, deps: AddConnectorDependencies): Promise<UpdateConnectorResult> {
  const id = connectorIdArgument(request.id);
  const current = await deps.connectors.get(id);
  const wanted = {
    baseUrl: request.baseUrl === undefined ? current.baseUrl : parseBaseUrl(request.baseUrl, deps.addressPolicy),
    username: request.username === undefined ? current.username : parseUsername(request.username),
    passwordSecretName: request.passwordSecretName === undefined ? current.passwordSecretName : parseSecretName(request.passwordSecretName),
    folderName: request.folderName === undefined ? current.folderName : parseFolderName(request.folderName),
    defaultRegion: request.region === undefined ? current.defaultRegion : parseRegion(request.region),
    autoMapping: request.autoMapping ?? current.autoMapping,
  };
  if (request.password !== undefined && request.password === '') throw new InvalidAdminInputError('password', 'must not be empty');
  if (request.password !== undefined && deps.secretWriter === undefined) {
    throw new TypeError('updateConnector: a password was given but no secret writer');
  }
  const names: Record<keyof typeof wanted, string> = {
    baseUrl: 'base-url', username: 'username', passwordSecretName: 'password-secret', folderName: 'folder-name', defaultRegion: 'region', autoMapping: 'auto-mapping',
  };
  const changed = (Object.keys(wanted) as (keyof typeof wanted)[]).filter((k) => wanted[k] !== current[k]).map((k) => names[k]);
  if (request.password !== undefined) changed.push('password');
  if (changed.length === 0) return { connector: current, changed };
  if (current.enabled && !wanted.autoMapping) {
    const enablement = canEnableConnector({ autoMapping: false, hasMappingFile: current.mappingFile !== undefined });
    if (!enablement.allowed) throw new ConnectorStateError(id, `Connector "${id}": ${enablement.message}`);
  }

  const accountChanged = ['base-url', 'username', 'password-secret', 'password'].some((field) => changed.includes(field));
  let secretStoredIn: string | undefined;
  if (accountChanged) {
    await refuseSameAccount(deps.connectors, { id, product: current.product, baseUrl: wanted.baseUrl, username: wanted.username, transport: connectorTransport(current) });
    await checkResolvedHost(wanted.baseUrl, deps);
    const password = request.password ?? (await deps.secrets.get(wanted.passwordSecretName));
    await deps.checkCredentials({ baseUrl: wanted.baseUrl, username: wanted.username, password }, { signal: deps.signal });
    if (request.password !== undefined && deps.secretWriter !== undefined) {
      await deps.secretWriter.set(wanted.passwordSecretName, request.password);
      secretStoredIn = deps.secretWriter.description;
    }
  }
  const connector = await deps.connectors.update(id, (row) => ({ ...row, ...wanted }));
  return secretStoredIn === undefined ? { connector, changed } : { connector, changed, secretStoredIn };
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
