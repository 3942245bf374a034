import type { AuditActor, AuditTrail } from '../audit/audit-trail';
import type { Connector } from '../connectors/connector';
import type { ScheduledConnector } from '../schedule/fetch-scheduler';
import type { AdminServices } from './admin-services';
import { addConnector, disableConnector, enableConnector, runConnector, type AddConnectorRequest, type AddConnectorResult } from './connector-admin';
import { changeConnectorSettings, type ConnectorSettingsChange } from './connector-settings-change';
import { replayItems, replaySelectedItems, type ReplayItemsRequest, type ReplayItemsResult, type ReplaySelectionRequest, type ReplaySelectionResult } from './item-admin';
import { applyMappingFile, rollbackMapping, type AppliedMappingFile, type MappingFileRequest } from './mapping-admin';
import type { UserDirectory } from '../mapping/directory';

/** What the audit trail keeps of a connector: its record, which holds the name of its secret, never the password. */
function auditedConnector(connector: Connector): Connector {
  return { ...connector };
}

/** What the audit trail keeps of an applied mapping: the version, never the file. */
function auditedMapping(connector: Connector): unknown {
  return connector.mappingFile ?? null;
}

/**
 * Every change an administrator makes, from the web page or the command line: the operation, then
 * one audit entry (who, when, what, before and after). A refused change writes no entry.
 */
export class AdminChanges {
  constructor(
    private readonly services: Pick<AdminServices, 'connectors' | 'runs' | 'imports' | 'scheduler' | 'mappingFiles' | 'items' | 'replays' | 'secrets' | 'secretWriter' | 'checkCredentials' | 'addressPolicy'>,
    private readonly audit: AuditTrail,
    private readonly actor: AuditActor,
    private readonly options: { directory?: () => UserDirectory | undefined; clock?: () => Date } = {},
  ) {}

  async addConnector(request: AddConnectorRequest): Promise<AddConnectorResult> {
    const result = await addConnector(request, { ...this.services, ...(this.options.clock === undefined ? {} : { clock: this.options.clock }) });
    await this.audit.record({
      actor: this.actor,
      action: 'connector.added',
      connectorId: result.connector.id,
      after: auditedConnector(result.connector),
      details: { passwordStored: result.secretStoredIn !== undefined },
    });
    return result;
  }

  async enable(id: string): Promise<Connector> {
    const before = await this.services.connectors.get(id.trim());
    const after = await enableConnector(id, this.services);
    if (before.enabled !== after.enabled) await this.audit.record({ actor: this.actor, action: 'connector.enabled', connectorId: after.id, before: { enabled: before.enabled }, after: { enabled: after.enabled } });
    return after;
  }

  async disable(id: string): Promise<Connector> {
    const before = await this.services.connectors.get(id.trim());
    const after = await disableConnector(id, this.services);
    if (before.enabled !== after.enabled) await this.audit.record({ actor: this.actor, action: 'connector.disabled', connectorId: after.id, before: { enabled: before.enabled }, after: { enabled: after.enabled } });
    return after;
  }

  /** Settings and enablement in one change; recorded as enabled/disabled when only that changed. */
  async changeSettings(id: string, change: ConnectorSettingsChange): Promise<Connector> {
    const { before, after } = await changeConnectorSettings(id, change, { connectors: this.services.connectors, ...(this.options.clock === undefined ? {} : { clock: this.options.clock }) });
    const changed = (['folderName', 'defaultRegion', 'autoMapping', 'enabled'] as const).filter((k) => before[k] !== after[k]);
    if (changed.length === 0) return after;
    const pick = (c: Connector): Record<string, unknown> => Object.fromEntries(changed.map((k) => [k, c[k]]));
    const action = changed.length === 1 && changed[0] === 'enabled' ? (after.enabled ? 'connector.enabled' : 'connector.disabled') : 'connector.settings-changed';
    await this.audit.record({ actor: this.actor, action, connectorId: after.id, before: pick(before), after: pick(after) });
    return after;
  }

  async runNow(id: string): Promise<ScheduledConnector> {
    const result = await runConnector({ id }, { ...this.services, ...(this.options.clock === undefined ? {} : { clock: this.options.clock }) });
    await this.audit.record({ actor: this.actor, action: 'connector.run', connectorId: result.connectorId, details: { queued: result.queued.length, skipped: result.skipped } });
    return result;
  }

  async backfill(id: string, from: string, to?: string): Promise<ScheduledConnector> {
    const result = await runConnector({ id, from, ...(to === undefined ? {} : { to }) }, { ...this.services, ...(this.options.clock === undefined ? {} : { clock: this.options.clock }) });
    await this.audit.record({
      actor: this.actor,
      action: 'connector.backfill',
      connectorId: result.connectorId,
      details: { from, ...(to === undefined ? {} : { to }), queued: result.queued.length, skipped: result.skipped },
    });
    return result;
  }

  async applyMapping(request: Omit<MappingFileRequest, 'appliedBy'>, options: { useDirectory?: boolean } = {}): Promise<AppliedMappingFile> {
    const before = await this.services.connectors.get(request.connectorId.trim());
    const applied = await applyMappingFile({ ...request, appliedBy: this.actor.name }, this.#mappingDeps(options.useDirectory ?? true));
    await this.audit.record({
      actor: this.actor,
      action: 'mapping.applied',
      connectorId: applied.connector.id,
      before: auditedMapping(before),
      after: auditedMapping(applied.connector),
      details: { sha256: applied.current.sha256, entries: applied.report.stats.entries, ...(request.fileName === undefined ? {} : { fileName: request.fileName }) },
    });
    return applied;
  }

  async rollbackMapping(connectorId: string, version: string): Promise<AppliedMappingFile & { rolledBackTo: string }> {
    const before = await this.services.connectors.get(connectorId.trim());
    // The version was checked against the directory when it was first applied.
    const applied = await rollbackMapping({ connectorId, version, appliedBy: this.actor.name }, this.#mappingDeps(false));
    await this.audit.record({
      actor: this.actor,
      action: 'mapping.rolled-back',
      connectorId: applied.connector.id,
      before: auditedMapping(before),
      after: auditedMapping(applied.connector),
      details: { rolledBackTo: version },
    });
    return applied;
  }

  async replay(request: ReplaySelectionRequest): Promise<ReplaySelectionResult> {
    const result = await replaySelectedItems(request, this.services);
    await this.audit.record({
      actor: this.actor,
      action: 'items.replayed',
      connectorId: result.connectorId,
      details: {
        ...(request.itemIds === undefined ? { filter: request.filter ?? {} } : { ids: request.itemIds.length }),
        listed: result.listed,
        replayed: result.replayed.length,
        missing: result.missing.length,
        failed: result.failed.length,
      },
    });
    return result;
  }

  /** The command line's replay of every unmapped or failed item. */
  async replayByStatus(request: ReplayItemsRequest): Promise<ReplayItemsResult> {
    const result = await replayItems(request, this.services);
    await this.audit.record({
      actor: this.actor,
      action: 'items.replayed',
      connectorId: result.connectorId,
      details: { status: result.status, listed: result.listed, replayed: result.replayed.length, missing: result.missing.length, failed: result.failed.length },
    });
    return result;
  }

  #mappingDeps(useDirectory: boolean): { connectors: AdminServices['connectors']; mappingFiles: AdminServices['mappingFiles']; directory?: UserDirectory } {
    const directory = useDirectory ? this.options.directory?.() : undefined;
    return { connectors: this.services.connectors, mappingFiles: this.services.mappingFiles, ...(directory === undefined ? {} : { directory }) };
  }
}
