/**
 * The run command (`npm start`) as a user runs it: it prints where the mailboxes are written,
 * imports the demo scenario on its first run, reports each import with its mailboxes, captures new
 * SMS in the simulated TeleMessage, and stops cleanly on Ctrl-C (SIGINT).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeWorkdir } from './e2e-scenario';
import { waitFor } from './pipeline-fixture';

const START_CLI = path.join(__dirname, '..', '..', 'dev', 'start.js');

describe('npm start', () => {
  let work: { dir: string; remove(): Promise<void> };
  before(async () => {
    work = await makeWorkdir();
  });
  after(() => work?.remove());

  test('imports on its first run, prints each import and where the mailboxes are, captures new SMS, stops on SIGINT', async () => {
    const env = { ...process.env };
    delete env['NODE_TEST_CONTEXT'];
    const child = spawn(process.execPath, [START_CLI, '--workdir', work.dir, '--port', '0', '--capture-seconds', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const anaFile = path.join(work.dir, 'graph', 'mailboxes', 'ana.diaz@contoso.com', 'mailbox.json');
      await waitFor('the mailbox paths', () => (output.includes(anaFile) ? true : undefined), 60_000);
      await waitFor('the group MMS imported into three mailboxes', () => (/imported tm-att-0008 \(contoso-att\) into (\S+@contoso\.com(, )?){3}\n/.test(output) ? true : undefined), 60_000);
      await waitFor('an unmapped item with its reasons', () => (/unmapped tm-att-0019 \(contoso-att\): .*not in the mapping file/.test(output) ? true : undefined), 60_000);
      await waitFor('a captured SMS', () => (/captured tm-att-live-\S+ in TeleMessage \(sms/.test(output) ? true : undefined), 30_000);
    } finally {
      // Ctrl-C; the command must have exited before the work folder is removed.
      child.kill('SIGINT');
      await exited.catch(() => undefined);
    }
    const [code] = await exited;
    assert.equal(code, 0, output);
    assert.match(output, /SIGINT received: stopping/);
    // Stopped cleanly: the Graph simulator wrote the mailbox before the command exited.
    assert.ok(existsSync(path.join(work.dir, 'graph', 'mailboxes', 'ana.diaz@contoso.com', 'mailbox.json')));
    assert.ok(existsSync(path.join(work.dir, 'azurite')));
  });
});
