import type { BindingInfo, RegisteredFunction } from './contracts';
import type {
  CoreFunctionMetadata,
  FunctionCallback,
  HookCallback,
  HookContextByName,
  HookData,
  HookName,
  RpcFunctionMetadata,
  RpcLogCategory,
  RpcLogLevel,
} from './core-api-types';
import { Disposable } from './disposable';
import { FunctionsCoreError } from './errors';

/** A function as the app registered it, with the callback the programming model invokes. */
export interface AppFunction extends RegisteredFunction {
  readonly functionId: string;
  readonly callback: FunctionCallback;
  /** The metadata handed to the programming model with every invocation. */
  readonly metadata: RpcFunctionMetadata;
}

export type CoreLogSink = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

const HOOK_NAMES: readonly HookName[] = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'];

/** The Functions host's own rule for function names. */
const FUNCTION_NAME = /^[a-z][a-z0-9_-]{0,127}$/i;

type HookLists = { [K in HookName]: HookCallback<K>[] };

/**
 * Everything one loaded app registered through `@azure/functions-core`: its functions, its hooks
 * and the app-scoped hook data. Functions can only be registered while the app loads, as in the
 * Node.js worker; hooks may be registered at any time.
 */
export class FunctionAppRegistry {
  readonly appHookData: HookData = {};
  readonly #functions = new Map<string, AppFunction>();
  readonly #hooks: HookLists = { appStart: [], appTerminate: [], preInvocation: [], postInvocation: [], log: [] };
  #sealed = false;

  constructor(
    readonly appRoot: string,
    readonly log: CoreLogSink,
  ) {}

  get functions(): readonly AppFunction[] {
    return [...this.#functions.values()];
  }

  /** Function names are case-insensitive in the Functions host. */
  getFunction(name: string): AppFunction | undefined {
    return this.#functions.get(name.toLowerCase());
  }

  /** Ends app start-up: from now on functions can be neither registered nor disposed. */
  seal(): void {
    this.#sealed = true;
  }

  registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable {
    if (this.#sealed) throw new FunctionsCoreError('A function can only be registered during app startup.');
    const fn = toAppFunction(metadata, callback, this.appRoot);
    const key = fn.name.toLowerCase();
    if (this.#functions.has(key)) {
      throw new FunctionsCoreError(`A function named '${fn.name}' is already registered; function names must be unique within an app.`);
    }
    this.#functions.set(key, fn);
    return new Disposable(() => {
      if (this.#sealed) throw new FunctionsCoreError('A function can only be disposed during app startup.');
      this.#functions.delete(key);
    });
  }

  registerHook(hookName: string, callback: unknown): Disposable {
    if (!isHookName(hookName)) {
      const err = new FunctionsCoreError(`Unrecognized hook "${hookName}"; supported: ${HOOK_NAMES.join(', ')}.`);
      throw Object.assign(err, { name: 'RangeError' });
    }
    if (typeof callback !== 'function') throw new FunctionsCoreError(`The "${hookName}" hook callback must be a function.`);
    const list: unknown[] = this.#hooks[hookName];
    list.push(callback);
    return new Disposable(() => {
      const i = list.indexOf(callback);
      if (i >= 0) list.splice(i, 1);
    });
  }

  hooks<K extends HookName>(hookName: K): readonly HookCallback<K>[] {
    return [...this.#hooks[hookName]] as HookCallback<K>[];
  }

  /** Runs the hooks of one kind in registration order; a throwing hook stops the chain. */
  async runHooks<K extends HookName>(hookName: K, context: HookContextByName[K]): Promise<void> {
    for (const hook of this.hooks(hookName)) await hook(context);
  }
}

function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

function toAppFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback, appRoot: string): AppFunction {
  if (typeof metadata !== 'object' || metadata === null) throw new FunctionsCoreError('registerFunction: metadata must be an object.');
  const { name } = metadata;
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
    throw new FunctionsCoreError(
      `The function name '${String(name)}' is invalid: it must start with a letter and contain only letters, digits, '_' and '-' (at most 128 characters).`,
    );
  }
  if (typeof callback !== 'function') throw new FunctionsCoreError(`Function '${name}': the handler must be a function.`);
  if (typeof metadata.bindings !== 'object' || metadata.bindings === null) {
    throw new FunctionsCoreError(`Function '${name}': metadata.bindings must be an object.`);
  }

  const bindings: Record<string, BindingInfo> = {};
  const triggers: string[] = [];
  for (const [bindingName, binding] of Object.entries(metadata.bindings)) {
    if (typeof binding?.type !== 'string' || binding.type === '') {
      throw new FunctionsCoreError(`Function '${name}': binding '${bindingName}' has no type.`);
    }
    if (binding.direction !== 'in' && binding.direction !== 'out' && binding.direction !== 'inout') {
      throw new FunctionsCoreError(`Function '${name}': binding '${bindingName}' has direction '${String(binding.direction)}'; expected in, out or inout.`);
    }
    bindings[bindingName] = { ...binding };
    if (/trigger$/i.test(binding.type)) triggers.push(bindingName);
  }
  if (triggers.length !== 1) {
    throw new FunctionsCoreError(`Function '${name}' must have exactly one trigger binding; found ${triggers.length}.`);
  }
  const triggerName = triggers[0]!;
  const functionId = typeof metadata.functionId === 'string' && metadata.functionId !== '' ? metadata.functionId : name;

  return {
    name,
    functionId,
    bindings,
    triggerName,
    trigger: bindings[triggerName]!,
    callback,
    metadata: {
      name,
      functionId,
      directory: appRoot,
      scriptFile: 'n/a',
      bindings,
      rawBindings: Object.entries(bindings).map(([n, b]) => JSON.stringify({ ...b, name: n })),
      language: 'node',
    },
  };
}
