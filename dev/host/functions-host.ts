import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadEntryPoints, resolveEntryPoints, type AppModuleScope } from './app-loader';
import { HostSettings, readHostJson, readLocalSettings } from './host-settings';
import type {
  HostJson,
  HostLogger,
  InvocationOutcome,
  ListenerContext,
  RegisteredFunction,
  TriggerListener,
  TriggerListenerConstructor,
} from './contracts';
import { waitUntilDrained, type WaitForDrainedOptions } from './drain-wait';
import { FunctionNotFoundError, HostStartupError, InvocationRefusedError, toError } from './errors';
import { FunctionAppRegistry } from './function-app-registry';
import { attachAppRegistry, currentProgrammingModel, functionsCoreApi, installFunctionsCore } from './functions-core-provider';
import { HostHttpServer, type HostWebhooks } from './host-http-server';
import { extensionKeyName, loadHostKeys, type HostKeys } from './host-secrets';
import { HOST_ID_SETTING, HostIdError, resolveHostId } from './host-id';
import { ConsoleHostLogger, LogLevelFilter, writeLog } from './host-logging';
import { HttpTriggerListener } from './http-trigger-listener';
import { HOST_API_REASON, HostInvoker } from './invoker';
import { OutputBindingWriter } from './output-bindings';
import { ScheduleStatusStore } from './schedule-status-store';
import { HostStorageClients } from './host-storage-clients';
import { DEFAULT_STORAGE_CONNECTION, resolveStorageConnectionString } from './storage-connection';
import { TimerTriggerListener } from './timer-listener';

export interface FunctionsHostOptions {
  /** The folder with host.json, local.settings.json and package.json. */
  appRoot: string;
  /** HTTP port; default local.settings.json `Host.LocalHttpPort`, else 7071. 0 picks a free port. */
  port?: number;
  /** Listen address; default 127.0.0.1 (URLs still say localhost). */
  hostname?: string;
  /** Names the host's state in azure-webjobs-hosts; default: setting AzureFunctionsWebHost__hostid, else machine name and app root. */
  hostId?: string;
  /** Where host and function logs go; default the console in Core Tools' format. */
  logger?: HostLogger;
  /** App settings that win over local.settings.json and the environment. */
  settings?: Record<string, string>;
}

/** A loaded function as Core Tools lists it. */
export interface FunctionDescription {
  name: string;
  /** The trigger binding type as registered, e.g. `timerTrigger`. */
  triggerType: string;
  /** HTTP functions: upper-case methods and the URL (route template included). */
  methods?: readonly string[];
  url?: string;
}

export type HostState = 'Running' | 'Stopping' | 'Stopped';

const DEFAULT_HTTP_PORT = 7071;

/** Trigger kinds served by listeners in their own modules, loaded when an app needs them. */
const MODULE_LISTENERS: Record<string, { module: string; exportName: string }> = {
  queuetrigger: { module: './queue-listener', exportName: 'QueueTriggerListener' },
  blobtrigger: { module: './blob-listener', exportName: 'BlobTriggerListener' },
};
const BUILT_IN_TRIGGERS = ['timertrigger', 'httptrigger'];
const loadModule = createRequire(__filename);

/**
 * The project's local Azure Functions host, behaving like `func start`: it reads host.json and
 * local.settings.json, loads the app from package.json `main` with `@azure/functions-core`
 * provided, and runs timer, HTTP, queue and blob triggers through the library's own
 * invocation model. One host per process at a time.
 */
export class FunctionsHost {
  /** Every invocation's outcome, emitted as `invocation`. */
  readonly invocations = new EventEmitter<{ invocation: [InvocationOutcome] }>();
  readonly appRoot: string;
  readonly hostId: string;
  readonly hostJson: HostJson;
  readonly #registry: FunctionAppRegistry;
  readonly #invoker: HostInvoker;
  readonly #listeners: TriggerListener[];
  readonly #timer: TimerTriggerListener | undefined;
  readonly #http: HttpTriggerListener | undefined;
  readonly #log: HostLogger;
  #server: HostHttpServer | undefined;
  #state: HostState = 'Running';
  #stopping: Promise<void> | undefined;
  readonly #release: () => void;

