import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { HostSettings, readLocalSettings } from '../../dev/host/host-settings';
import { HostStartupError, MissingSettingError, readHostJson } from '../../dev/host';
import { DEVELOPMENT_STORAGE_CONNECTION_STRING, resolveStorageConnectionString } from '../../dev/host/storage-connection';

const roots: string[] = [];

function folder(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'host-settings-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
  return root;
}

describe('app settings', () => {
  after(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });

  test('host.json must exist, be JSON and say version 2.0 (a BOM is fine)', () => {
    assert.throws(() => readHostJson(folder({})), (err: Error) => err instanceof HostStartupError && /no host\.json in /.test(err.message));
    assert.throws(() => readHostJson(folder({ 'host.json': '{' })), /host\.json is not valid JSON/);
    assert.throws(() => readHostJson(folder({ 'host.json': '{"version":"1.0"}' })), /"version" must be "2\.0" \(found "1\.0"\)/);
    const hostJson = readHostJson(folder({ 'host.json': '\uFEFF{"version":"2.0","extensions":{"http":{"routePrefix":""}}}' }));
    assert.equal(hostJson.extensions?.http?.routePrefix, '');
  });

  test('a malformed local.settings.json is reported by line and column, never by the text around the fault (issue #10, defect 12)', () => {
    const secret = 'S3CRETkey0123456789abcdef==';
    // An unquoted value: V8's own message quotes the characters around it.
    const text = `{\n  "Values": {\n    "AzureWebJobsStorage": ${secret}\n  }\n}`;
    assert.throws(() => readLocalSettings(folder({ 'local.settings.json': text })), (err: Error) => {
      assert.ok(err instanceof HostStartupError);
      assert.match(err.message, /local\.settings\.json is not valid JSON \(line 3, column 28\)/);
      assert.equal(err.message.includes('S3CRET'), false, err.message);
      assert.equal(String(err.cause ?? '').includes('S3CRET'), false, 'nor in its cause');
      return true;
    });
  });

  test('local.settings.json is optional; its values must be strings', () => {
    assert.equal(readLocalSettings(folder({})), undefined);
    const settings = readLocalSettings(folder({ 'local.settings.json': '{"IsEncrypted":false,"Values":{"A":"1"},"Host":{"LocalHttpPort":7072}}' }));
    assert.deepEqual(settings, { Values: { A: '1' }, Host: { LocalHttpPort: 7072 } });
    assert.throws(() => readLocalSettings(folder({ 'local.settings.json': '{"Values":{"PORT":7}}' })), /Values\.PORT must be a string \(found number\)/);
    assert.throws(() => readLocalSettings(folder({ 'local.settings.json': '{"IsEncrypted":true,"Values":{}}' })), /is encrypted/);
    assert.throws(() => readLocalSettings(folder({ 'local.settings.json': '{"Values":{},"Host":{"LocalHttpPort":"x"}}' })), /Host\.LocalHttpPort must be a port number/);
  });

  test('the environment wins over local.settings.json, explicit overrides win over both, restore undoes all', () => {
    process.env['SETTINGS_TEST_FROM_ENV'] = 'env';
    delete process.env['SETTINGS_TEST_NEW'];
    delete process.env['SETTINGS_TEST_OVERRIDE'];
    try {
      const settings = HostSettings.apply(
        { SETTINGS_TEST_FROM_ENV: 'file', SETTINGS_TEST_NEW: 'file', SETTINGS_TEST_OVERRIDE: 'file' },
        { SETTINGS_TEST_OVERRIDE: 'override' },
      );
      assert.equal(settings.get('SETTINGS_TEST_FROM_ENV'), 'env');
      assert.equal(process.env['SETTINGS_TEST_NEW'], 'file');
      assert.equal(settings.get('SETTINGS_TEST_OVERRIDE'), 'override');
      settings.restore();
      assert.equal(process.env['SETTINGS_TEST_FROM_ENV'], 'env');
      assert.equal(process.env['SETTINGS_TEST_NEW'], undefined);
      assert.equal(process.env['SETTINGS_TEST_OVERRIDE'], undefined);
    } finally {
      delete process.env['SETTINGS_TEST_FROM_ENV'];
    }
  });

  test('resolves %Setting% tokens and names a missing setting', () => {
    const settings = HostSettings.apply({ SETTINGS_TEST_QUEUE: 'fetch-jobs', SETTINGS_TEST_SUFFIX: 'poison' });
    try {
      assert.equal(settings.resolve('%SETTINGS_TEST_QUEUE%-%SETTINGS_TEST_SUFFIX%'), 'fetch-jobs-poison');
      assert.equal(settings.resolve('no tokens'), 'no tokens');
      assert.throws(
        () => settings.resolve('%SETTINGS_TEST_MISSING%', "The schedule of 'scheduleFetch'"),
        (err: Error) => {
          assert.ok(err instanceof MissingSettingError);
          assert.equal(err.settingName, 'SETTINGS_TEST_MISSING');
          assert.match(err.message, /^The schedule of 'scheduleFetch' refers to app setting 'SETTINGS_TEST_MISSING', which is not set/);
          return true;
        },
      );
    } finally {
      settings.restore();
    }
  });

  test('storage connections: a setting name, the AzureWebJobs prefix, development storage; values never in errors', () => {
    // As overrides, so that a storage setting in this process's environment cannot interfere.
    const settings = HostSettings.apply({}, {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      AzureWebJobsArchive: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net',
      Identity__accountName: 'account',
    });
    try {
      assert.equal(resolveStorageConnectionString(settings), DEVELOPMENT_STORAGE_CONNECTION_STRING);
      assert.match(DEVELOPMENT_STORAGE_CONNECTION_STRING, /BlobEndpoint=http:\/\/127\.0\.0\.1:10000\/devstoreaccount1;QueueEndpoint=http:\/\/127\.0\.0\.1:10001\//);
      assert.match(resolveStorageConnectionString(settings, 'Archive'), /^DefaultEndpointsProtocol=https;AccountName=a;/);
      assert.throws(() => resolveStorageConnectionString(settings, 'Identity'), /'Identity' is identity-based .* set 'Identity' to a connection string/);
      assert.throws(
        () => resolveStorageConnectionString(settings, 'Nothing'),
        (err: Error) => /setting 'Nothing' is not set/.test(err.message) && !err.message.includes('c2VjcmV0'),
      );
    } finally {
      settings.restore();
    }
  });
});
