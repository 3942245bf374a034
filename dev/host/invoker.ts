import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { FunctionInvoker, HostLogger, InvocationOutcome, InvocationRequest, TypedData } from './contracts';
import type {
  CoreInvocationContext,
  FunctionCallback,
  HookData,
  LogHookContext,
  PostInvocationContext,
  PreInvocationContext,
  ProgrammingModel,
  RpcHttpData,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
  RpcTypedData,
} from './core-api-types';
import { buildBindingData, type BindingData } from './binding-data';
import { FunctionNotFoundError, toError } from './errors';
import type { AppFunction, FunctionAppRegistry } from './function-app-registry';
import { writeLog, type LogLevelFilter } from './host-logging';
import type { OutputBindingWriter } from './output-bindings';
import { systemMetadata } from './trigger-metadata';

const RETURN_BINDING = '$return';
export const HOST_API_REASON = 'This function was programmatically called via the host APIs.';

export interface HostInvokerOptions {
  registry: FunctionAppRegistry;
  programmingModel(): ProgrammingModel;
  outputs: OutputBindingWriter;
  log: HostLogger;
  logFilter: LogLevelFilter;
}

/**
 * Runs invocations the way the Node.js worker does, so the library's own conversions run:
 * invocation model → arguments → preInvocation hooks → handler → postInvocation hooks →
 * response; then writes the queue and blob outputs. Never rejects for a failing function: the
 * outcome says Failed.
 */
export class HostInvoker implements FunctionInvoker {
  readonly #options: HostInvokerOptions;
  readonly #events = new EventEmitter<{ invocation: [InvocationOutcome]; idle: [] }>();
  #inFlight = 0;
  #started = 0;

  constructor(options: HostInvokerOptions) {
    this.#options = options;
    this.#events.setMaxListeners(0);
  }

  /** Invocations started and not yet finished (outputs included). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Invocations started since the host began; a change tells a drain check that work moved while it looked. */
  get started(): number {
    return this.#started;
  }

  /** Calls `listener` with every outcome, after the invocation left the in-flight count. */
  onOutcome(listener: (outcome: InvocationOutcome) => void): () => void {
    this.#events.on('invocation', listener);
    return () => this.#events.off('invocation', listener);
  }

