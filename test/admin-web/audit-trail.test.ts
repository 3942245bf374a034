/**
 * The audit trail in Table Storage (Azurite): entries listed newest first across months, filtered
 * by connector and time, and each one sent to Application Insights as `AdminChange` with ids only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TableAuditTrail } from '../../shared/audit/audit-trail';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { RecordingTelemetry } from '../../shared/platform/telemetry/telemetry';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';

let azurite: TestAzurite;
before(async () => {
  azurite = await startTestAzurite();
});
after(() => azurite?.stop());

describe('the audit trail', () => {
  test('lists changes newest first, across months, by connector and time; telemetry gets ids and the action, never before/after', async () => {
    const clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
    let now = new Date('2026-01-31T23:59:59.000Z');
    const telemetry = new RecordingTelemetry();
    const trail = new TableAuditTrail(clients.table('audittest'), telemetry, () => now);
    const actor = { id: 'oid-ada', name: 'ada@contoso.com', via: 'web' as const };
    await trail.record({ actor, action: 'connector.disabled', connectorId: 'att-main', before: { enabled: true }, after: { enabled: false } });
    now = new Date('2026-02-01T00:00:01.000Z');
    await trail.record({ actor, action: 'connector.enabled', connectorId: 'att-main', before: { enabled: false }, after: { enabled: true } });
    now = new Date('2026-02-01T00:00:02.000Z');
    await trail.record({ actor: { id: 'cli:ops', name: 'ops', via: 'cli' }, action: 'mapping.applied', connectorId: 'wechat-main', details: { entries: 3 } });

    const all = await trail.list();
    assert.deepEqual(all.map((e) => [e.at, e.action, e.connectorId]), [
      ['2026-02-01T00:00:02.000Z', 'mapping.applied', 'wechat-main'],
      ['2026-02-01T00:00:01.000Z', 'connector.enabled', 'att-main'],
      ['2026-01-31T23:59:59.000Z', 'connector.disabled', 'att-main'],
    ]);
    assert.deepEqual((await trail.list({ connectorId: 'att-main' })).map((e) => e.action), ['connector.enabled', 'connector.disabled']);
    assert.deepEqual((await trail.list({ to: new Date('2026-02-01T00:00:00Z') })).map((e) => e.action), ['connector.disabled']);
    assert.deepEqual((await trail.list({ limit: 1, connectorId: 'att-main' })).map((e) => e.action), ['connector.enabled']);
    assert.deepEqual(all.find((e) => e.action === 'connector.disabled')?.before, { enabled: true });

    assert.deepEqual(telemetry.events.map((e) => [e.name, e.properties['action'], e.properties['actorId'], e.properties['via'], e.properties['connectorId']]), [
      ['AdminChange', 'connector.disabled', 'oid-ada', 'web', 'att-main'],
      ['AdminChange', 'connector.enabled', 'oid-ada', 'web', 'att-main'],
      ['AdminChange', 'mapping.applied', 'cli:ops', 'cli', 'wechat-main'],
    ]);
    for (const e of telemetry.events) assert.deepEqual(Object.keys(e.properties).sort(), ['action', 'actorId', 'actorName', 'auditId', 'connectorId', 'via']);
  });
});
