/**
 * The seams inside the local Functions host. The core (loader, invoker, settings) owns the
 * programming model; each trigger kind is a listener that turns storage or clock events into
 * invocations through the invoker, so the library's own conversions always run.
 */

/** The RPC-shaped typed data the Node.js worker hands the programming model. */
export interface TypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  int?: number | null;
  double?: number | null;
  http?: unknown;
}

/** A binding as registered through `@azure/functions-core` (`metadata.bindings[name]`). */
export interface BindingInfo {
  type: string;
  direction: 'in' | 'out' | 'inout';
  [option: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, BindingInfo>;
  /** The name of the trigger binding within `bindings`. */
  triggerName: string;
  trigger: BindingInfo;
}

export interface InvocationRequest {
  functionName: string;
  /** The trigger input, as the worker would receive it. */
  triggerData: TypedData;
  /** Trigger metadata, as the worker would receive it (PascalCase keys like the real host). */
  triggerMetadata?: Record<string, TypedData>;
  /**
   * Why the function runs, for the `Executing 'Functions.<name>' (Reason='…')` line, e.g.
   * `New queue message detected on 'fetch-jobs'.`; a default per trigger type when omitted.
   */
  reason?: string;
  /** An extra `Trigger Details: …` line logged after the Executing line (timer past-due runs). */
  triggerDetails?: string;
}

export interface InvocationOutcome {
  invocationId: string;
  functionName: string;
  succeeded: boolean;
  error?: Error;
  durationMs: number;
  /** The converted return value (`$return` binding or plain return), as RPC typed data. */
  returnValue?: TypedData | null;
  /** Output bindings by name, as RPC typed data, after the host has written them. */
  outputs: Record<string, TypedData>;
}

export interface FunctionInvoker {
  invoke(request: InvocationRequest): Promise<InvocationOutcome>;
}

export interface HostLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ListenerContext {
  invoker: FunctionInvoker;
  log: HostLogger;
  /** The parsed host.json (`extensions.queues` and the rest), defaults not yet applied. */
  hostJson: HostJson;
  /** Resolves a binding's `connection` setting name (default `AzureWebJobsStorage`) to a connection string. */
  storageConnectionString(connectionSetting?: string): string;
  /** Resolves `%Name%` tokens against app settings; throws naming the missing setting. */
  resolveSettings(value: string): string;
  /** The host id, which names the host's state in `azure-webjobs-hosts` (receipts, timer status). */
  hostId?: string;
}

/** What the host constructs for each trigger kind it supports. */
export type TriggerListenerConstructor = new (functions: RegisteredFunction[], ctx: ListenerContext) => TriggerListener;

/** One running trigger source (all functions of one trigger kind share a listener). */
export interface TriggerListener {
  readonly kind: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True when the listener has nothing visible, in flight or unprocessed. */
  isDrained(): Promise<boolean>;
}

export interface HostJson {
  version?: string;
  extensions?: {
    queues?: {
      batchSize?: number;
      newBatchThreshold?: number;
      maxDequeueCount?: number;
      visibilityTimeout?: string;
      maxPollingInterval?: string;
      messageEncoding?: 'base64' | 'none';
    };
    blobs?: { maxDegreeOfParallelism?: number; poisonBlobThreshold?: number };
    http?: { routePrefix?: string };
  };
  functionTimeout?: string;
  /** `logLevel` by category (`default`, `Host.Results`, `Function`, `Function.<name>.User`, …). */
  logging?: { logLevel?: Record<string, string> };
  [key: string]: unknown;
}