  /** Resolves when no invocation is in flight. */
  async whenIdle(): Promise<void> {
    while (this.#inFlight > 0) await new Promise<void>((resolve) => this.#events.once('idle', resolve));
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    const fn = this.#options.registry.getFunction(request.functionName);
    if (!fn) return Promise.reject(new FunctionNotFoundError(request.functionName));
    // Counted before the first await, so a caller that just started an invocation never sees
    // the host as drained.
    this.#inFlight++;
    this.#started++;
    return this.#run(fn, request)
      .finally(() => {
        this.#inFlight--;
        if (this.#inFlight === 0) this.#events.emit('idle');
      })
      .then((outcome) => {
        try {
          this.#events.emit('invocation', outcome);
        } catch (err) {
          // A faulty observer must not turn a finished invocation into a failed call.
          this.#options.log.error(`An invocation observer threw: ${toError(err).message}`);
        }
        return outcome;
      });
  }

  async #run(fn: AppFunction, request: InvocationRequest): Promise<InvocationOutcome> {
    const invocationId = randomUUID();
    const started = performance.now();
    const category = `Function.${fn.name}`;
    this.#hostLog(category, 'information', `Executing 'Functions.${fn.name}' (Reason='${request.reason ?? defaultReason(fn)}', Id=${invocationId})`);
    if (request.triggerDetails) this.#hostLog(category, 'information', `Trigger Details: ${request.triggerDetails}`);

    const hookData: HookData = {};
    let invocationContext: unknown;
    const coreContext: CoreInvocationContext = {
      invocationId,
      request: toRpcRequest(fn, invocationId, request),
      metadata: fn.metadata,
      log: (level, logCategory, message) => this.#appLog(fn, level, logCategory, message, hookData, invocationContext),
    };

    let returnValue: RpcTypedData | null | undefined;
    let outputs: Record<string, TypedData> = {};
    let error: Error | undefined;
    try {
      const model = await this.#options.programmingModel().getInvocationModel(coreContext);
      const args = await model.getArguments();
      invocationContext = args.context;

      const pre = invocationHookContext<PreInvocationContext>(hookData, this.#options.registry.appHookData, args.context, {
        inputs: args.inputs,
        functionCallback: fn.callback,
      });
      await inState(coreContext, 'preInvocationHooks', () => this.#options.registry.runHooks('preInvocation', pre));
      const callback: FunctionCallback = pre.functionCallback;

      const post = invocationHookContext<PostInvocationContext>(hookData, this.#options.registry.appHookData, args.context, {
        inputs: pre.inputs,
        result: null,
        error: null,
      });
      await inState(coreContext, 'invocation', async () => {
        try {
          post.result = await model.invokeFunction(args.context, pre.inputs, callback);
        } catch (err) {
          post.error = err;
        }
      });
      await inState(coreContext, 'postInvocationHooks', () => this.#options.registry.runHooks('postInvocation', post));
      if (post.error !== null && post.error !== undefined) throw post.error;

      const response = await model.getResponse(args.context, post.result);
      returnValue = response.returnValue;
      outputs = await this.#writeOutputs(fn, request, response);
    } catch (err) {
      error = toError(err);
    }

    const durationMs = Math.round(performance.now() - started);
    const succeeded = error === undefined;
    this.#hostLog(
      category,
      succeeded ? 'information' : 'error',
      `Executed 'Functions.${fn.name}' (${succeeded ? 'Succeeded' : 'Failed'}, Id=${invocationId}, Duration=${durationMs}ms)`,
    );
    if (error) {
      this.#hostLog(
        category,
        'error',
        `Exception while executing function: Functions.${fn.name}. Result: Failure\nException: ${error.message}\nStack: ${error.stack ?? '(none)'}`,
      );
    }
    const outcome: InvocationOutcome = { invocationId, functionName: fn.name, succeeded, durationMs, outputs };
    if (error) outcome.error = error;
    if (returnValue !== undefined) outcome.returnValue = returnValue as TypedData | null;
    return outcome;
  }

  /** Writes queue and blob outputs; returns every output (http included) as typed data. */
  async #writeOutputs(fn: AppFunction, request: InvocationRequest, response: RpcInvocationResponse): Promise<Record<string, TypedData>> {
    const written: Record<string, TypedData> = {};
    let bindingData: BindingData | undefined;
    const data = (): BindingData => (bindingData ??= buildBindingData(request.triggerData, request.triggerMetadata));
    const pending: [string, RpcTypedData][] = [];
    for (const output of response.outputData ?? []) {
      if (output.name && output.data) pending.push([output.name, output.data]);
    }
    const returnBinding = fn.bindings[RETURN_BINDING];
    if (returnBinding && response.returnValue) pending.push([RETURN_BINDING, response.returnValue]);

    for (const [name, value] of pending) {
      const binding = fn.bindings[name];
      if (!binding) continue;
      if (binding.type.toLowerCase() !== 'http') {
        try {
          await this.#options.outputs.write(fn.name, name, binding, value, data());
        } catch (err) {
          throw new Error(`Failed to write output binding '${name}' (${binding.type}) of function '${fn.name}': ${toError(err).message}`, { cause: err });
        }
      }
      if (name !== RETURN_BINDING) written[name] = value as TypedData;
    }
    return written;
  }

  #appLog(fn: AppFunction, level: RpcLogLevel, logCategory: RpcLogCategory, message: string, hookData: HookData, invocationContext: unknown): void {
    const hookContext = logHookContext(level, message, logCategory, hookData, this.#options.registry.appHookData, invocationContext);
    for (const hook of this.#options.registry.hooks('log')) {
      try {
        void Promise.resolve(hook(hookContext)).catch((err: unknown) => this.#hookFailure(err));
      } catch (err) {
        this.#hookFailure(err);
      }
    }
    if (logCategory === 'customMetric') return;
    const category = logCategory === 'user' ? `Function.${fn.name}.User` : `Function.${fn.name}`;
    const text = logCategory === 'user' ? `[${fn.name}] ${hookContext.message}` : hookContext.message;
    this.#hostLog(category, hookContext.level, text);
  }

  #hookFailure(err: unknown): void {
    this.#options.log.warn(`A "log" hook threw: ${toError(err).message}`);
  }

  #hostLog(category: string, level: RpcLogLevel, message: string): void {
    if (this.#options.logFilter.isEnabled(category, level)) writeLog(this.#options.log, level, message);
  }
}

