import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { TableClient } from '@azure/data-tables';
import { TableAuditTrail } from '../../shared/audit/audit-trail';
import { NoTelemetry } from '../../shared/platform/telemetry/telemetry';
import { Tables } from '../../shared/platform/storage/storage-names';
import { join } from 'node:path';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { BlobServiceClient } from '@azure/storage-blob';
import { runCli } from '../../shared/admin-cli/cli';
import { createAdminServices, loadAdminSettings } from '../../shared/app/services';
import { EML_DROP_CONTAINER } from '../../shared/eml-drop/drop-zone';
import type { Connector } from '../../shared/connectors/connector';
import { createAccountsScenario, TM_PASSWORD, TM_USERNAME } from '../admin/admin-fixture';

/** The compiled CLI, from this file's folder (dist/test/admin-cli). */
const CLI = join(__dirname, '..', '..', 'shared', 'admin-cli', 'cli.js');
const WRONG_PASSWORD = 'Not-the-password-42!';

let azurite: TestAzurite;
/** The SFTP drop zone's account: another Azurite account, so that the CLI must use DropZoneStorage to find it. */
let dropZone: TestAzurite;
let simulator: TeleMessageSimulator;
let scenario: { dir: string; remove(): Promise<void> };
let cwd: string;
before(async () => {
  scenario = await createAccountsScenario();
  cwd = await mkdtemp(join(tmpdir(), 'admin-cli-'));
  [azurite, dropZone, simulator] = await Promise.all([startTestAzurite(), startTestAzurite(), TeleMessageSimulator.start({ scenarioDir: scenario.dir })]);
});
after(async () => {
  await Promise.all([azurite?.stop(), dropZone?.stop(), simulator?.stop()]);
  await Promise.all([scenario?.remove(), cwd === undefined ? undefined : rm(cwd, { recursive: true, force: true })]);
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in a folder of its own, with only the storage setting in its environment. Each
 * spawn loads the storage SDKs again (about a second of CPU): the cases kept here are those about
 * the program itself (its usage exit code, reading standard input, finding local.settings.json in
 * its working folder); the others run {@link cliInProcess}.
 */
function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', AzureWebJobsStorage: azurite.connectionString, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The same command line in this process: quicker, for the commands whose output is checked in detail. */
async function cliInProcess(args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => void (stdout += `${text}\n`),
    stderr: (text) => void (stderr += `${text}\n`),
    readStdin: async () => '',
    stdinIsTTY: false,
    env: { AzureWebJobsStorage: azurite.connectionString, ...extraEnv },
    cwd,
  });
  return { code, stdout, stderr };
}

function addArgs(id: string, extra: string[] = []): string[] {
  return ['connectors', 'add', '--id', id, '--product', 'att-network', '--base-url', simulator.url, '--username', TM_USERNAME, '--password-secret', `tm-${id}`, ...extra];
}

