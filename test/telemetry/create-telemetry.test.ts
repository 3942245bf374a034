import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadAppConfig } from '../../shared/platform/settings/app-config';
import { createTelemetry } from '../../shared/platform/telemetry/create-telemetry';

const withoutApplicationInsights = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  GRAPH_ENDPOINT: 'http://127.0.0.1:7073/v1.0/',
  GRAPH_DEV_TOKEN: 'dev',
};

/** Every collection reachable from an object's own fields that holds something. */
function heldCollections(target: object): string[] {
  return Object.entries(target)
    .filter(([, v]) => (Array.isArray(v) && v.length > 0) || ((v instanceof Map || v instanceof Set) && v.size > 0))
    .map(([k]) => k);
}

test('with no Application Insights setting, telemetry keeps nothing in memory, however much is emitted', async () => {
  const telemetry = createTelemetry(loadAppConfig(withoutApplicationInsights));
  for (let i = 0; i < 1000; i++) {
    telemetry.event('ItemImport', { connectorId: 'contoso-att', itemId: `tm-att-${i}`, outcome: 'imported' }, { mailboxes: 1, durationMs: 10 });
    telemetry.metric('PoisonMessages', 0, { queue: 'fetch-jobs-poison' });
  }
  await telemetry.flush();
  assert.deepEqual(heldCollections(telemetry), []);
});