function defaultReason(fn: AppFunction): string {
  switch (fn.trigger.type.toLowerCase()) {
    case 'queuetrigger':
      return `New queue message detected on '${String(fn.trigger['queueName'])}'.`;
    case 'timertrigger':
      return `Timer fired at ${new Date().toISOString()}`;
    default:
      return HOST_API_REASON;
  }
}

function toRpcRequest(fn: AppFunction, invocationId: string, request: InvocationRequest): RpcInvocationRequest {
  const triggerMetadata: Record<string, RpcTypedData> = {};
  for (const [key, value] of Object.entries(request.triggerMetadata ?? {})) triggerMetadata[key] = toRpcTypedData(value);
  // The real host always adds these system binding values.
  triggerMetadata['sys'] ??= toRpcTypedData(systemMetadata(fn.name));
  return {
    invocationId,
    functionId: fn.functionId,
    inputData: [{ name: fn.triggerName, data: toRpcTypedData(request.triggerData) }],
    triggerMetadata,
    traceContext: {
      traceParent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
      traceState: '',
      attributes: { OperationName: fn.name },
    },
  };
}

/** The contracts' TypedData carries `http` untyped; the HTTP listener puts RpcHttpData there. */
function toRpcTypedData(data: TypedData): RpcTypedData {
  const { http, ...rest } = data;
  return http === undefined || http === null ? rest : { ...rest, http: http as RpcHttpData };
}

async function inState(context: CoreInvocationContext, state: NonNullable<CoreInvocationContext['state']>, run: () => Promise<void>): Promise<void> {
  context.state = state;
  try {
    await run();
  } finally {
    context.state = undefined;
  }
}

/**
 * A hook context like the worker's: `hookData`, `appHookData` and `invocationContext` are
 * read-only (assigning them throws), the rest is writable and read back by the invoker.
 */
function invocationHookContext<T extends PreInvocationContext | PostInvocationContext>(
  hookData: HookData,
  appHookData: HookData,
  invocationContext: unknown,
  writable: Omit<T, 'hookData' | 'appHookData' | 'invocationContext'>,
): T {
  const context = { ...writable };
  Object.defineProperties(context, {
    hookData: readOnly('hookData', hookData),
    appHookData: readOnly('appHookData', appHookData),
    invocationContext: readOnly('invocationContext', invocationContext),
  });
  return context as T;
}

function logHookContext(
  level: RpcLogLevel,
  message: string,
  category: RpcLogCategory,
  hookData: HookData,
  appHookData: HookData,
  invocationContext: unknown,
): LogHookContext {
  const context = { level, message };
  Object.defineProperties(context, {
    category: readOnly('category', category),
    hookData: readOnly('hookData', hookData),
    appHookData: readOnly('appHookData', appHookData),
    invocationContext: readOnly('invocationContext', invocationContext),
  });
  return context as LogHookContext;
}

function readOnly(name: string, value: unknown): PropertyDescriptor {
  return {
    enumerable: true,
    get: () => value,
    set: () => {
      throw new TypeError(`Cannot assign to read only property '${name}' of the hook context.`);
    },
  };
}
