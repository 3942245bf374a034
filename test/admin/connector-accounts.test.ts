import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { runCli } from '../../shared/admin-cli/cli';
import type { Connector } from '../../shared/connectors/connector';
import { createAccountsScenario, TM_PASSWORD, TM_USERNAME } from './admin-fixture';

/**
 * Issue #10, defects 6 and 10, through the command line and its real services (Azurite, the
 * TeleMessage simulator): one connector per TeleMessage account and product, `connectors update`
 * in place, and base URLs that would send the password to an internal address.
 */

let azurite: TestAzurite;
let simulator: TeleMessageSimulator;
let scenario: { dir: string; remove(): Promise<void> };
let cwd: string;
before(async () => {
  scenario = await createAccountsScenario();
  cwd = await mkdtemp(join(tmpdir(), 'connector-accounts-'));
  [azurite, simulator] = await Promise.all([startTestAzurite(), TeleMessageSimulator.start({ scenarioDir: scenario.dir })]);
});
after(async () => {
  await Promise.all([azurite?.stop(), simulator?.stop()]);
  await Promise.all([scenario?.remove(), cwd === undefined ? undefined : rm(cwd, { recursive: true, force: true })]);
});

async function cli(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => void (stdout += `${text}\n`),
    stderr: (text) => void (stderr += `${text}\n`),
    readStdin: async () => stdin,
    stdinIsTTY: false,
    env: { AzureWebJobsStorage: azurite.connectionString, SECRET_TM_SHARED: TM_PASSWORD },
    cwd,
  });
  return { code, stdout, stderr };
}

function add(id: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return cli(['connectors', 'add', '--id', id, '--product', 'att-network', '--base-url', simulator.url, '--username', TM_USERNAME, '--password-secret', 'tm-shared', ...extra]);
}

async function show(id: string): Promise<Connector> {
  const run = await cli(['connectors', 'show', '--id', id, '--json']);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Connector;
}

describe('one connector per TeleMessage account and product (defect 6)', () => {
  test('a second connector on the same account and product is refused, naming the first; another product is not', async () => {
    const first = await add('att-main');
    assert.equal(first.code, 0, first.stderr);

    for (const [baseUrl, username] of [[simulator.url, TM_USERNAME], [`${simulator.url}/`, TM_USERNAME.toUpperCase()]] as const) {
      const second = await cli(['connectors', 'add', '--id', 'att-copy', '--product', 'att-network', '--base-url', baseUrl, '--username', username, '--password-secret', 'tm-shared']);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /^Error: Connector "att-main" already archives att-network of TeleMessage user "contoso-api" at http:\/\/127\.0\.0\.1:\d+; .*import every item twice.*connectors update --id att-main/);
    }
    assert.equal((await cli(['connectors', 'show', '--id', 'att-copy'])).code, 1, 'nothing added');

    const wechat = await add('wechat-main', ['--product', 'wechat']);
    assert.equal(wechat.code, 0, wechat.stderr);
  });

  test('update changes the folder in place, validated as add validates it; checkpoint and the rest stay', async () => {
    const before = await show('att-main');
    const moved = await cli(['connectors', 'update', '--id', 'att-main', '--folder-name', 'Texts (archive)']);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /^Connector "att-main" updated: folder-name\.\nItems imported from now on go to folder "Texts \(archive\)"; copies already imported stay where they are\.\n$/);
    const after = await show('att-main');
    assert.equal(after.folderName, 'Texts (archive)');
    assert.deepEqual({ ...after, folderName: before.folderName, updatedAt: before.updatedAt }, before);

    const wellKnown = await cli(['connectors', 'update', '--id', 'att-main', '--folder-name', 'Deleted Items']);
    assert.equal(wellKnown.code, 1);
    assert.match(wellKnown.stderr, /^Error: --folder-name: "Deleted Items" is a well-known folder/);
    const nothing = await cli(['connectors', 'update', '--id', 'att-main']);
    assert.deepEqual([nothing.code, nothing.stdout], [0, 'Connector "att-main": nothing to change.\n']);
    assert.equal((await show('att-main')).folderName, 'Texts (archive)');
  });

  test('a change of account is checked with TeleMessage before it is saved, and refused when another connector has that account', async () => {
    const rejected = await cli(['connectors', 'update', '--id', 'att-main', '--username', 'someone-else']);
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /rejected the credentials of user "someone-else"/);
    assert.equal((await show('att-main')).username, TM_USERNAME, 'unchanged');

    // The same simulator named another way is another account as far as the check can tell; moving onto att-main's is refused.
    const other = await add('att-other', ['--base-url', simulator.url.replace('127.0.0.1', 'localhost')]);
    assert.equal(other.code, 0, other.stderr);
    const collide = await cli(['connectors', 'update', '--id', 'att-other', '--base-url', simulator.url]);
    assert.equal(collide.code, 1);
    assert.match(collide.stderr, /^Error: Connector "att-main" already archives att-network/);

    const password = await cli(['connectors', 'update', '--id', 'att-other', '--password-secret', 'tm-other', '--password-stdin'], `${TM_PASSWORD}\n`);
    assert.equal(password.code, 0, password.stderr);
    assert.match(password.stdout, /updated: password-secret, password\./);
    assert.ok(!password.stdout.includes(TM_PASSWORD));
    assert.equal((await show('att-other')).passwordSecretName, 'tm-other');
  });
});

describe('base URLs to internal addresses are refused at add and update (defect 10)', () => {
  const refused = [
    'https://169.254.169.254/latest/meta-data',
    'https://2852039166',
    'https://0xa9fea9fe',
    'https://0251.0376.0251.0376',
    'https://[::ffff:169.254.169.254]',
    'https://[::ffff:a9fe:a9fe]',
    'https://[fd00:ec2::254]',
    'https://[fe80::1]',
    'https://10.0.0.1',
    'https://172.16.5.4',
    'https://192.168.1.10',
    'https://[fc00::1]',
    'https://100.100.100.200',
    'https://168.63.129.16',
    'https://metadata.google.internal',
    'https://METADATA.google.internal.',
    'https://0.0.0.0',
  ];
  for (const url of refused) {
    test(`${url} is refused with the address named`, async () => {
      const run = await cli(['connectors', 'add', '--id', 'att-evil', '--product', 'wechat', '--base-url', url, '--username', 'x', '--password-secret', 'tm-shared']);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^Error: --base-url: "https:\/\/[^"]+": .*(link-local|private|metadata|unspecified).*; TeleMessage is reached at a public address\n$/);
    });
  }

  test('update refuses them too, and the connector keeps its URL', async () => {
    const run = await cli(['connectors', 'update', '--id', 'att-main', '--base-url', 'https://[::ffff:a9fe:a9fe]']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^Error: --base-url: "https:\/\/\[::ffff:a9fe:a9fe\]": ::ffff:a9fe:a9fe is a metadata address/);
    assert.equal((await show('att-main')).baseUrl, simulator.url);
  });
});
