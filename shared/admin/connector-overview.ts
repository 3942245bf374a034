import { connectorTransport, type Connector } from '../connectors/connector';
import type { ConnectorStore } from '../connectors/connector-store';
import type { ImportStore } from '../outcomes/import-store';
import type { ItemOutcome } from '../outcomes/item-outcome';
import { PRODUCT_MODULES } from '../products';
import { connectorIdArgument, knownProducts } from './connector-settings';
import { countOutstanding, outstandingOf } from './outstanding-items';
import type { ConnectorHealth, ConnectorOverview, ProductChoice } from '../wire/admin-api-types';
// The admin API sends these as they are: defined once, with the admin page's other wire types.
export type { ConnectorHealth, ConnectorOverview, ProductChoice } from '../wire/admin-api-types';

/** A connector more than this far behind TeleMessage is `behind` (the StalledConnector alert's default). */
export const BEHIND_AFTER_MS = 26 * 3_600_000;

/** The products a connector can be added for, as the registry of product modules holds them. */
export function listProducts(): ProductChoice[] {
  return knownProducts().map((id) => {
    const module = PRODUCT_MODULES.find((m) => m.product === id);
    return { id, name: module?.displayName ?? id, defaultFolderName: module?.defaultFolderName ?? id };
  });
}

/** The status of one connector from its record and its outcomes, at `now`. */
export function connectorOverview(connector: Connector, outcomes: readonly ItemOutcome[], now: Date): ConnectorOverview {
  const transport = connectorTransport(connector);
  const lagMs = now.getTime() - Date.parse(connector.checkpoint);
  const outstanding = countOutstanding(outstandingOf(outcomes));
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const importedToday = outcomes.filter(
    (o) => o.status === 'imported' && Date.parse(o.updatedAt) >= dayStart && o.mailboxes.some((m) => m.status === 'imported'),
  ).length;
  let status: ConnectorHealth = 'healthy';
  let statusReason = 'up to date';
  if (!connector.enabled) {
    status = 'disabled';
    statusReason = 'disabled by an administrator: no new windows are fetched';
  } else if (connector.lastRun?.status === 'failed') {
    status = 'failing';
    statusReason = `the last run (${connector.lastRun.from} to ${connector.lastRun.to}) failed: ${connector.lastRun.error ?? 'no error recorded'}`;
  } else if (outstanding.failed > 0) {
    status = 'failing';
    statusReason = `${outstanding.failed} item${outstanding.failed === 1 ? '' : 's'} failed to import`;
  } else if (transport === 'archive-api' && lagMs > BEHIND_AFTER_MS) {
    status = 'behind';
    statusReason = `${Math.floor(lagMs / 3_600_000)} hours behind TeleMessage`;
  } else if (outstanding.unmapped + outstanding.partial > 0) {
    statusReason = `up to date; ${outstanding.unmapped + outstanding.partial} item${outstanding.unmapped + outstanding.partial === 1 ? '' : 's'} with unmapped participants`;
  }
  const module = PRODUCT_MODULES.find((m) => m.product === connector.product);
  return {
    id: connector.id,
    product: connector.product,
    productName: module?.displayName ?? connector.product,
    folderName: connector.folderName,
    transport,
    enabled: connector.enabled,
    autoMapping: connector.autoMapping,
    region: connector.defaultRegion,
    baseUrl: connector.baseUrl,
    username: connector.username,
    passwordSecretName: connector.passwordSecretName,
    status,
    statusReason,
    checkpoint: connector.checkpoint,
    lagSeconds: transport === 'archive-api' ? Math.max(0, Math.floor(lagMs / 1000)) : null,
    lastRun: connector.lastRun ?? null,
    lastSuccessAt: connector.lastSuccessAt ?? null,
    importedToday,
    outstanding,
    mappingFile: connector.mappingFile ?? null,
    createdAt: connector.createdAt,
    updatedAt: connector.updatedAt,
  };
}

export interface OverviewDependencies {
  connectors: ConnectorStore;
  imports: ImportStore;
  clock?: () => Date;
}

export async function listConnectorOverviews(deps: OverviewDependencies): Promise<ConnectorOverview[]> {
  const now = (deps.clock ?? (() => new Date()))();
  const connectors = await deps.connectors.list();
  return Promise.all(connectors.map(async (c) => connectorOverview(c, await deps.imports.listOutcomes(c.id), now)));
}

export async function getConnectorOverview(id: string, deps: OverviewDependencies): Promise<ConnectorOverview> {
  const now = (deps.clock ?? (() => new Date()))();
  const connector = await deps.connectors.get(connectorIdArgument(id));
  return connectorOverview(connector, await deps.imports.listOutcomes(connector.id), now);
}
