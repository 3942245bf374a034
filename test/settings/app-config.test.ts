import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAppConfig, registeredBlobTriggerSource } from '../../shared/platform/settings/app-config';
import { ConfigurationError } from '../../shared/platform/settings/configuration-error';

const local = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  GRAPH_ENDPOINT: 'http://127.0.0.1:7073/v1.0/',
  GRAPH_DEV_TOKEN: 'dev',
};

test('local settings: connection string, development token, default schedule, settings-backed secrets', () => {
  const c = loadAppConfig(local);
  assert.deepEqual(c.storage, { kind: 'connection-string', connectionString: 'UseDevelopmentStorage=true' });
  assert.equal(c.graph.endpoint, 'http://127.0.0.1:7073/v1.0');
  assert.deepEqual(c.graph.auth, { kind: 'development-token', token: 'dev' });
  assert.equal(c.schedule, '0 0 1 * * *');
  assert.deepEqual(c.secrets, { kind: 'app-settings' });
});

test('Azure settings: identity-based storage, federated Graph sign-in, Key Vault secrets', () => {
  const c = loadAppConfig({
    AzureWebJobsStorage__accountName: 'starchive',
    AzureWebJobsStorage__credential: 'managedidentity',
    AzureWebJobsStorage__clientId: 'mi-client',
    GRAPH_ENDPOINT: 'https://graph.microsoft.us/v1.0',
    GRAPH_AUTHORITY_HOST: 'https://login.microsoftonline.us',
    GRAPH_TENANT_ID: 'tenant',
    GRAPH_CLIENT_ID: 'app',
    AZURE_CLIENT_ID: 'mi-client',
    KEY_VAULT_URI: 'https://kv-archive.vault.usgovcloudapi.net/',
    ARCHIVER_SCHEDULE: '0 */5 * * * *',
  });
  assert.deepEqual(c.storage, { kind: 'managed-identity', accountName: 'starchive', clientId: 'mi-client' });
  assert.deepEqual(c.graph.auth, { kind: 'managed-identity-federation', managedIdentityClientId: 'mi-client' });
  assert.equal(c.graph.authorityHost, 'https://login.microsoftonline.us');
  assert.equal(c.secrets.kind, 'key-vault');
  assert.equal(c.schedule, '0 */5 * * * *');
});

test('the app has one managed identity: a storage client id other than AZURE_CLIENT_ID is refused, naming both', () => {
  const azure = {
    AzureWebJobsStorage__accountName: 'starchive',
    AzureWebJobsStorage__clientId: 'mi-storage',
    GRAPH_ENDPOINT: 'https://graph.microsoft.com/v1.0',
    GRAPH_TENANT_ID: 'tenant',
    GRAPH_CLIENT_ID: 'app',
    AZURE_CLIENT_ID: 'mi-client',
  };
  assert.throws(
    () => loadAppConfig(azure),
    (err: unknown) => err instanceof ConfigurationError && /AzureWebJobsStorage__clientId: must name the app's one managed identity, the same as AZURE_CLIENT_ID \("mi-client"\), got "mi-storage"/.test(err.message),
  );
  assert.equal(loadAppConfig({ ...azure, AzureWebJobsStorage__clientId: 'mi-client' }).storage.kind, 'managed-identity');
});

test('a five-field schedule is accepted, as the timer extension takes it (minute-level, at second 0)', () => {
  assert.equal(loadAppConfig({ ...local, ARCHIVER_SCHEDULE: '*/5 * * * *' }).schedule, '*/5 * * * *');
});

test('the blob trigger source the functions register with never throws: anything but EventGrid polls', () => {
  assert.equal(registeredBlobTriggerSource({ ARCHIVER_BLOB_TRIGGER_SOURCE: 'EventGrid' }), 'EventGrid');
  assert.equal(registeredBlobTriggerSource({ ARCHIVER_BLOB_TRIGGER_SOURCE: 'Polling' }), 'LogsAndContainerScan');
  assert.equal(registeredBlobTriggerSource({}), 'LogsAndContainerScan');
});

