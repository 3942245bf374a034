import type { AuditActor, AuditTrail } from '../audit/audit-trail';
import type { Connector } from '../connectors/connector';
import type { ScheduledConnector } from '../schedule/fetch-scheduler';
import type { AdminServices } from './admin-services';
import {
  addConnector,
  disableConnector,
  enableConnector,
  runConnector,
  updateConnector,
  type AddConnectorRequest,
  type AddConnectorResult,
  type UpdateConnectorRequest,
  type UpdateConnectorResult,
} from './connector-admin';
import { InvalidAdminInputError } from './admin-errors';

/** What the web page may change on a connector in one request. */
export interface ConnectorSettingsChange {
  folderName?: string;
  autoMapping?: boolean;
  region?: string;
  enabled?: boolean;
}

/** The connector fields a change may touch, as the audit trail records them (never a password). */
const AUDITED_FIELDS = ['baseUrl', 'username', 'passwordSecretName', 'folderName', 'defaultRegion', 'autoMapping', 'enabled'] as const;
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
    private readonly services: Pick<AdminServices, 'connectors' | 'runs' | 'imports' | 'scheduler' | 'mappingFiles' | 'items' | 'quarantined' | 'replays' | 'secrets' | 'secretWriter' | 'checkCredentials' | 'addressPolicy' | 'dropZone'>,
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

  /** The command line's `connectors update`: account, password, folder, region or automatic mapping. */
  async update(request: UpdateConnectorRequest): Promise<UpdateConnectorResult> {
    const before = await this.services.connectors.get(request.id.trim());
    const result = await updateConnector(request, { ...this.services, ...(this.options.clock === undefined ? {} : { clock: this.options.clock }) });
    if (result.changed.length > 0) {
      await this.#recordSettings(before, result.connector, { changed: result.changed, passwordStored: result.secretStoredIn !== undefined });
    }
    return result;
  }

  /**
   * The web page's settings and enablement in one request: a disable first, then the settings
   * (as `connectors update` changes them), then an enable, so that "disable and turn automatic
   * mapping off" passes. Recorded as enabled/disabled when only that changed.
   */
  async changeSettings(id: string, change: ConnectorSettingsChange): Promise<Connector> {
    if (Object.values(change).every((v) => v === undefined)) throw new InvalidAdminInputError('body', 'names no setting to change (folderName, autoMapping, region, enabled)');
    const before = await this.services.connectors.get(id.trim());
    if (change.enabled === false) await disableConnector(id, this.services);
    const { enabled: _enabled, ...settings } = change;
    if (Object.values(settings).some((v) => v !== undefined)) {
      await updateConnector({ id, ...settings }, { ...this.services, ...(this.options.clock === undefined ? {} : { clock: this.options.clock }) });
    }
    if (change.enabled === true) await enableConnector(id, this.services);
    const after = await this.services.connectors.get(before.id);
    await this.#recordSettings(before, after);
    return after;
  }

  async #recordSettings(before: Connector, after: Connector, details?: Record<string, unknown>): Promise<void> {
    const changed = AUDITED_FIELDS.filter((k) => before[k] !== after[k]);
    if (changed.length === 0 && details === undefined) return;
    const pick = (c: Connector): Record<string, unknown> => Object.fromEntries(changed.map((k) => [k, c[k]]));
    const action = changed.length === 1 && changed[0] === 'enabled' && details === undefined ? (after.enabled ? 'connector.enabled' : 'connector.disabled') : 'connector.settings-changed';
    await this.audit.record({ actor: this.actor, action, connectorId: after.id, before: pick(before), after: pick(after), ...(details === undefined ? {} : { details }) });
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
      details: { status: result.status, ...(request.from === undefined ? {} : { from: request.from }), ...(request.to === undefined ? {} : { to: request.to }), listed: result.listed, replayed: result.replayed.length, missing: result.missing.length, failed: result.failed.length },
    });
    return result;
  }

  #mappingDeps(useDirectory: boolean): { connectors: AdminServices['connectors']; mappingFiles: AdminServices['mappingFiles']; directory?: UserDirectory } {
    const directory = useDirectory ? this.options.directory?.() : undefined;
    return { connectors: this.services.connectors, mappingFiles: this.services.mappingFiles, ...(directory === undefined ? {} : { directory }) };
  }
}
