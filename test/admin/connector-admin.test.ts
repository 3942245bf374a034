import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { ConnectorStateError, InvalidAdminInputError, TeleMessageCheckError } from '../../shared/admin/admin-errors';
import {
  addConnector,
  disableConnector,
  enableConnector,
  listConnectors,
  listRuns,
  runConnector,
  type AddConnectorRequest,
} from '../../shared/admin/connector-admin';
import { LocalSettingsSecretWriter } from '../../shared/admin/secret-writer';
import { teleMessageCredentialCheck } from '../../shared/admin/telemessage-check';
import { ConnectorExistsError } from '../../shared/connectors/connector-store';
import { AppSettingsSecretStore, SecretNotFoundError } from '../../shared/platform/secrets/secret-store';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { createAccountsScenario, drainJobs, isolatedStores, RecordingSecretWriter, TM_PASSWORD, TM_USERNAME } from './admin-fixture';

const NOW = new Date('2026-03-10T15:30:00.000Z');
const clock = (): Date => NOW;
const WRONG_PASSWORD = 'Wrong-but-secret-7?';

let azurite: TestAzurite;
let clients: StorageClients;
let simulator: TeleMessageSimulator;
let scenario: { dir: string; remove(): Promise<void> };
before(async () => {
  scenario = await createAccountsScenario();
  [azurite, simulator] = await Promise.all([startTestAzurite(), TeleMessageSimulator.start({ scenarioDir: scenario.dir })]);
  clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
});
after(async () => {
  await Promise.all([azurite?.stop(), simulator?.stop()]);
  await scenario?.remove();
});

const checkCredentials = teleMessageCredentialCheck({ maxAttempts: 1, addressPolicy: { allowLoopback: true } });

function fixture(env: Record<string, string> = { SECRET_TM_ATT: TM_PASSWORD }) {
  const stores = isolatedStores(clients, clock);
  const secretWriter = new RecordingSecretWriter();
  // The simulator is on loopback, as in local development.
  const deps = { connectors: stores.connectors, secrets: new AppSettingsSecretStore(env), secretWriter, checkCredentials, clock, addressPolicy: { allowLoopback: true } };
  const request = (overrides: Partial<AddConnectorRequest> = {}): AddConnectorRequest => ({
    id: 'att-main',
    product: 'att-network',
    baseUrl: simulator.url,
    username: TM_USERNAME,
    passwordSecretName: 'tm-att',
    ...overrides,
  });
  return { ...stores, secretWriter, deps, request };
}