test('every problem is reported at once, each naming its setting', () => {
  try {
    loadAppConfig({ ARCHIVER_SCHEDULE: '0 1 * *', GRAPH_ENDPOINT: 'http://graph.example.com', ARCHIVER_BLOB_TRIGGER_SOURCE: 'Polling' });
    assert.fail('expected a ConfigurationError');
  } catch (err) {
    assert.ok(err instanceof ConfigurationError);
    const settings = err.problems.map((p) => p.setting).sort();
    assert.deepEqual(settings, [
      'ARCHIVER_BLOB_TRIGGER_SOURCE', 'ARCHIVER_SCHEDULE', 'AZURE_CLIENT_ID', 'AzureWebJobsStorage',
      'GRAPH_CLIENT_ID', 'GRAPH_ENDPOINT', 'GRAPH_TENANT_ID',
    ]);
    assert.match(err.message, /ARCHIVER_SCHEDULE: must be an NCRONTAB expression of six fields/);
    assert.match(err.message, /GRAPH_ENDPOINT: must be an https URL/);
  }
});

test('the development token is refused against a real Graph endpoint, and its value is never echoed', () => {
  assert.throws(
    () => loadAppConfig({ ...local, GRAPH_ENDPOINT: 'https://graph.microsoft.com/v1.0', GRAPH_DEV_TOKEN: 's3cr3t-token' }),
    (err: unknown) => err instanceof ConfigurationError && /GRAPH_DEV_TOKEN: is for the local Graph simulator only/.test(err.message) && !err.message.includes('s3cr3t-token'),
  );
});

test('the claim lease defaults to 60 s and refuses what is not 10 to 600 whole seconds', () => {
  assert.equal(loadAppConfig(local).claimLeaseSeconds, 60);
  assert.equal(loadAppConfig({ ...local, ARCHIVER_CLAIM_LEASE_SECONDS: '15' }).claimLeaseSeconds, 15);
  for (const wrong of ['5', '601', '12.5', 'a minute']) {
    assert.throws(() => loadAppConfig({ ...local, ARCHIVER_CLAIM_LEASE_SECONDS: wrong }), /ARCHIVER_CLAIM_LEASE_SECONDS: must be a whole number of seconds from 10 to 600/);
  }
});

test('the settling margin defaults to five minutes and refuses what is not a whole number of minutes', () => {
  assert.equal(loadAppConfig(local).settlingMinutes, 5);
  assert.equal(loadAppConfig({ ...local, ARCHIVER_SETTLING_MINUTES: '1' }).settlingMinutes, 1);
  assert.throws(() => loadAppConfig({ ...local, ARCHIVER_SETTLING_MINUTES: 'soon' }), /ARCHIVER_SETTLING_MINUTES: must be a whole number of minutes/);
  assert.throws(() => loadAppConfig({ ...local, ARCHIVER_SETTLING_MINUTES: '-3' }), /ARCHIVER_SETTLING_MINUTES/);
});

test('the drop zone: a connection string, an identity-based connection with both endpoints, or the pipeline account when unset', () => {
  assert.deepEqual(loadAppConfig(local).dropZone, {});
  assert.deepEqual(loadAppConfig({ ...local, DropZoneStorage: 'UseDevelopmentStorage=true' }).dropZone, {
    storage: { kind: 'connection-string', connectionString: 'UseDevelopmentStorage=true' },
  });
  const identity = {
    ...local,
    DropZoneStorage__blobServiceUri: 'https://sttmdrop.blob.core.windows.net/',
    DropZoneStorage__queueServiceUri: 'https://sttmdrop.queue.core.windows.net/',
    DropZoneStorage__credential: 'managedidentity',
    DropZoneStorage__clientId: 'mi-client',
  };
  assert.deepEqual(loadAppConfig(identity).dropZone, {
    storage: { kind: 'managed-identity', blobServiceUri: identity.DropZoneStorage__blobServiceUri, queueServiceUri: identity.DropZoneStorage__queueServiceUri, clientId: 'mi-client' },
  });
  const { DropZoneStorage__queueServiceUri: _queue, ...withoutQueue } = identity;
  assert.throws(() => loadAppConfig({ ...withoutQueue, DropZoneStorage__credential: 'connectionstring' }), (err: unknown) => {
    assert.ok(err instanceof ConfigurationError);
    assert.match(err.message, /DropZoneStorage__queueServiceUri: is required with DropZoneStorage__blobServiceUri/);
    assert.match(err.message, /DropZoneStorage__credential: must be "managedidentity"/);
    return true;
  });
  assert.throws(() => loadAppConfig({ ...local, DropZoneStorage__clientId: 'mi-client' }), /DropZoneStorage__clientId: needs DropZoneStorage__blobServiceUri/);
  assert.throws(() => loadAppConfig({ ...identity, DropZoneStorage__blobServiceUri: 'http://sttmdrop.blob.core.windows.net/' }), /DropZoneStorage__blobServiceUri: must be an https URL/);
});
