import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ScenarioConnector } from '../scenario/connectors';
import { InvalidAdminInputError, MappingFileRejectedError, TeleMessageCheckError } from '../../shared/admin/admin-errors';
import { addConnector, enableConnector } from '../../shared/admin/connector-admin';
import { parseBaseUrl, parseFolderName, parseProduct, parseRegion, parseUsername } from '../../shared/admin/connector-settings';
import { applyMappingFile } from '../../shared/admin/mapping-admin';
import type { MappingFileStore } from '../../shared/mapping/mapping-file-store';
import { teleMessageCredentialCheck, type TeleMessageCredentialCheck } from '../../shared/admin/telemessage-check';
import { connectorTransport, type Connector } from '../../shared/connectors/connector';
import type { ConnectorStore } from '../../shared/connectors/connector-store';
import { AppSettingsSecretStore, secretSettingName } from '../../shared/platform/secrets/secret-store';

/** A connector of `connectors.json` that cannot be created or updated; names the connector and the field. */
export class ScenarioConnectorError extends Error {
  override readonly name = 'ScenarioConnectorError';

  constructor(
    readonly connectorId: string,
    readonly field: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`connectors.json, connector "${connectorId}", field "${field}": ${reason}`, options);
  }
}

export interface ApplyScenarioConnectorsOptions {
  /** The scenario folder; a `mappingCsv` is read relative to it. */
  scenarioDir: string;
  connectors: readonly ScenarioConnector[];
  /** The TeleMessage API root every connector uses (the simulator's URL). */
  baseUrl: string;
  connectorStore: ConnectorStore;
  mappingFiles: MappingFileStore;
  /**
   * Added to each `startFrom` of the file: the scenario's timestamps were moved by this much
   * (rebasing), so its back-fill start moves with them.
   */
  startFromOffsetMs?: number;
  /** A back-fill start for connectors created now, in place of their `startFrom`. */
  startFromOverride?: string;
  /** Default: a token request to TeleMessage, as `connectors add` makes. */
  checkCredentials?: TeleMessageCredentialCheck;
  clock?: () => Date;
  signal?: AbortSignal;
}

export type ConnectorSetupAction = 'created' | 'updated' | 'unchanged';

export interface AppliedScenarioConnector {
  id: string;
  product: string;
  action: ConnectorSetupAction;
  /** The connector's checkpoint: where a connector created now starts; for an existing one, everything archived before it is stored. */
  checkpoint: string;
  /** The mapping file version in force, when the connector has one. */
  mappingVersion?: string;
  /** Whether this call applied a new mapping file version (false when that file, or one an administrator applied after it, is in force). */
  mappingApplied: boolean;
}

export interface ScenarioConnectorSetup {
  connectors: AppliedScenarioConnector[];
  /**
   * `SECRET_<NAME>` app settings holding the TeleMessage passwords, for the host process's
   * environment only: no password is written to a table, a blob or a file.
   */
  secrets: Record<string, string>;
}

/** The secret a scenario connector's password is read from (`SECRET_TELEMESSAGE_<ID>_PASSWORD` locally). */
export function passwordSecretNameFor(connectorId: string): string {
  return `telemessage-${connectorId}-password`;
}

/**
 * Creates the connectors of `connectors.json` that do not exist yet, through the same operation as
 * `connectors add` (credentials checked against TeleMessage first), and brings existing ones up to
 * date with the file and the simulator's current URL. A `mappingCsv` is applied through the
 * mapping-file store when the connector never had a version with its bytes, so a file an
 * administrator applied since stays in force across runs. A connector with automatic
 * mapping off is created disabled and enabled once its mapping file is in force.
 */