describe('connectors add', () => {
  test('a valid connector gets the product folder, a checkpoint 24 hours back and the state the scheduler expects', async () => {
    const f = fixture();
    const { connector, secretStoredIn } = await addConnector(f.request(), f.deps);
    assert.equal(secretStoredIn, undefined, 'no password was given, so none is stored');
    assert.deepEqual(connector, {
      id: 'att-main',
      product: 'att-network',
      folderName: 'AT&T SMS/MMS Network Archiver',
      baseUrl: simulator.url,
      username: TM_USERNAME,
      passwordSecretName: 'tm-att',
      enabled: true,
      autoMapping: true,
      defaultRegion: 'US',
      checkpoint: '2026-03-09T15:30:00.000Z',
      scheduledThrough: '2026-03-09T15:30:00.000Z',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    assert.deepEqual(await f.connectors.get('att-main'), connector);
    assert.ok(!JSON.stringify(connector).includes(TM_PASSWORD), 'the record holds the secret name, never the password');
  });

  test('startFrom names an earlier back-fill start; the region, folder and mapping choices are kept', async () => {
    const f = fixture();
    const { connector } = await addConnector(
      f.request({ id: 'wechat-cn', product: 'wechat', startFrom: '2026-01-01', region: 'cn', folderName: ' WeChat (China) ', enabled: false, autoMapping: false }),
      f.deps,
    );
    assert.equal(connector.checkpoint, '2026-01-01T00:00:00.000Z');
    assert.equal(connector.scheduledThrough, '2026-01-01T00:00:00.000Z');
    assert.equal(connector.defaultRegion, 'CN');
    assert.equal(connector.folderName, 'WeChat (China)');
    assert.equal(connector.enabled, false);
    assert.equal(connector.autoMapping, false);
  });

  const refusals: [string, Partial<AddConnectorRequest>, string, RegExp][] = [
    ['an http URL off loopback', { baseUrl: 'http://archive.example.com' }, 'base-url', /must use https/],
    ['a relative URL', { baseUrl: 'archive.example.com/api' }, 'base-url', /not an absolute URL/],
    ['credentials in the URL', { baseUrl: 'https://user:pw@archive.example.com' }, 'base-url', /must not contain a user name or password/],
    ['an unknown product', { product: 'signal' }, 'product', /"signal" is not a known product; use one of att-network, wechat/],
    ['an id with capitals', { id: 'ATT-Main' }, 'id', /not a valid connector id/],
    ['a one-letter id', { id: 'a' }, 'id', /not a valid connector id/],
    ['an unknown region', { region: 'XX' }, 'region', /not a supported region/],
    ['a local time without zone', { startFrom: '2026-01-01T00:00:00' }, 'start-from', /with a time zone/],
    ['a start in the future', { startFrom: '2026-04-01T00:00:00Z' }, 'start-from', /in the future/],
    ['a secret name Key Vault refuses', { passwordSecretName: 'tm_att' }, 'password-secret', /not a valid secret name/],
    // Retention policies empty some well-known folders: an archive must never be filed in one.
    ['the well-known folder Deleted Items', { folderName: 'Deleted Items' }, 'folder-name', /well-known folder/],
    ['the well-known folder Junk Email, spelt loosely', { folderName: ' junk  EMAIL ' }, 'folder-name', /well-known folder/],
    ['the well-known folder Inbox', { folderName: 'Inbox' }, 'folder-name', /well-known folder/],
    ['a well-known folder by its Graph name', { folderName: 'recoverableitemsdeletions' }, 'folder-name', /well-known folder/],
  ];
  for (const [what, overrides, field, message] of refusals) {
    test(`refuses ${what}, naming the field, and creates nothing`, async () => {
      const f = fixture();
      await assert.rejects(addConnector(f.request(overrides), f.deps), (error: unknown) => {
        assert.ok(error instanceof InvalidAdminInputError, String(error));
        assert.equal(error.field, field);
        assert.match(error.message, message);
        return true;
      });
      assert.deepEqual(await f.connectors.list(), []);
    });
  }

  test('refuses credentials TeleMessage rejects; the password given is neither stored nor part of the error', async () => {
    const f = fixture();
    await assert.rejects(addConnector(f.request({ password: WRONG_PASSWORD }), f.deps), (error: unknown) => {
      assert.ok(error instanceof TeleMessageCheckError, String(error));
      assert.equal(error.reason, 'rejected');
      assert.match(error.message, /rejected the credentials of user "contoso-api"/);
      assert.ok(!error.message.includes(WRONG_PASSWORD));
      assert.ok(!JSON.stringify(error, Object.getOwnPropertyNames(error)).includes(WRONG_PASSWORD));
      return true;
    });
    assert.equal(f.secretWriter.written.size, 0, 'a rejected password must not replace a working secret');
    assert.deepEqual(await f.connectors.list(), []);
  });

  test('refuses when the stored secret is rejected, and when it does not exist', async () => {
    const rejected = fixture({ SECRET_TM_ATT: WRONG_PASSWORD });
    await assert.rejects(addConnector(rejected.request(), rejected.deps), TeleMessageCheckError);
    const missing = fixture({});
    await assert.rejects(addConnector(missing.request(), missing.deps), (error: unknown) => {
      assert.ok(error instanceof SecretNotFoundError);
      assert.match(error.message, /SECRET_TM_ATT/);
      return true;
    });
  });

  test('a TeleMessage that does not answer is reported as unreachable', async () => {
    const f = fixture();
    await assert.rejects(addConnector(f.request({ baseUrl: 'http://127.0.0.1:9' }), f.deps), (error: unknown) => {
      assert.ok(error instanceof TeleMessageCheckError);
      assert.equal(error.reason, 'unreachable');
      assert.match(error.message, /could not be reached/);
      return true;
    });
  });

  test('a password given is checked first, then stored under the secret name', async () => {
    const f = fixture({});
    const result = await addConnector(f.request({ password: TM_PASSWORD }), f.deps);
    assert.equal(result.secretStoredIn, 'the test vault');
    assert.deepEqual([...f.secretWriter.written], [['tm-att', TM_PASSWORD]]);
  });

  test('an id already taken is refused before TeleMessage is asked', async () => {
    const f = fixture();
    await addConnector(f.request(), f.deps);
    let asked = 0;
    const deps = { ...f.deps, checkCredentials: async () => void asked++ };
    await assert.rejects(addConnector(f.request({ product: 'wechat' }), deps), ConnectorExistsError);
    assert.equal(asked, 0);
  });

  test('a connector on the EML transport reads no account: it may sit beside the API connector of that account and product', async () => {
    const f = fixture();
    await addConnector(f.request(), f.deps);
    await assert.rejects(addConnector(f.request({ id: 'att-copy' }), f.deps), /Connector "att-main" already archives att-network/);
    const { connector } = await addConnector(f.request({ id: 'att-eml', transport: 'eml-drop', folderName: 'Texts (EML)' }), f.deps);
    assert.equal(connector.transport, 'eml-drop');
  });

  test('with automatic mapping off, an enabled connector is refused: it could map nobody', async () => {
    const f = fixture();
    await assert.rejects(addConnector(f.request({ autoMapping: false }), f.deps), (error: unknown) => {
      assert.ok(error instanceof ConnectorStateError);
      assert.match(error.message, /add it disabled, apply a mapping file, then enable it/);
      return true;
    });
    assert.deepEqual(await f.connectors.list(), []);
  });
});

describe('local secret writer', () => {
  test('creates local.settings.json from the sample beside it, owner-only, and keeps what is there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'admin-settings-'));
    try {
      await writeFile(join(dir, 'local.settings.sample.json'), JSON.stringify({ IsEncrypted: false, Values: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' } }));
      const file = join(dir, 'local.settings.json');
      await new LocalSettingsSecretWriter(file).set('telemessage-att-main', 'first');
      const created = JSON.parse(await readFile(file, 'utf8')) as { Values: Record<string, string> };
      assert.deepEqual(created.Values, { AzureWebJobsStorage: 'UseDevelopmentStorage=true', SECRET_TELEMESSAGE_ATT_MAIN: 'first' });
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      await new LocalSettingsSecretWriter(file).set('telemessage-att-main', 'second');
      const updated = JSON.parse(await readFile(file, 'utf8')) as { Values: Record<string, string> };
      assert.equal(updated.Values['SECRET_TELEMESSAGE_ATT_MAIN'], 'second');
      assert.equal(updated.Values['AzureWebJobsStorage'], 'UseDevelopmentStorage=true');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('connectors list, enable, disable', () => {
  test('list shows every connector; enable and disable switch it', async () => {
    const f = fixture();
    await addConnector(f.request({ id: 'b-conn', enabled: false }), f.deps);
    await addConnector(f.request({ id: 'a-conn', product: 'wechat' }), f.deps);
    assert.deepEqual((await listConnectors(f)).map((c) => [c.id, c.enabled]), [['a-conn', true], ['b-conn', false]]);
    assert.equal((await enableConnector('b-conn', f)).enabled, true);
    assert.equal((await f.connectors.get('b-conn')).enabled, true);
    assert.equal((await disableConnector('a-conn', f)).enabled, false);
    assert.equal((await f.connectors.get('a-conn')).enabled, false);
  });

  test('enable is refused with automatic mapping off and no mapping file, and allowed once a mapping file is recorded', async () => {
    const f = fixture();
    await addConnector(f.request({ autoMapping: false, enabled: false }), f.deps);
    await assert.rejects(enableConnector('att-main', f), (error: unknown) => {
      assert.ok(error instanceof ConnectorStateError);
      assert.match(error.message, /automatic user mapping off and no mapping file/);
      return true;
    });
    assert.equal((await f.connectors.get('att-main')).enabled, false);
    await f.connectors.update('att-main', (c) => ({ ...c, mappingFile: { version: 'v1', appliedAt: NOW.toISOString(), rows: 1 } }));
    assert.equal((await enableConnector('att-main', f)).enabled, true);
  });
});

describe('connectors run', () => {
  test('run queues base64 JSON jobs from the checkpoint to now, one per UTC day, and records queued runs', async () => {
    const f = fixture();
    await addConnector(f.request(), f.deps);
    const result = await runConnector({ id: 'att-main' }, { connectors: f.connectors, scheduler: f.scheduler, clock });
    assert.deepEqual(result.queued, [
      { from: '2026-03-09T15:30:00.000Z', to: '2026-03-10T00:00:00.000Z' },
      { from: '2026-03-10T00:00:00.000Z', to: '2026-03-10T15:25:00.000Z' },
    ]);
    const jobs = await drainJobs(f.queue);
    assert.deepEqual(jobs.map((j) => [j.connectorId, j.from, j.to]), result.queued.map((w) => ['att-main', w.from, w.to]));
    const runs = await listRuns('att-main', f);
    assert.deepEqual(runs.map((r) => [r.from, r.status]), [
      ['2026-03-10T00:00:00.000Z', 'queued'],
      ['2026-03-09T15:30:00.000Z', 'queued'],
    ]);
    assert.deepEqual(new Set(runs.map((r) => r.runId)), new Set(jobs.map((j) => j.runId)));
  });

  test('a back-fill window is queued per day; asking again skips windows still queued', async () => {
    const f = fixture();
    await addConnector(f.request(), f.deps);
    const deps = { connectors: f.connectors, scheduler: f.scheduler, clock };
    const first = await runConnector({ id: 'att-main', from: '2026-01-01T12:00:00Z', to: '2026-01-03T00:00:00Z' }, deps);
    assert.deepEqual(first.queued, [
      { from: '2026-01-01T12:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
      { from: '2026-01-02T00:00:00.000Z', to: '2026-01-03T00:00:00.000Z' },
    ]);
    assert.equal((await drainJobs(f.queue)).length, 2);
    const again = await runConnector({ id: 'att-main', from: '2026-01-01T12:00:00Z', to: '2026-01-03T00:00:00Z' }, deps);
    assert.deepEqual(again.queued, []);
    assert.equal(again.skipped, 2);
    assert.deepEqual(await drainJobs(f.queue), []);
  });

  test('a back-fill window must be in order and in the past; a disabled connector is not run', async () => {
    const f = fixture();
    await addConnector(f.request(), f.deps);
    const deps = { connectors: f.connectors, scheduler: f.scheduler, clock };
    await assert.rejects(runConnector({ id: 'att-main', from: '2026-01-03T00:00:00Z', to: '2026-01-01T00:00:00Z' }, deps), /must be after from/);
    await assert.rejects(runConnector({ id: 'att-main', from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' }, deps), /in the future/);
    await assert.rejects(runConnector({ id: 'att-main', to: '2026-03-01T00:00:00Z' }, deps), /from: is required with --to/);
    await disableConnector('att-main', f);
    await assert.rejects(runConnector({ id: 'att-main' }, deps), ConnectorStateError);
    assert.deepEqual(await drainJobs(f.queue), []);
  });
});
