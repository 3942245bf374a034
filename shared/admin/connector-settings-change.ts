import type { Connector } from '../connectors/connector';
import type { ConnectorStore } from '../connectors/connector-store';
import { canEnableConnector } from '../mapping/participant-mapper';
import { ConnectorStateError, InvalidAdminInputError } from './admin-errors';
import { connectorIdArgument, parseFolderName, parseRegion } from './connector-settings';

/** Settings an administrator may change on an existing connector; the rest is fixed at creation. */
export interface ConnectorSettingsChange {
  folderName?: string;
  autoMapping?: boolean;
  region?: string;
  enabled?: boolean;
}

/**
 * Changes a connector's settings in one conditional write. Enabling is refused while no
 * participant could be mapped, and so is turning automatic mapping off on an enabled connector
 * without a mapping file. A new folder name applies to items imported from now on.
 */
export async function changeConnectorSettings(id: string, change: ConnectorSettingsChange, deps: { connectors: ConnectorStore; clock?: () => Date }): Promise<{ before: Connector; after: Connector }> {
  const connectorId = connectorIdArgument(id);
  if (Object.values(change).every((v) => v === undefined)) throw new InvalidAdminInputError('body', 'names no setting to change (folderName, autoMapping, region, enabled)');
  const folderName = change.folderName === undefined ? undefined : parseFolderName(change.folderName);
  const region = change.region === undefined ? undefined : parseRegion(change.region);
  const now = (deps.clock ?? (() => new Date()))().toISOString();
  let before: Connector | undefined;
  let refusal: string | undefined;
  const after = await deps.connectors.update(connectorId, (current) => {
    before = current;
    refusal = undefined;
    const next: Connector = {
      ...current,
      ...(folderName === undefined ? {} : { folderName }),
      ...(region === undefined ? {} : { defaultRegion: region }),
      ...(change.autoMapping === undefined ? {} : { autoMapping: change.autoMapping }),
      ...(change.enabled === undefined ? {} : { enabled: change.enabled }),
    };
    if (next.enabled) {
      const enablement = canEnableConnector({ autoMapping: next.autoMapping, hasMappingFile: next.mappingFile !== undefined });
      if (!enablement.allowed) {
        refusal = enablement.message;
        return undefined;
      }
    }
    const same = next.folderName === current.folderName && next.defaultRegion === current.defaultRegion && next.autoMapping === current.autoMapping && next.enabled === current.enabled;
    return same ? undefined : { ...next, updatedAt: now };
  });
  if (refusal !== undefined) throw new ConnectorStateError(connectorId, `Connector "${connectorId}": ${refusal}`);
  return { before: before ?? after, after };
}
