/**
 * Child process of the start-up benchmark: loads one function app's entry points the way the
 * local host does (its `@azure/functions-core`, package.json `main`) and prints, as one JSON line,
 * how long that took and how many functions registered. Only the host's loader is loaded, none of
 * the SDKs the app uses; the benchmark times the whole process, from spawn to that line.
 *   node dist/dev/bench/app-load-probe.js <app root>
 */
import { performance } from 'node:perf_hooks';
// Not through dev/host's index: that loads the host's storage SDKs, which the measured app must load itself.
// eslint-disable-next-line no-restricted-imports
import { registerFunctionApp } from '../host/app-registration';

export interface AppLoadFigures {
  loadMs: number;
  functions: number;
}

async function main(appRoot: string): Promise<void> {
  const started = performance.now();
  const functions = await registerFunctionApp(appRoot);
  const figures: AppLoadFigures = { loadMs: performance.now() - started, functions: functions.length };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

const appRoot = process.argv[2];
if (!appRoot) {
  process.stderr.write('Usage: node dist/dev/bench/app-load-probe.js <app root>\n');
  process.exit(2);
}
main(appRoot).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
