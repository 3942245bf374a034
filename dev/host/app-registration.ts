import { loadEntryPoints, resolveEntryPoints } from './app-loader';
import { FunctionAppRegistry } from './function-app-registry';
import { attachAppRegistry, installFunctionsCore } from './functions-core-provider';

/**
 * Loads a function app's entry points (package.json `main`) as the host does at start-up, with
 * this process's `@azure/functions-core`, and returns the names of the functions it registered;
 * no listener starts. For measuring how long an app takes to load (dev/bench).
 */
export async function registerFunctionApp(appRoot: string): Promise<string[]> {
  installFunctionsCore();
  const registry = new FunctionAppRegistry(appRoot, () => undefined);
  const detach = attachAppRegistry(registry);
  try {
    await loadEntryPoints(appRoot, resolveEntryPoints(appRoot));
    return registry.functions.map((f) => f.name);
  } finally {
    detach();
  }
}