  private constructor(init: {
    appRoot: string;
    hostId: string;
    hostJson: HostJson;
    registry: FunctionAppRegistry;
    invoker: HostInvoker;
    listeners: TriggerListener[];
    log: HostLogger;
    release: () => void;
  }) {
    this.appRoot = init.appRoot;
    this.hostId = init.hostId;
    this.hostJson = init.hostJson;
    this.#registry = init.registry;
    this.#invoker = init.invoker;
    this.#listeners = init.listeners;
    this.#log = init.log;
    this.#release = init.release;
    this.#timer = init.listeners.find((l): l is TimerTriggerListener => l instanceof TimerTriggerListener);
    this.#http = init.listeners.find((l): l is HttpTriggerListener => l instanceof HttpTriggerListener);
    this.invocations.setMaxListeners(0);
    this.#invoker.onOutcome((outcome) => this.invocations.emit('invocation', outcome));
  }

  /** Loads the app and starts every listener; throws {@link HostStartupError} on bad configuration. */
  static async start(options: FunctionsHostOptions): Promise<FunctionsHost> {
    const started = performance.now();
    const appRoot = path.resolve(options.appRoot);
    const log = options.logger ?? new ConsoleHostLogger();
    const hostJson = readHostJson(appRoot);
    const localSettings = readLocalSettings(appRoot);
    const logFilter = new LogLevelFilter(hostJson);
    const hostLog = (level: 'information' | 'warning', message: string): void => {
      if (logFilter.isEnabled('Host.Startup', level)) writeLog(log, level, message);
    };

    const settings = HostSettings.apply(localSettings?.Values ?? {}, options.settings);
    installFunctionsCore();
    const registry = new FunctionAppRegistry(appRoot, (level, category, message) => {
      if (logFilter.isEnabled(category === 'user' ? 'Function' : 'Host.Worker', level)) writeLog(log, level, message);
    });
    let detach: () => void;
    try {
      detach = attachAppRegistry(registry);
    } catch (err) {
      settings.restore();
      throw new HostStartupError(toError(err).message, { cause: err });
    }
    let scope: AppModuleScope | undefined;
    let listeners: TriggerListener[] = [];
    let server: HostHttpServer | undefined;
    const release = (): void => {
      scope?.unload();
      detach();
      settings.restore();
    };
    try {
      scope = await loadEntryPoints(appRoot, resolveEntryPoints(appRoot));
      registry.seal();
      const functions = registry.functions;
      if (functions.length === 0) {
        log.warn('No job functions found. Check that package.json "main" points at the compiled files that call app.* of @azure/functions 4.x.');
      } else if (!currentProgrammingModel()) {
        throw new HostStartupError('The app registered functions but set no programming model; use @azure/functions 4.x.');
      }

      const hostId = hostIdFor(appRoot, options.hostId ?? settings.get(HOST_ID_SETTING));
      const storage = new HostStorageClients();
      const outputs = new OutputBindingWriter({
        storage,
        connectionString: (setting) => resolveStorageConnectionString(settings, setting),
        resolveSettings: (value, usage) => settings.resolve(value, usage),
        messageEncoding: hostJson.extensions?.queues?.messageEncoding ?? 'base64',
      });
      const invoker = new HostInvoker({
        registry,
        programmingModel: () => functionsCoreApi.getProgrammingModel(),
        outputs,
        log,
        logFilter,
      });
      const ctx: ListenerContext = {
        invoker,
        log,
        hostJson,
        hostId,
        storageConnectionString: (setting) => resolveStorageConnectionString(settings, setting),
        resolveSettings: (value) => settings.resolve(value),
      };

      const byTrigger = groupByTrigger(functions);
      if ([...byTrigger.keys()].some((t) => t !== 'httptrigger')) requireHostStorage(settings);
      checkBindings(functions, outputs);
      listeners = createListeners(byTrigger, ctx, storage, hostJson);

      await registry.runHooks('appStart', appStartContext(registry, appRoot));

      const http = listeners.find((l): l is HttpTriggerListener => l instanceof HttpTriggerListener);
      const host = new FunctionsHost({ appRoot, hostId, hostJson, registry, invoker, listeners, log, release });
      const webhooks = new ExtensionWebhooks(listeners, () => storage.blobService(resolveStorageConnectionString(settings, DEFAULT_STORAGE_CONNECTION)), hostId);
      server = await HostHttpServer.listen({
        port: options.port ?? localSettings?.Host?.LocalHttpPort ?? DEFAULT_HTTP_PORT,
        hostname: options.hostname ?? '127.0.0.1',
        admin: {
          hostId,
          state: () => (host.#state === 'Running' ? 'Running' : 'Stopping'),
          isDrained: () => host.isDrained(),
          startInvocation: (name, input) => host.#startAdminInvocation(name, input),
        },
        ...(http ? { http } : {}),
        webhooks,
        log,
      });
      host.#server = server;
      for (const listener of listeners) await listener.start();
      // The host makes an extension's system key when the extension registers its webhook.
      await webhooks.ensureKeys();
      hostLog('information', `Host started (${Math.round(performance.now() - started)}ms)`);
      return host;
    } catch (err) {
      // Listeners stop whether or not they got to start (a timer may already be armed).
      await Promise.allSettled(listeners.map((l) => l.stop()));
      await server?.close();
      release();
      throw err;
    }
  }

  get state(): HostState {
    return this.#state;
  }

  /** The HTTP port the host listens on. */
  get port(): number {
    if (!this.#server) throw new Error('The host has no HTTP server.');
    return this.#server.port;
  }

  /** `http://localhost:<port>`. */
  get baseUrl(): string {
    return `http://localhost:${this.port}`;
  }

  get functions(): readonly RegisteredFunction[] {
    return this.#registry.functions;
  }

  /** The function list Core Tools prints at start. */
  describeFunctions(): FunctionDescription[] {
    const routes = new Map((this.#http?.routes ?? []).map((r) => [r.functionName, r]));
    return this.#registry.functions.map((fn) => {
      const route = routes.get(fn.name);
      const description: FunctionDescription = { name: fn.name, triggerType: fn.trigger.type };
      if (route) {
        description.methods = route.methods;
        description.url = `${this.baseUrl}${route.path}`;
      }
      return description;
    });
  }

  /** Runs a timer function now (after any run of it in progress), like the admin API. */
  fireTimer(functionName: string): Promise<InvocationOutcome> {
    if (this.#state !== 'Running') return Promise.reject(new InvocationRefusedError(`The host is ${this.#state.toLowerCase()}.`));
    if (!this.#timer?.has(functionName)) return Promise.reject(new FunctionNotFoundError(functionName));
    return this.#timer.fire(functionName);
  }

  /**
   * Invokes a non-HTTP function with `input` as its trigger data, as `POST /admin/functions/<name>`
   * does (timers run as timers).
   */
  invokeFunction(functionName: string, input = ''): Promise<InvocationOutcome> {
    if (this.#state !== 'Running') return Promise.reject(new InvocationRefusedError(`The host is ${this.#state.toLowerCase()}.`));
    const fn = this.#registry.getFunction(functionName);
    if (!fn) return Promise.reject(new FunctionNotFoundError(functionName));
    const type = fn.trigger.type.toLowerCase();
    if (type === 'httptrigger') {
      return Promise.reject(new InvocationRefusedError(`Function '${fn.name}' is HTTP-triggered; call ${this.baseUrl} instead.`));
    }
    if (type === 'timertrigger') return this.fireTimer(fn.name);
    return this.#invoker.invoke({ functionName: fn.name, triggerData: { string: input }, reason: HOST_API_REASON });
  }

  /**
   * No running invocation, no listener with visible, in-flight or unprocessed work, and no
   * invocation started while the listeners were asked: the listeners read storage as it is now
   * (queue lengths, blob listings against receipts), so one true answer means the work is done,
   * without waiting for a poll or scan to come round.
   */
  async isDrained(): Promise<boolean> {
    if (this.#invoker.inFlight > 0) return false;
    const startedBefore = this.#invoker.started;
    const drained = await Promise.all(this.#listeners.map((l) => l.isDrained()));
    return drained.every(Boolean) && this.#invoker.inFlight === 0 && this.#invoker.started === startedBefore;
  }

  /** Resolves once the host has been drained for `settleMs` without a break. */
  waitForDrained(options: WaitForDrainedOptions): Promise<void> {
    return waitUntilDrained(() => this.isDrained(), options);
  }

  /** Stops the listeners, lets running invocations finish, runs appTerminate hooks, closes HTTP. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#state = 'Stopping';
    const closing = this.#server?.close();
    await Promise.allSettled(this.#listeners.map((l) => l.stop()));
    await this.#invoker.whenIdle();
    try {
      await this.#registry.runHooks('appTerminate', { hookData: {}, appHookData: this.#registry.appHookData });
    } catch (err) {
      this.#log.warn(`An appTerminate hook failed: ${toError(err).message}`);
    }
    await closing;
    this.#release();
    this.#state = 'Stopped';
  }

  #startAdminInvocation(functionName: string, input: string): void {
    if (this.#state !== 'Running') throw new InvocationRefusedError('The host is stopping.');
    // Validation errors throw synchronously (404/400); the run itself reports through the logs.
    const fn = this.#registry.getFunction(functionName);
    if (!fn) throw new FunctionNotFoundError(functionName);
    if (fn.trigger.type.toLowerCase() === 'httptrigger') {
      throw new InvocationRefusedError(`Function '${fn.name}' is HTTP-triggered; call its URL instead.`);
    }
    this.invokeFunction(fn.name, input).catch((err: unknown) => this.#log.error(`Admin invocation of '${fn.name}' failed: ${toError(err).message}`));
  }
}

/** What a listener with an extension webhook offers (the blob listener's Event Grid webhook). */
interface WebhookListener extends TriggerListener {
  readonly servesEventGrid: boolean;
  handleWebhook(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL): Promise<void>;
}

function isWebhookListener(listener: TriggerListener): listener is WebhookListener {
  return 'handleWebhook' in listener && 'servesEventGrid' in listener;
}

/**
 * `/runtime/webhooks/<extension>`: the blobs extension's webhook when a blob trigger uses the
 * EventGrid source, behind the system key `blobs_extension` (or the master key), kept in the
 * host's secrets blob (host-secrets.ts).
 */
class ExtensionWebhooks implements HostWebhooks {
  readonly #blobs: WebhookListener | undefined;
  readonly #storage: () => import('@azure/storage-blob').BlobServiceClient;
  readonly #hostId: string;
  #keys: HostKeys | undefined;

  constructor(listeners: TriggerListener[], storage: () => import('@azure/storage-blob').BlobServiceClient, hostId: string) {
    this.#blobs = listeners.find((l): l is WebhookListener => l.kind === 'blobTrigger' && isWebhookListener(l));
    this.#storage = storage;
    this.#hostId = hostId;
  }

  get #extensions(): string[] {
    return this.#blobs?.servesEventGrid ? ['blobs'] : [];
  }

  async ensureKeys(): Promise<void> {
    if (this.#extensions.length === 0) return;
    this.#keys = await loadHostKeys(this.#storage(), this.#hostId, this.#extensions.map(extensionKeyName));
  }

  async authorize(extension: string, key: string | undefined): Promise<boolean> {
    if (!key) return false;
    const matches = (keys: HostKeys | undefined): boolean =>
      keys !== undefined && (key === keys.masterKey || key === keys.systemKeys[extensionKeyName(extension)]);
    if (matches(this.#keys)) return true;
    // Another instance may have created the keys first: read them again before refusing.
    this.#keys = await loadHostKeys(this.#storage(), this.#hostId);
    return matches(this.#keys);
  }

  async handle(extension: string, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL): Promise<boolean> {
    if (extension.toLowerCase() !== 'blobs' || !this.#blobs?.servesEventGrid) return false;
    if ((req.method ?? 'GET') !== 'POST') {
      req.resume();
      res.writeHead(400).end();
      return true;
    }
    await this.#blobs.handleWebhook(req, res, url);
    return true;
  }
}

function hostIdFor(appRoot: string, configured: string | undefined): string {
  try {
    return resolveHostId({ appRoot, ...(configured === undefined ? {} : { configured }) });
  } catch (err) {
    if (err instanceof HostIdError) throw new HostStartupError(err.message, { cause: err });
    throw err;
  }
}

function groupByTrigger(functions: readonly RegisteredFunction[]): Map<string, RegisteredFunction[]> {
  const groups = new Map<string, RegisteredFunction[]>();
  for (const fn of functions) {
    const type = fn.trigger.type.toLowerCase();
    if (!BUILT_IN_TRIGGERS.includes(type) && !(type in MODULE_LISTENERS)) {
      throw new HostStartupError(
        `Function '${fn.name}' has a '${fn.trigger.type}' trigger, which this host does not support (supported: timerTrigger, httpTrigger, queueTrigger, blobTrigger).`,
        { functionName: fn.name },
      );
    }
    groups.set(type, [...(groups.get(type) ?? []), fn]);
  }
  return groups;
}

/** Output bindings must be ones the host writes; input bindings besides the trigger are not supported. */
function checkBindings(functions: readonly RegisteredFunction[], outputs: OutputBindingWriter): void {
  for (const fn of functions) {
    for (const [name, binding] of Object.entries(fn.bindings)) {
      if (name === fn.triggerName) continue;
      if (binding.direction === 'out') outputs.validate(fn.name, name, binding);
      else {
        throw new HostStartupError(`Input binding '${name}' (${binding.type}) of function '${fn.name}' is not supported by this host.`, {
          functionName: fn.name,
        });
      }
    }
  }
}

/** Core Tools refuses to start without host storage when any trigger other than HTTP exists. */
function requireHostStorage(settings: HostSettings): void {
  try {
    resolveStorageConnectionString(settings, DEFAULT_STORAGE_CONNECTION);
  } catch (err) {
    throw new HostStartupError(`${toError(err).message} The host needs it for all triggers other than httpTrigger.`, { cause: err });
  }
}

function createListeners(
  byTrigger: Map<string, RegisteredFunction[]>,
  ctx: ListenerContext,
  storage: HostStorageClients,
  hostJson: HostJson,
): TriggerListener[] {
  const listeners: TriggerListener[] = [];
  for (const [type, functions] of byTrigger) {
    if (type === 'timertrigger') {
      listeners.push(
        new TimerTriggerListener(functions, ctx, {
          statusStore: () => new ScheduleStatusStore(storage, ctx.storageConnectionString(), ctx.hostId ?? 'localhost'),
        }),
      );
    } else if (type === 'httptrigger') {
      listeners.push(new HttpTriggerListener(functions, ctx, { routePrefix: hostJson.extensions?.http?.routePrefix ?? 'api' }));
    } else {
      const Listener = listenerConstructor(type, functions);
      listeners.push(new Listener(functions, ctx));
    }
  }
  return listeners;
}

function listenerConstructor(type: string, functions: RegisteredFunction[]): TriggerListenerConstructor {
  const spec = MODULE_LISTENERS[type]!;
  const names = functions.map((f) => f.name).join(', ');
  let exports: Record<string, unknown>;
  try {
    exports = loadModule(spec.module) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && toError(err).message.includes(spec.module)) {
      throw new HostStartupError(`${functions[0]!.trigger.type} functions (${names}) need the host's ${spec.module}.ts listener, which is not built.`, {
        cause: err,
      });
    }
    throw err;
  }
  const ctor = exports[spec.exportName];
  if (typeof ctor !== 'function') {
    throw new HostStartupError(`${spec.module} does not export the class ${spec.exportName}.`);
  }
  return ctor as TriggerListenerConstructor;
}

function appStartContext(registry: FunctionAppRegistry, appRoot: string): { hookData: Record<string, unknown>; appHookData: Record<string, unknown>; functionAppDirectory: string } {
  return { hookData: {}, appHookData: registry.appHookData, functionAppDirectory: appRoot };
}
