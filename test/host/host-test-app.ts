/** Helpers for the host core tests: temporary app roots and the test app's records. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// Types only: importing the app module itself would register its functions in this process.
import type { TimerRecord } from '../host-app/functions/timer-and-http';

/** Where the test app writes its records (see test/host-app/functions/timer-and-http.ts). */
export const HOST_TEST_RECORD_DIR = 'HOST_TEST_RECORD_DIR';
/** While this file exists in the record dir, the test app's `gate` timer holds its run open. */
export const GATE_FILE = 'gate-closed';

/** The compiled timer and HTTP test functions. */
export const TIMER_AND_HTTP_ENTRY = path.resolve(__dirname, '../host-app/functions/timer-and-http.js');

/** A schedule that never fires during a test. */
export const YEARLY = '0 0 0 1 1 *';

export interface TestAppOptions {
  /** local.settings.json Values (the record dir is added). */
  values?: Record<string, string>;
  hostJson?: Record<string, unknown>;
  /** package.json `main`; default the timer and HTTP test functions. */
  main?: string;
  /** Extra files to write, relative to the app root. */
  files?: Record<string, string>;
}

export interface TestApp {
  appRoot: string;
  recordDir: string;
  remove(): void;
}

export function createTestApp(options: TestAppOptions = {}): TestApp {
  const appRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'host-core-app-'));
  const recordDir = path.join(appRoot, 'records');
  fs.mkdirSync(recordDir);
  const hostJson = options.hostJson ?? { version: '2.0', logging: { logLevel: { default: 'Information' } } };
  fs.writeFileSync(path.join(appRoot, 'host.json'), JSON.stringify(hostJson, null, 2));
  fs.writeFileSync(path.join(appRoot, 'package.json'), JSON.stringify({ name: 'host-core-test-app', version: '1.0.0', main: options.main ?? TIMER_AND_HTTP_ENTRY }));
  const values = { FUNCTIONS_WORKER_RUNTIME: 'node', [HOST_TEST_RECORD_DIR]: recordDir, ...options.values };
  fs.writeFileSync(path.join(appRoot, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: values }, null, 2));
  for (const [name, text] of Object.entries(options.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(appRoot, name)), { recursive: true });
    fs.writeFileSync(path.join(appRoot, name), text);
  }
  return { appRoot, recordDir, remove: () => fs.rmSync(appRoot, { recursive: true, force: true }) };
}

export function readTimerRecords(recordDir: string, functionName: string): TimerRecord[] {
  const file = path.join(recordDir, `${functionName}.jsonl`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TimerRecord);
}

/**
 * The one waitFor, with its bound: the host tests' own 10 s was short for a host process's
 * first run at load 8 (four test files on two cores), and the bound only ever guards a hang.
 */
export { waitFor } from '../support/wait-for';

/** A CommonJS app file that loads @azure/functions from this project, wherever the file lives. */
export function azureFunctionsRequire(): string {
  return `require(${JSON.stringify(require.resolve('@azure/functions'))})`;
}
