/**
 * The function app under wrong and missing settings, in the local host: every function is still
 * registered and listed (none vanishes because registration threw), the settings at fault are
 * named at start-up, and each invocation fails naming every one of them again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HostProcess } from '../../dev/host';
import { AppSettings } from '../../shared/platform/settings/app-settings';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { repoRoot } from '../../dev/demo/paths';
import { waitFor } from './pipeline-fixture';

const FUNCTIONS = ['fetchWindow', 'importEmlDrop', 'importItem', 'reconcileDays', 'replayItem', 'scheduleFetch'];
const AT_FAULT = [AppSettings.blobTriggerSource, AppSettings.settlingMinutes, AppSettings.graphEndpoint];

describe('wrong and missing settings', () => {
  let azurite: TestAzurite;
  let host: HostProcess | undefined;

  before(async () => {
    azurite = await startTestAzurite();
    const cleared = Object.fromEntries(Object.values(AppSettings).map((name) => [name, '']));
    host = await HostProcess.start({
      appRoot: repoRoot(),
      port: 0,
      hostId: 'settings-report',
      startTimeoutMs: 60_000,
      env: {
        ...cleared,
        FUNCTIONS_WORKER_RUNTIME: 'node',
        [AppSettings.storage]: azurite.connectionString,
        [AppSettings.schedule]: '0 0 1 * * *',
        [AppSettings.blobTriggerSource]: 'Sometimes',
        [AppSettings.settlingMinutes]: 'ten',
        // GRAPH_ENDPOINT is missing (empty).
      },
    });
  });
  after(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test('every function is listed, and start-up names every setting at fault', () => {
    const output = host!.output.join('\n');
    for (const name of FUNCTIONS) assert.match(output, new RegExp(`\\t${name}: `), `${name} is listed`);
    const report = host!.output.find((line) => /settings are not valid/.test(line));
    assert.ok(report, 'a start-up report');
    const reportText = host!.output.slice(host!.output.indexOf(report)).join('\n');
    for (const setting of AT_FAULT) assert.match(reportText, new RegExp(setting), `${setting} named at start-up`);
  });

  test('each invocation fails naming every setting at fault', async () => {
    for (const attempt of [1, 2]) {
      const before = host!.output.length;
      await host!.fireFunction('reconcileDays');
      await waitFor(`invocation ${attempt} to fail`, () => (host!.output.slice(before).some((l) => /Executed 'Functions\.reconcileDays' \(Failed/.test(l)) ? true : undefined), 30_000);
      const text = host!.output.slice(before).join('\n');
      for (const setting of AT_FAULT) assert.match(text, new RegExp(setting), `${setting} named by invocation ${attempt}`);
    }
  });
});
