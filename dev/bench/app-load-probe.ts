/**
 * Child process of the start-up benchmark: loads one function app's entry points the way the
 * local host does (its `@azure/functions-core`, package.json `main`) and prints, as one JSON line,
 * how long that took and how many functions registered. Only the host's loader is loaded before
 * the clock starts, none of the SDKs the app uses, so the figure is the app's own load.
 *   node dist/dev/bench/app-load-probe.js <app root>
 */
import { performance } from 'node:perf_hooks';
import { loadEntryPoints, resolveEntryPoints } from '../host/app-loader';
import { FunctionAppRegistry } from '../host/function-app-registry';
import { attachAppRegistry, installFunctionsCore } from '../host/functions-core-provider';

export interface AppLoadFigures {
  loadMs: number;
  functions: number;
}

async function main(appRoot: string): Promise<void> {
  installFunctionsCore();
  const registry = new FunctionAppRegistry(appRoot, () => undefined);
  attachAppRegistry(registry);
  const started = performance.now();
  await loadEntryPoints(appRoot, resolveEntryPoints(appRoot));
  const figures: AppLoadFigures = { loadMs: performance.now() - started, functions: registry.functions.length };
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
