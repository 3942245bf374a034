import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigurationError } from '../../shared/platform/settings/configuration-error';
import { functionAppRoot, loadHostSettings } from '../../shared/platform/settings/host-settings';

describe('host.json as the product reads it', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'host-settings-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function withHostJson(content: string): Promise<string> {
    const root = await mkdtemp(join(dir, 'app-'));
    await writeFile(join(root, 'host.json'), content);
    return root;
  }

  test("the project's own host.json: five deliveries", () => {
    assert.deepEqual(loadHostSettings(resolve(__dirname, '..', '..', '..')), { maxDequeueCount: 5 });
  });

  test('maxDequeueCount is taken from extensions.queues', async () => {
    const root = await withHostJson(JSON.stringify({ version: '2.0', extensions: { queues: { maxDequeueCount: 2 } } }));
    assert.equal(loadHostSettings(root).maxDequeueCount, 2);
  });

  test("without the setting, or without host.json, the host's default of 5", async () => {
    assert.equal(loadHostSettings(await withHostJson('{"version":"2.0"}')).maxDequeueCount, 5);
    assert.equal(loadHostSettings(join(dir, 'no-such-app')).maxDequeueCount, 5);
  });

  test('a bad value or malformed JSON stops the app, naming the file and the field', async () => {
    const bad = await withHostJson(JSON.stringify({ extensions: { queues: { maxDequeueCount: 0 } } }));
    assert.throws(() => loadHostSettings(bad), (error: unknown) =>
      error instanceof ConfigurationError && error.message.includes('host.json extensions.queues.maxDequeueCount: must be a whole number of at least 1, got 0'));
    const broken = await withHostJson('{ "extensions": ');
    assert.throws(() => loadHostSettings(broken), (error: unknown) => error instanceof ConfigurationError && /host\.json: is not valid JSON/.test(error.message));
  });

  test('the app root is AzureWebJobsScriptRoot when set, else the working folder', () => {
    assert.equal(functionAppRoot({ AzureWebJobsScriptRoot: '/home/site/wwwroot' }), '/home/site/wwwroot');
    assert.equal(functionAppRoot({}), process.cwd());
  });
});