export async function applyScenarioConnectors(options: ApplyScenarioConnectorsOptions): Promise<ScenarioConnectorSetup> {
  const checkCredentials = options.checkCredentials ?? teleMessageCredentialCheck({ addressPolicy: { allowLoopback: true } });
  const result: ScenarioConnectorSetup = { connectors: [], secrets: {} };
  for (const connector of options.connectors) {
    const secretName = passwordSecretNameFor(connector.id);
    result.secrets[secretSettingName(secretName)] = connector.password;
    const existing = await options.connectorStore.tryGet(connector.id);
    try {
      const applied =
        existing === undefined
          ? await createConnector(connector, secretName, options, checkCredentials)
          : await updateConnector(existing, connector, secretName, options, checkCredentials);
      await applyTransport(connector, options.connectorStore);
      result.connectors.push(applied);
    } catch (error) {
      throw inConnector(connector.id, error);
    }
  }
  return result;
}

async function createConnector(
  connector: ScenarioConnector,
  secretName: string,
  options: ApplyScenarioConnectorsOptions,
  checkCredentials: TeleMessageCredentialCheck,
): Promise<AppliedScenarioConnector> {
  const startFrom = options.startFromOverride ?? shiftedStartFrom(connector, options.startFromOffsetMs ?? 0);
  const added = await addConnector(
    {
      id: connector.id,
      product: connector.product,
      baseUrl: options.baseUrl,
      username: connector.username,
      passwordSecretName: secretName,
      folderName: connector.folderName,
      region: connector.defaultRegion,
      autoMapping: connector.autoMapping,
      ...(startFrom === undefined ? {} : { startFrom }),
      // Without automatic mapping nobody could be mapped until the mapping file is in force.
      enabled: connector.autoMapping,
      // Given at once: an EML connector beside an API one on the same account is not a second reader of it.
      ...(connector.transport === 'eml-drop' ? { transport: 'eml-drop' as const } : {}),
    },
    {
      connectors: options.connectorStore,
      // The password is only checked against TeleMessage here; the host reads it from its environment.
      secrets: new AppSettingsSecretStore({ [secretSettingName(secretName)]: connector.password }),
      checkCredentials,
      // The demo runs against the TeleMessage simulator on loopback, beside Azurite.
      addressPolicy: { allowLoopback: true },
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  const mapping = await applyMappingCsv(connector, options);
  if (!connector.autoMapping) {
    try {
      await enableConnector(connector.id, { connectors: options.connectorStore });
    } catch (error) {
      throw new ScenarioConnectorError(connector.id, 'mappingCsv', `automatic mapping is off, so the connector needs a mapping file: ${message(error)}`, { cause: error });
    }
  }
  return { id: connector.id, product: connector.product, action: 'created', checkpoint: added.connector.checkpoint, ...mapping };
}

async function updateConnector(
  existing: Connector,
  connector: ScenarioConnector,
  secretName: string,
  options: ApplyScenarioConnectorsOptions,
  checkCredentials: TeleMessageCredentialCheck,
): Promise<AppliedScenarioConnector> {
  const { product, module } = parseProduct(connector.product);
  if (existing.product !== product) {
    throw new ScenarioConnectorError(
      connector.id,
      'product',
      `the connector exists with product "${existing.product}" and cannot change to "${product}"; use another id or another work folder`,
    );
  }
  const desired = {
    baseUrl: parseBaseUrl(options.baseUrl, { allowLoopback: true }),
    username: parseUsername(connector.username),
    passwordSecretName: secretName,
    folderName: parseFolderName(connector.folderName ?? module.defaultFolderName),
    defaultRegion: parseRegion(connector.defaultRegion),
    autoMapping: connector.autoMapping,
  };
  await checkCredentials({ baseUrl: desired.baseUrl, username: desired.username, password: connector.password }, { signal: options.signal });
  const changed = (Object.keys(desired) as (keyof typeof desired)[]).some((key) => existing[key] !== desired[key]);
  if (changed) await options.connectorStore.update(connector.id, (current) => ({ ...current, ...desired }));
  const mapping = await applyMappingCsv(connector, options);
  return {
    id: connector.id,
    product,
    action: changed || mapping.mappingApplied ? 'updated' : 'unchanged',
    checkpoint: existing.checkpoint,
    ...mapping,
  };
}

/**
 * A scenario connector may name its transport: `"transport": "eml-drop"` makes it take
 * TeleMessage's EML export ZIPs (which the demo delivers) instead of fetching from the archive API.
 */
async function applyTransport(connector: ScenarioConnector, store: ConnectorStore): Promise<void> {
  const transport = connector.transport ?? 'archive-api';
  if (transport !== 'archive-api' && transport !== 'eml-drop') {
    throw new ScenarioConnectorError(connector.id, 'transport', `${JSON.stringify(transport)} is not a transport: "archive-api" (the default) or "eml-drop"`);
  }
  await store.update(connector.id, (current) => (connectorTransport(current) === transport ? undefined : { ...current, transport }));
}

async function applyMappingCsv(
  connector: ScenarioConnector,
  options: ApplyScenarioConnectorsOptions,
): Promise<{ mappingApplied: boolean; mappingVersion?: string }> {
  if (connector.mappingCsv === undefined) {
    const current = await options.mappingFiles.getCurrent(connector.id);
    return current === undefined ? { mappingApplied: false } : { mappingApplied: false, mappingVersion: current.version };
  }
  const file = path.resolve(options.scenarioDir, connector.mappingCsv);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new ScenarioConnectorError(connector.id, 'mappingCsv', `cannot read ${file}: ${message(error)}`, { cause: error });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const current = await options.mappingFiles.getCurrent(connector.id);
  if (current?.sha256 === sha256) return { mappingApplied: false, mappingVersion: current.version };
  // The scenario's file was in force before and an administrator has since applied another
  // (`npm run mapping -- apply`): that one stays in force until the scenario's file itself changes.
  if (current !== undefined && (await options.mappingFiles.listVersions(connector.id)).some((v) => v.sha256 === sha256)) {
    return { mappingApplied: false, mappingVersion: current.version };
  }
  try {
    const applied = await applyMappingFile(
      { connectorId: connector.id, bytes, fileName: path.basename(file) },
      { connectors: options.connectorStore, mappingFiles: options.mappingFiles, ...(options.signal ? { signal: options.signal } : {}) },
    );
    return { mappingApplied: true, mappingVersion: applied.current.version };
  } catch (error) {
    if (error instanceof MappingFileRejectedError) {
      const problems = error.report.problems
        .filter((p) => p.severity === 'error')
        .slice(0, 10)
        .map((p) => `${p.line === null ? file : `${file}:${p.line}`}: ${p.message}`);
      throw new ScenarioConnectorError(connector.id, 'mappingCsv', `${error.message}\n${problems.join('\n')}`, { cause: error });
    }
    throw error;
  }
}

/** The `connectors.json` field an administration error's field stands for. */
const FILE_FIELDS: Readonly<Record<string, string>> = {
  id: 'id',
  product: 'product',
  username: 'username',
  'folder-name': 'folderName',
  region: 'defaultRegion',
  'start-from': 'startFrom',
  'base-url': 'baseUrl (the TeleMessage simulator)',
};

/** Names the connector (and the field, when known) in an error from the administration operations. */
function inConnector(connectorId: string, error: unknown): unknown {
  if (error instanceof ScenarioConnectorError) return error;
  if (error instanceof InvalidAdminInputError) {
    return new ScenarioConnectorError(connectorId, FILE_FIELDS[error.field] ?? error.field, error.message, { cause: error });
  }
  if (error instanceof TeleMessageCheckError) {
    return new ScenarioConnectorError(connectorId, error.reason === 'rejected' ? 'username/password' : 'username', error.message, { cause: error });
  }
  return error;
}

function shiftedStartFrom(connector: ScenarioConnector, offsetMs: number): string | undefined {
  if (connector.startFrom === undefined) return undefined;
  return new Date(Date.parse(connector.startFrom) + offsetMs).toISOString();
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
