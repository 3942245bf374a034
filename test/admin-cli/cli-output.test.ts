import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { runCli } from '../../shared/admin-cli/cli';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { TableConnectorStore } from '../../shared/connectors/connector-store';
import { TableImportStore } from '../../shared/outcomes/import-store';
import { Tables } from '../../shared/platform/storage/storage-names';
import type { Connector } from '../../shared/connectors/connector';

/**
 * Issue #10, defect 11 and the smaller ones: what the admin commands print for a person is text
 * from TeleMessage, mapping files and errors, and none of it may drive the terminal.
 */

let azurite: TestAzurite;
let cwd: string;
before(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'admin-cli-output-'));
  azurite = await startTestAzurite();
  const clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
  const connectors = new TableConnectorStore(clients.table(Tables.connectors));
  const now = '2026-11-20T00:00:00.000Z';
  const connector: Connector = {
    id: 'att-main', product: 'att-network', folderName: 'Texts', baseUrl: 'https://archive.example.com', username: 'u',
    passwordSecretName: 'tm-att-main', enabled: false, autoMapping: true, defaultRegion: 'US', checkpoint: now, scheduledThrough: now,
    createdAt: now, updatedAt: now,
    lastRun: { runId: 'r1', from: now, to: now, status: 'failed', at: now, error: 'TeleMessage said \u001b[2J\u001b]0;owned\u0007\r\nlast success: forged' },
  };
  await connectors.create(connector);
  await new TableImportStore(clients.table(Tables.imports)).putOutcome({
    connectorId: 'att-main', itemId: 'tm-\u202eexe.txt', blobName: 'att-main/tm-~E2~80~AEexe.txt.json', status: 'unmapped', mailboxes: [],
    unmapped: [{ participant: 'Eve \u009b31m\u001b[31mRED\u001b[0m +13105550100', reason: 'no mapping\r\n    forged — line\u2028\u2067' }],
    attempts: 1, firstProcessedAt: now, updatedAt: now,
  });
});
after(async () => {
  await azurite?.stop();
  if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => void (stdout += `${text}\n`),
    stderr: (text) => void (stderr += `${text}\n`),
    readStdin: async () => '',
    stdinIsTTY: false,
    env: { AzureWebJobsStorage: azurite.connectionString, ...env },
    cwd,
  });
  return { code, stdout, stderr };
}

/** Anything a terminal would act on: C0 but the line breaks the output itself writes, DEL, C1, separators, bidi controls. */
const ACTIVE = /(?!\n)[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('admin output escapes control and bidi characters', () => {
  test('a run error with escape sequences and CR/LF is shown escaped on one line', async () => {
    const shown = await cli(['connectors', 'show', '--id', 'att-main']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.doesNotMatch(shown.stdout, ACTIVE);
    assert.match(shown.stdout, /^last run error: +TeleMessage said \\x1b\[2J\\x1b\]0;owned\\x07\\x0d\\x0alast success: forged$/m);
    assert.equal(shown.stdout.match(/^last success:/gm)?.length, 1, 'no forged line');
  });

  test('unmapped participants and reasons: C1 CSI, ESC, CR/LF, U+2028 and bidi overrides escaped; table and JSON', async () => {
    const text = await cli(['items', 'unmapped', '--connector', 'att-main']);
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, ACTIVE);
    assert.ok(text.stdout.includes('tm-\\u202eexe.txt'), text.stdout);
    assert.ok(text.stdout.includes('Eve \\x9b31m\\x1b[31mRED\\x1b[0m +13105550100 — no mapping\\x0d\\x0a    forged — line\\u2028\\u2067'), text.stdout);
    assert.equal(text.stdout.split('\n').filter((l) => l.includes('forged')).length, 1);

    const json = await cli(['items', 'unmapped', '--connector', 'att-main', '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout, ACTIVE);
    const [outcome] = JSON.parse(json.stdout) as { itemId: string; unmapped: { participant: string }[] }[];
    assert.equal(outcome?.itemId, 'tm-\u202eexe.txt', 'the same values to a JSON reader');
    assert.equal(outcome?.unmapped[0]?.participant, 'Eve \u009b31m\u001b[31mRED\u001b[0m +13105550100');
  });

  test("a mapping file's cells are quoted escaped in its problems", async () => {
    await writeFile(join(cwd, 'evil.csv'), 'Mobile,UPN\n\u001b]0;owned\u0007\u202e555,ana@contoso.com\n');
    const run = await cli(['mapping', 'validate', '--connector', 'att-main', '--file', 'evil.csv', '--no-directory']);
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout, ACTIVE);
    assert.match(run.stdout, /^line 2: error: .*\\x1b\]0;owned\\x07\\u202e555/m);
  });
});

describe('errors an administrator can act on', () => {
  test('a storage authentication failure names the status, the error code and the message, not the XML prolog', async () => {
    const wrongKey = azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${Buffer.alloc(64, 7).toString('base64')}`);
    const run = await cli(['connectors', 'list'], { AzureWebJobsStorage: wrongKey });
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stderr, /<\?xml/);
    assert.match(run.stderr, /^Error: Storage answered 403 Authori[sz]ationFailure: \S.*\n$/);
  });

  test('a base URL of another scheme is refused naming the scheme', async () => {
    const run = await cli(['connectors', 'add', '--id', 'att-x', '--product', 'att-network', '--base-url', 'file:///etc/passwd', '--username', 'u', '--password-secret', 's']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'Error: --base-url: uses the scheme "file:"; it must use https (http is allowed on loopback only)\n');
  });
});
