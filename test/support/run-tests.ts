import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzuriteProcess } from '../../dev/azurite';
import { SHARED_AZURITE_ENV, sharedAccountNames, type SharedAzurite } from './test-azurite';

/**
 * `npm test`: starts ONE Azurite (in memory, free ports) for the whole run, hands it to every test
 * file through {@link SHARED_AZURITE_ENV}, runs `node --test` on the compiled test files (or on the
 * files given as arguments), and stops Azurite at the end. Each fixture borrows an account of its
 * own (test/support/test-azurite.ts), so test files stay isolated as if each had its own Azurite.
 * Node 20 has no `--test-global-setup`, hence a runner of our own.
 */

/** More than the fixtures of a whole run claim; a fixture that finds none left starts its own Azurite. */
const ACCOUNTS = 200;

async function main(): Promise<number> {
  const given = process.argv.slice(2);
  const files = given.length > 0 ? given : await testFiles(path.resolve(__dirname, '..'));
  const claimsDir = await mkdtemp(path.join(os.tmpdir(), 'archiver-test-accounts-'));
  const accounts = sharedAccountNames(ACCOUNTS);
  const azurite = await AzuriteProcess.start({ accounts });
  try {
    const shared: SharedAzurite = { endpoints: azurite.endpoints, accounts, claimsDir };
    const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency()}`, ...files], {
      stdio: 'inherit',
      env: { ...process.env, [SHARED_AZURITE_ENV]: JSON.stringify(shared) },
    });
    // Ctrl-C reaches the child through the terminal; a SIGTERM sent to this process alone is passed on.
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', forward);
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    return code ?? (signal === null ? 1 : 128 + (os.constants.signals[signal] ?? 0));
  } finally {
    await azurite.stop();
    await rm(claimsDir, { recursive: true, force: true });
  }
}

/**
 * How many test files run at once. Most of a file's time is spent waiting on Azurite, a host
 * process or a simulator, not on this machine's cores, so the run uses more files than cores
 * (node's default is one less than the cores: one file at a time on a 2-core machine).
 * TEST_CONCURRENCY overrides it.
 */
function concurrency(): number {
  const given = Number(process.env['TEST_CONCURRENCY']);
  return Number.isInteger(given) && given > 0 ? given : Math.max(2, os.availableParallelism() + 2);
}

/** Every `*.test.js` under the compiled test folder, in a stable order. */
async function testFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries
    .filter((name) => name.endsWith('.test.js'))
    .map((name) => path.relative(process.cwd(), path.join(root, name)))
    .sort();
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
