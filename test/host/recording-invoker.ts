import type { FunctionInvoker, HostJson, HostLogger, InvocationOutcome, InvocationRequest, ListenerContext } from '../../dev/host/contracts';
import { waitFor } from '../support/wait-for';

/** What a scripted invocation does: succeed or fail, optionally after holding for a while. */
export type InvocationScript = (request: InvocationRequest, attempt: number) => Promise<boolean> | boolean;

/**
 * A stand-in for the host's invoker: records every request, tracks how many run at once, and
 * succeeds or fails as the test scripts it.
 */
export class RecordingInvoker implements FunctionInvoker {
  readonly requests: InvocationRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  #script: InvocationScript;
  #sequence = 0;

  constructor(script: InvocationScript = () => true) {
    this.#script = script;
  }

  /** Requests for one function (and, optionally, only those whose trigger matches). */
  for(functionName: string, match: (r: InvocationRequest) => boolean = () => true): InvocationRequest[] {
    return this.requests.filter((r) => r.functionName === functionName && match(r));
  }

  async invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    this.requests.push(request);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const attempt = this.requests.length;
    const started = Date.now();
    let succeeded = false;
    let error: Error | undefined;
    try {
      succeeded = await this.#script(request, attempt);
      if (!succeeded) error = new Error('scripted failure');
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.inFlight -= 1;
    }
    this.#sequence += 1;
    return {
      invocationId: `test-${this.#sequence}`,
      functionName: request.functionName,
      succeeded,
      ...(error ? { error } : {}),
      durationMs: Date.now() - started,
      outputs: {},
    };
  }
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export class RecordingLogger implements HostLogger {
  readonly entries: LogEntry[] = [];
  info(message: string): void {
    this.entries.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.entries.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.entries.push({ level: 'error', message });
  }
}

export function listenerContext(options: {
  invoker: FunctionInvoker;
  connectionString: string;
  hostJson?: HostJson;
  settings?: Record<string, string>;
  log?: HostLogger;
}): ListenerContext {
  const settings = options.settings ?? {};
  return {
    invoker: options.invoker,
    log: options.log ?? new RecordingLogger(),
    hostJson: options.hostJson ?? { version: '2.0' },
    storageConnectionString: (setting = 'AzureWebJobsStorage') => {
      if (setting === 'AzureWebJobsStorage') return options.connectionString;
      const value = settings[setting];
      if (value === undefined) throw new Error(`Storage connection setting '${setting}' is not defined`);
      return value;
    },
    resolveSettings: (value) =>
      value.replace(/%([^%]+)%/g, (_, name: string) => {
        const resolved = settings[name];
        if (resolved === undefined) throw new Error(`App setting '${name}' (referenced as %${name}%) is not defined`);
        return resolved;
      }),
  };
}

/**
 * Polls `condition` until it holds. The deadline only turns a hang into a readable failure;
 * no test asserts on how long anything took.
 */
export function eventually<T>(condition: () => Promise<T | undefined | false> | T | undefined | false, what: string, deadlineMs = 20_000): Promise<T> {
  return waitFor(
    what,
    async () => {
      const value = await condition();
      return value === false ? undefined : value;
    },
    deadlineMs,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
