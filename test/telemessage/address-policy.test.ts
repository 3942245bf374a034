import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { createArchiverServices, addressPolicyFor, teleMessageSource } from '../../shared/app/services';
import { loadAppConfig } from '../../shared/platform/settings/app-config';
import { isLocalDevelopmentStorage } from '../../shared/platform/storage/storage-clients';
import { AppSettingsSecretStore } from '../../shared/platform/secrets/secret-store';
import { addressProblem, checkBaseUrlHost, RefusedAddressError } from '../../shared/telemessage/address-policy';
import { parseBaseUrl } from '../../shared/admin/connector-settings';
import type { Connector } from '../../shared/connectors/connector';
import { createAccountsScenario, TM_PASSWORD, TM_USERNAME } from '../admin/admin-fixture';

/**
 * Issue #10, defect 10: the function app builds its TeleMessage client from the connector's table
 * row, so the row's base URL is checked again there, with names resolved, before any password is
 * sent; loopback (the simulator) only where storage is the local emulator.
 */

let azurite: TestAzurite;
let simulator: TeleMessageSimulator;
let scenario: { dir: string; remove(): Promise<void> };
before(async () => {
  scenario = await createAccountsScenario();
  [azurite, simulator] = await Promise.all([startTestAzurite(), TeleMessageSimulator.start({ scenarioDir: scenario.dir })]);
});
after(async () => {
  await Promise.all([azurite?.stop(), simulator?.stop()]);
  await scenario?.remove();
});

const NOW = '2026-11-20T00:00:00.000Z';
function row(id: string, baseUrl: string): Connector {
  return {
    id, product: 'att-network', folderName: 'Texts', baseUrl, username: TM_USERNAME, passwordSecretName: 'tm-att', enabled: true,
    autoMapping: true, defaultRegion: 'US', checkpoint: NOW, scheduledThrough: NOW, createdAt: NOW, updatedAt: NOW,
  };
}

describe('the function app checks the base URL of the table row', () => {
  test('a row pointing at the metadata address fails its window with the address named; the simulator on loopback works in development', async () => {
    const env = { AzureWebJobsStorage: azurite.connectionString, GRAPH_ENDPOINT: 'http://127.0.0.1:9/v1.0', GRAPH_DEV_TOKEN: 'dev', SECRET_TM_ATT: TM_PASSWORD };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const services = createArchiverServices(loadAppConfig(env));
      // Written straight into the table, as anyone with access to the storage account could.
      await services.connectors.create(row('att-evil', 'https://[::ffff:169.254.169.254]'));
      await services.connectors.create(row('att-good', simulator.url));
      const job = { runId: 'r1', from: '2026-11-19T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z' };
      await assert.rejects(services.fetcher.fetchWindow({ ...job, connectorId: 'att-evil' }, { attempt: 5 }), (error: unknown) => {
        assert.ok(error instanceof RefusedAddressError);
        assert.match(error.message, /::ffff:a9fe:a9fe is a metadata address; refused/);
        return true;
      });
      const evilRun = (await services.runs.list('att-evil'))[0];
      assert.equal(evilRun?.status, 'failed');
      assert.match(evilRun?.error ?? '', /RefusedAddressError: TeleMessage base URL/);
      const good = await services.fetcher.fetchWindow({ ...job, connectorId: 'att-good' }, { attempt: 1 });
      assert.equal(good.status, 'succeeded');
    } finally {
      for (const key of Object.keys(env)) if (!(key in saved)) delete process.env[key];
    }
  });

  test('outside local development the client factory refuses loopback, before the password is read', async () => {
    let read = 0;
    const secrets = new AppSettingsSecretStore({ SECRET_TM_ATT: TM_PASSWORD });
    const counting = { get: async (name: string) => (read++, secrets.get(name)) };
    const azure = addressPolicyFor({ kind: 'managed-identity', accountName: 'starchive' });
    await assert.rejects(teleMessageSource(counting, azure)(row('att-local', simulator.url)), /127\.0\.0\.1 is a loopback address, allowed in local development only/);
    await assert.rejects(teleMessageSource(counting, azure)(row('att-local', 'https://localhost:8443')), /localhost is the machine itself/);
    assert.equal(read, 0);
  });
});

describe('the address policy', () => {
  test('local development is known from the storage: the emulator, never an Azure account', () => {
    assert.equal(isLocalDevelopmentStorage({ kind: 'connection-string', connectionString: 'UseDevelopmentStorage=true' }), true);
    assert.equal(isLocalDevelopmentStorage({ kind: 'connection-string', connectionString: azurite.connectionString }), true);
    assert.equal(
      isLocalDevelopmentStorage({ kind: 'connection-string', connectionString: 'DefaultEndpointsProtocol=https;AccountName=st;AccountKey=a2V5;EndpointSuffix=core.windows.net' }),
      false,
    );
    assert.equal(
      isLocalDevelopmentStorage({ kind: 'connection-string', connectionString: 'BlobEndpoint=http://127.0.0.1:10000/a;QueueEndpoint=https://st.queue.core.windows.net;AccountName=a;AccountKey=a2V5' }),
      false,
    );
    assert.equal(isLocalDevelopmentStorage({ kind: 'managed-identity', accountName: 'st' }), false);
  });

  test('loopback is refused outside development in every spelling WHATWG URL accepts', () => {
    for (const url of ['http://127.0.0.1:7071', 'https://127.1', 'https://0x7f.1', 'https://2130706433', 'https://[::1]', 'https://localhost', 'https://api.localhost', 'https://[::ffff:127.0.0.1]']) {
      assert.throws(() => parseBaseUrl(url, { allowLoopback: false }), /loopback/, url);
    }
    assert.equal(parseBaseUrl('http://127.0.0.1:7071/', { allowLoopback: true }), 'http://127.0.0.1:7071');
    assert.equal(parseBaseUrl('https://archive.telemessage.com', { allowLoopback: false }), 'https://archive.telemessage.com');
  });

  test('addresses: public ones pass, IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) is judged by what it carries or refused', () => {
    const policy = { allowLoopback: false };
    for (const ok of ['52.1.2.3', '2606:4700::1111', '172.32.0.1', '192.169.0.1']) assert.equal(addressProblem(ok, policy), undefined, ok);
    assert.match(addressProblem('::ffff:10.0.0.1', policy) ?? '', /private/);
    for (const carried of ['::a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1']) assert.match(addressProblem(carried, policy) ?? '', /metadata|translation/, carried);
  });

  test('a host name resolving to an internal address is refused; one resolving publicly passes', async () => {
    const policy = { allowLoopback: false };
    await assert.rejects(checkBaseUrlHost('https://archive.example.com', policy, async () => ['52.1.2.3', '10.1.2.3']), /archive\.example\.com resolves to an address refused: 10\.1\.2\.3 is a private address/);
    await checkBaseUrlHost('https://archive.example.com', policy, async () => ['52.1.2.3']);
  });
});