describe('the administration command line', () => {
  test('a wrong command line exits 2 with one line naming the mistake', async () => {
    const noCommand = await cli(['connectors']);
    assert.equal(noCommand.code, 2);
    assert.match(noCommand.stdout, /Usage: npm run connectors -- <command>/);

    const unknown = await cliInProcess(['connectors', 'list', '--colour']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'Error: unknown option --colour (see: npm run connectors -- list --help)\n');

    const missing = await cliInProcess(['connectors', 'add', '--id', 'att-main']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^Error: --product, --base-url, --username, --password-secret are required/);

    const noSettings = await cliInProcess(['connectors', 'list', '--settings', 'elsewhere.json']);
    assert.equal(noSettings.code, 1);
    assert.equal(noSettings.stderr, `Error: --settings: ${join(cwd, 'elsewhere.json')} does not exist\n`);

    const help = await cliInProcess(['mapping', 'apply', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: npm run mapping -- apply --connector ID --file FILE \[options\]/);
  });

  test('add refuses a bad URL with exit 1 and one clear line', async () => {
    const run = await cliInProcess(addArgs('att-main', ['--base-url', 'http://archive.example.com']));
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'Error: --base-url: "http://archive.example.com" must use https (http is allowed on loopback only)\n');
  });

  test('add refuses credentials TeleMessage rejects, stores nothing, and never prints the password', async () => {
    const run = await cli(addArgs('att-main', ['--password-stdin']), { stdin: `${WRONG_PASSWORD}\n` });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^Error: TeleMessage at http:\/\/127\.0\.0\.1:\d+ rejected the credentials of user "contoso-api"/);
    assert.equal(run.stderr.split('\n').length, 2, 'one line');
    assert.ok(!run.stdout.includes(WRONG_PASSWORD) && !run.stderr.includes(WRONG_PASSWORD));
    await assert.rejects(access(join(cwd, 'local.settings.json')), 'no secret was written');
  });

  test('add stores the password in local.settings.json; list, run and mapping commands work on what it added', async () => {
    const added = await cli(addArgs('att-main', ['--password-stdin']), { stdin: `${TM_PASSWORD}\n` });
    assert.equal(added.stderr, '');
    assert.equal(added.code, 0);
    assert.match(added.stdout, /Connector "att-main" added \(enabled\): att-network into folder "AT&T SMS\/MMS Network Archiver"/);
    assert.ok(!added.stdout.includes(TM_PASSWORD));
    const settings = JSON.parse(await readFile(join(cwd, 'local.settings.json'), 'utf8')) as { Values: Record<string, string> };
    assert.equal(settings.Values['SECRET_TM_ATT_MAIN'], TM_PASSWORD);

    // Without --password-stdin the secret is now read from local.settings.json in the current folder.
    const second = await cli(addArgs('att-second', ['--product', 'wechat', '--password-secret', 'tm-att-main', '--disabled', '--auto-mapping', 'off']));
    assert.equal(second.code, 0, second.stderr);

    const list = await cliInProcess(['connectors', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const connectors = JSON.parse(list.stdout) as Connector[];
    assert.deepEqual(connectors.map((c) => [c.id, c.enabled, c.autoMapping]), [['att-main', true, true], ['att-second', false, false]]);
    const table = await cliInProcess(['connectors', 'list']);
    assert.match(table.stdout, /^ID +PRODUCT +ENABLED +FOLDER/);

    const enable = await cliInProcess(['connectors', 'enable', '--id', 'att-second']);
    assert.equal(enable.code, 1);
    assert.match(enable.stderr, /automatic user mapping off and no mapping file/);

    const run = await cliInProcess(['connectors', 'run', '--id', 'att-main', '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-03T00:00:00Z']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      'Queued 2 fetch windows for connector "att-main":\n' +
        '  2026-01-01T00:00:00.000Z  to  2026-01-02T00:00:00.000Z\n' +
        '  2026-01-02T00:00:00.000Z  to  2026-01-03T00:00:00.000Z\n',
    );

    await writeFile(join(cwd, 'bad.csv'), 'Mobile,UPN\n+1 202 555 0143,ana@contoso.com\n555-01,bob@contoso.com\n');
    const validate = await cliInProcess(['mapping', 'validate', '--connector', 'att-second', '--file', 'bad.csv']);
    assert.equal(validate.code, 1);
    assert.match(validate.stdout, /^line 3: error: "555-01" is not a readable phone number/m);
    assert.match(validate.stdout, /2 rows, 1 number mapped; 1 error, 0 warnings\. The file cannot be applied\./);
    const refused = await cliInProcess(['mapping', 'apply', '--connector', 'att-second', '--file', 'bad.csv']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^Error: The mapping file was not applied to connector "att-second": it has 1 error; the mapping in force stays in force\.\n$/);

    await writeFile(join(cwd, 'good.csv'), 'Mobile,UPN\n+1 202 555 0143,ana@contoso.com\n');
    const applied = await cliInProcess(['mapping', 'apply', '--connector', 'att-second', '--file', 'good.csv']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /^Applied version \d{8}T\d{9}Z-[0-9a-f]{8} to connector "att-second": 1 number from 1 row\./);
    const enabled = await cliInProcess(['connectors', 'enable', '--id', 'att-second']);
    assert.equal(enabled.code, 0, enabled.stderr);
    const shown = await cliInProcess(['mapping', 'show', '--connector', 'att-second', '--json']);
    assert.deepEqual((JSON.parse(shown.stdout) as { mapping: { entries: object } }).mapping.entries, { '+12025550143': 'ana@contoso.com' });

    const unmapped = await cliInProcess(['items', 'unmapped', '--connector', 'att-second']);
    assert.deepEqual([unmapped.code, unmapped.stdout], [0, 'No unmapped items.\n']);

    // Every change is in the audit trail under the OS user, as the web page's are under the signed-in one; refusals are not.
    const trail = new TableAuditTrail(TableClient.fromConnectionString(azurite.connectionString, Tables.audit, { allowInsecureConnection: true }), new NoTelemetry());
    const entries = (await trail.list()).reverse();
    const user = userInfo().username;
    assert.deepEqual(
      entries.map((e) => [e.action, e.connectorId, e.actor.id, e.actor.via]),
      [
        ['connector.added', 'att-main', `cli:${user}`, 'cli'],
        ['connector.added', 'att-second', `cli:${user}`, 'cli'],
        ['connector.backfill', 'att-main', `cli:${user}`, 'cli'],
        ['mapping.applied', 'att-second', `cli:${user}`, 'cli'],
        ['connector.enabled', 'att-second', `cli:${user}`, 'cli'],
      ],
    );
    assert.ok(!JSON.stringify(entries).includes(TM_PASSWORD));
  });

  test('add --transport eml-drop: no TeleMessage credentials, its folder in the drop zone, never a fetch job', async () => {
    const env = { DropZoneStorage: dropZone.connectionString };
    // Credentials are optional on the EML transport; given, they are checked as for the archive API.
    const withUrl = await cliInProcess(['connectors', 'add', '--id', 'att-sftp', '--product', 'att-network', '--transport', 'eml-drop', '--base-url', simulator.url], env);
    assert.equal(withUrl.code, 1);
    assert.match(withUrl.stderr, /^Error: --username: is required for a connector that reads TeleMessage's archive API/);
    const withPassword = await cliInProcess(['connectors', 'add', '--id', 'att-sftp', '--product', 'att-network', '--transport', 'eml-drop', '--start-from', '2026-01-01'], env);
    assert.equal(withPassword.code, 1);
    assert.match(withPassword.stderr, /^Error: --start-from: is for a connector that reads the archive API; a connector on the eml-drop transport receives ZIPs over SFTP/);
    const badTransport = await cliInProcess(['connectors', 'add', '--id', 'att-sftp', '--product', 'att-network', '--transport', 'sftp'], env);
    assert.equal(badTransport.code, 1);
    assert.match(badTransport.stderr, /^Error: --transport: "sftp" must be archive-api or eml-drop/);
    const archiveWithout = await cliInProcess(['connectors', 'add', '--id', 'att-sftp', '--product', 'att-network'], env);
    assert.equal(archiveWithout.code, 2, 'the archive API still needs its URL, user and secret');
    assert.match(archiveWithout.stderr, /^Error: --base-url, --username, --password-secret are required/);

    const added = await cliInProcess(['connectors', 'add', '--id', 'att-sftp', '--product', 'att-network', '--transport', 'eml-drop'], env);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^Connector "att-sftp" added \(enabled\): att-network into folder "AT&T SMS\/MMS Network Archiver", from TeleMessage's EML exports\.\nTeleMessage delivers its ZIPs over SFTP into eml-drop\/att-sftp\/ of the drop zone/);

    const shown = await cliInProcess(['connectors', 'show', '--id', 'att-sftp', '--json']);
    const connector = JSON.parse(shown.stdout) as Connector;
    assert.deepEqual([connector.transport, connector.baseUrl, connector.username, connector.passwordSecretName], ['eml-drop', '', '', '']);
    const text = await cliInProcess(['connectors', 'show', '--id', 'att-sftp']);
    assert.match(text.stdout, /^transport: +eml-drop: TeleMessage's EML export ZIPs over SFTP into eml-drop\/att-sftp\/$/m);
    assert.doesNotMatch(text.stdout, /base URL|password secret/);

    // The folder is made in the drop zone's account (DropZoneStorage), not in the pipeline's.
    const marker = await BlobServiceClient.fromConnectionString(dropZone.connectionString).getContainerClient(EML_DROP_CONTAINER).getBlobClient('att-sftp').getProperties();
    assert.equal(marker.metadata?.['hdi_isfolder'], 'true');
    assert.equal(await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(EML_DROP_CONTAINER).exists(), false);
    const again = await cliInProcess(['connectors', 'add', '--id', 'att-sftp', '--product', 'att-network', '--transport', 'eml-drop'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);

    const run = await cliInProcess(['connectors', 'run', '--id', 'att-sftp']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^Error: Connector "att-sftp" takes TeleMessage's EML exports over SFTP \(transport eml-drop\): it has nothing to fetch/);

    // The timer's schedule passes it by, and so would a direct call: no run record, no job.
    const services = createAdminServices(loadAdminSettings({ AzureWebJobsStorage: azurite.connectionString }), { env: {}, localSettingsFile: join(cwd, 'none.json') });
    const scheduled = await services.scheduler.scheduleAll();
    assert.ok(!scheduled.some((s) => s.connectorId === 'att-sftp'), 'scheduleAll skips it');
    assert.deepEqual(await services.scheduler.scheduleConnector(connector), { connectorId: 'att-sftp', queued: [], skipped: 0 });
    assert.deepEqual(await services.runs.list('att-sftp'), []);
  });
});
