import Module from 'node:module';
import * as path from 'node:path';
import type {
  CoreFunctionMetadata,
  FunctionCallback,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './core-api-types';
import { Disposable } from './disposable';
import { FunctionsCoreError } from './errors';
import type { FunctionAppRegistry } from './function-app-registry';

/** The module name `@azure/functions` asks for; only a Functions worker provides it. */
export const FUNCTIONS_CORE_MODULE = '@azure/functions-core';

/** Reported as the worker's version; `@azure/functions` only needs the API to exist. */
const LOCAL_WORKER_VERSION = '3.0.0-local';
export const LOCAL_HOST_VERSION = '4.0.0-local';

/** The API object handed out for `require('@azure/functions-core')`. */
export interface FunctionsCoreApi {
  readonly version: string;
  readonly hostVersion: string;
  registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable;
  registerHook(hookName: string, callback: unknown): Disposable;
  setProgrammingModel(programmingModel: ProgrammingModel): void;
  getProgrammingModel(): ProgrammingModel;
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
  readonly Disposable: typeof Disposable;
}

let installed = false;
let activeRegistry: FunctionAppRegistry | undefined;
// Process-wide like the worker's: `@azure/functions` sets its model once per library load, and the
// library stays loaded when a host stops and another starts in the same process.
let programmingModel: ProgrammingModel | undefined;

function registryFor(operation: string): FunctionAppRegistry {
  if (!activeRegistry) {
    throw new FunctionsCoreError(`${FUNCTIONS_CORE_MODULE}.${operation} was called while no Functions host is running an app in this process.`);
  }
  return activeRegistry;
}

export const functionsCoreApi: FunctionsCoreApi = Object.freeze({
  version: LOCAL_WORKER_VERSION,
  hostVersion: LOCAL_HOST_VERSION,
  registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable {
    return registryFor('registerFunction').registerFunction(metadata, callback);
  },
  registerHook(hookName: string, callback: unknown): Disposable {
    return registryFor('registerHook').registerHook(hookName, callback);
  },
  setProgrammingModel(model: ProgrammingModel): void {
    if (typeof model?.getInvocationModel !== 'function') {
      throw new FunctionsCoreError('setProgrammingModel: the model must have a getInvocationModel method.');
    }
    programmingModel = model;
    activeRegistry?.log('debug', 'system', `Setting Node.js programming model to "${model.name}" version "${model.version}"`);
  },
  getProgrammingModel(): ProgrammingModel {
    if (!programmingModel) {
      throw new FunctionsCoreError(
        'No programming model is set: this host runs apps of the v4 programming model (@azure/functions 4.x), which sets it when the app registers its first function.',
      );
    }
    return programmingModel;
  },
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
    activeRegistry?.log(level, category, message);
  },
  Disposable,
});

/**
 * Makes `require('@azure/functions-core')` return {@link functionsCoreApi} from every module of
 * this process, the way the Node.js worker does. Idempotent.
 */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  // A copy of @azure/functions loaded before now found no core module and is stuck in its
  // "test mode" (it caches that answer); drop it so the app loads a copy that sees ours.
  const libraryMarker = `${path.sep}@azure${path.sep}functions${path.sep}dist${path.sep}`;
  for (const key of Object.keys(require.cache)) {
    if (key.includes(libraryMarker)) delete require.cache[key];
  }
  const proto = Module.prototype as { require(this: Module, id: string): unknown };
  const originalRequire = proto.require;
  proto.require = function requireWithFunctionsCore(this: Module, id: string): unknown {
    return id === FUNCTIONS_CORE_MODULE ? functionsCoreApi : originalRequire.call(this, id);
  };
}

/** Routes core API calls to `registry` until the returned function is called. One app at a time. */
export function attachAppRegistry(registry: FunctionAppRegistry): () => void {
  if (activeRegistry) {
    throw new FunctionsCoreError(
      `A Functions host is already running the app at ${activeRegistry.appRoot} in this process; stop it before starting another.`,
    );
  }
  activeRegistry = registry;
  return () => {
    if (activeRegistry === registry) activeRegistry = undefined;
  };
}

/** The programming model the app set, if any. */
export function currentProgrammingModel(): ProgrammingModel | undefined {
  return programmingModel;
}
