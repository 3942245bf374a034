/**
 * The telemetry the alerts and docs/monitoring.md rely on, sent through the real exporter to a
 * stand-in for the ingestion endpoint on loopback: what arrives is what Application Insights
 * stores as customEvents and customMetrics rows.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ApplicationInsightsTelemetry } from '../../shared/platform/telemetry/application-insights-telemetry';
import { IngestionStandIn, STAND_IN_CERTIFICATE } from './ingestion-stand-in';

// The exporter's own usage statistics go to a fixed Microsoft endpoint: never from a test.
process.env['APPLICATION_INSIGHTS_NO_STATSBEAT'] = 'true';
process.env['APPLICATIONINSIGHTS_SDKSTATS_DISABLED'] = 'true';

let ingestion: IngestionStandIn;
let telemetry: ApplicationInsightsTelemetry;
const instrumentationKey = randomUUID();

before(async () => {
  ingestion = await IngestionStandIn.start();
  telemetry = new ApplicationInsightsTelemetry({
    connectionString: ingestion.connectionString(instrumentationKey),
    roleName: 'func-archiver-test',
    roleInstance: 'instance-1',
    trustedCertificates: STAND_IN_CERTIFICATE,
  });
});

after(async () => {
  await telemetry?.shutdown();
  await ingestion?.stop();
});

test('a custom event arrives as a customEvents row: name, properties as customDimensions, measurements as customMeasurements', async () => {
  telemetry.event(
    'FetchRun',
    { connectorId: 'contoso-att', runId: 'run-1', product: 'att-network', status: 'succeeded' },
    { itemsFetched: 25, itemsStored: 24, durationMs: 1234.5 },
  );
  await telemetry.flush();
  const event = await ingestion.waitFor((e) => e.data.baseType === 'EventData' && e.data.baseData['name'] === 'FetchRun');
  assert.equal(event.name, 'Microsoft.ApplicationInsights.Event');
  assert.equal(event.iKey, instrumentationKey);
  assert.deepEqual(event.data.baseData.properties, { connectorId: 'contoso-att', runId: 'run-1', product: 'att-network', status: 'succeeded' });
  assert.deepEqual(event.data.baseData.measurements, { itemsFetched: 25, itemsStored: 24, durationMs: 1234.5 });
  assert.equal(event.tags?.['ai.cloud.role'], 'func-archiver-test');
  assert.equal(event.tags?.['ai.cloud.roleInstance'], 'instance-1');
  assert.ok(ingestion.paths.every((p) => p === '/v2.1/track'), ingestion.paths.join(', '));
});

test('an event without measurements has none; ItemImport keeps its outcome', async () => {
  telemetry.event('ItemImport', { connectorId: 'contoso-wechat', itemId: 'tm-wc-0001', outcome: 'unmapped' });
  await telemetry.flush();
  const event = await ingestion.waitFor((e) => e.data.baseData['name'] === 'ItemImport');
  assert.deepEqual(event.data.baseData.properties, { connectorId: 'contoso-wechat', itemId: 'tm-wc-0001', outcome: 'unmapped' });
  assert.deepEqual(event.data.baseData.measurements ?? {}, {});
});

test('metrics arrive as customMetrics rows per dimension value: value is the sum, max the largest report', async () => {
  telemetry.metric('ConnectorLagSeconds', 86_700, { connectorId: 'contoso-att' });
  telemetry.metric('ConnectorLagSeconds', 600, { connectorId: 'contoso-wechat' });
  telemetry.metric('PoisonMessages', 0, { queue: 'fetch-jobs-poison' });
  telemetry.metric('PoisonMessages', 2, { queue: 'webjobs-blobtrigger-poison' });
  await telemetry.flush();
  const metric = (name: string, dimension: string, value: string) =>
    ingestion.waitFor((e) => e.data.baseType === 'MetricData' && (e.data.baseData['metrics'] as Array<{ name: string }>)[0]?.name === name && e.data.baseData.properties?.[dimension] === value);
  const lag = await metric('ConnectorLagSeconds', 'connectorId', 'contoso-att');
  assert.equal(lag.name, 'Microsoft.ApplicationInsights.Metric');
  assert.deepEqual(lag.data.baseData.properties, { connectorId: 'contoso-att' });
  assert.deepEqual(
    (lag.data.baseData['metrics'] as Array<Record<string, unknown>>).map(({ name, value, count, max }) => ({ name, value, count, max })),
    [{ name: 'ConnectorLagSeconds', value: 86_700, count: 1, max: 86_700 }],
  );
  await metric('ConnectorLagSeconds', 'connectorId', 'contoso-wechat');
  const poison = await metric('PoisonMessages', 'queue', 'webjobs-blobtrigger-poison');
  assert.equal((poison.data.baseData['metrics'] as Array<{ value: number }>)[0]?.value, 2);
  await metric('PoisonMessages', 'queue', 'fetch-jobs-poison');
});

test('with the app\'s identity, every request carries its Entra ID token for Azure Monitor (local authentication is off)', async () => {
  const signedIn = await IngestionStandIn.start();
  const scopes: string[] = [];
  const identityTelemetry = new ApplicationInsightsTelemetry({
    connectionString: signedIn.connectionString(randomUUID()),
    credential: {
      getToken: async (scope: string | string[]) => {
        scopes.push(...[scope].flat());
        return { token: 'managed-identity-token', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    },
    roleName: 'func-archiver-test',
    roleInstance: 'instance-1',
    trustedCertificates: STAND_IN_CERTIFICATE,
  });
  try {
    identityTelemetry.event('ItemImport', { connectorId: 'contoso-att', itemId: 'tm-att-0001', outcome: 'imported' }, { mailboxes: 1 });
    identityTelemetry.metric('PoisonMessages', 0, { queue: 'fetch-jobs-poison' });
    await identityTelemetry.flush();
    await signedIn.waitFor((e) => e.data.baseData['name'] === 'ItemImport');
    await signedIn.waitFor((e) => e.data.baseType === 'MetricData');
    assert.ok(signedIn.authorizations.length >= 2);
    assert.ok(signedIn.authorizations.every((a) => a === 'Bearer managed-identity-token'), signedIn.authorizations.join(', '));
    assert.deepEqual([...new Set(scopes)], ['https://monitor.azure.com/.default']);
  } finally {
    await identityTelemetry.shutdown();
    await signedIn.stop();
  }
});
