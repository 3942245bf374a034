import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { waitUntilDrained, type WaitForDrainedOptions } from './drain-wait';
import { parseReadyLine } from './ready-line';

export interface HostProcessOptions {
  appRoot: string;
  /** HTTP port; 0 (default) picks a free one, reported in {@link HostProcess.port}. */
  port?: number;
  hostId?: string;
  /** Added to (and winning over) this process's environment. */
  env?: Record<string, string>;
  /** The host's working folder (where the app's admin operations write local.settings.json); default this process's. */
  cwd?: string;
  /** How long to wait for the ready line; default 30 s. */
  startTimeoutMs?: number;
  /** Also copy the host's output to this process's stdout/stderr. */
  echo?: boolean;
}

/** A host start-up or HTTP call that failed; carries the host's output so far. */
export class HostProcessError extends Error {
  override readonly name = 'HostProcessError';

  constructor(
    message: string,
    readonly output: readonly string[],
  ) {
    super(output.length > 0 ? `${message}\n--- host output ---\n${output.join('\n')}` : message);
  }
}

/**
 * The CLI host in a child process, for tests and dev commands: start, fire functions through
 * the admin API, wait for drained, and stop (SIGTERM) or kill (SIGKILL, a crash).
 */
export class HostProcess {
  readonly #child: ChildProcess;
  readonly #lines: string[];
  readonly #exited: Promise<void>;
  readonly #lineListeners: Set<(line: string) => void>;

  private constructor(
    child: ChildProcess,
    lines: string[],
    lineListeners: Set<(line: string) => void>,
    readonly port: number,
  ) {
    this.#child = child;
    this.#lines = lines;
    this.#lineListeners = lineListeners;
    this.#exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);
  }

  static async start(options: HostProcessOptions): Promise<HostProcess> {
    const cli = path.join(__dirname, 'cli.js');
    const args = [cli, '--app-root', path.resolve(options.appRoot), '--port', String(options.port ?? 0)];
    if (options.hostId) args.push('--host-id', options.hostId);
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    // The child is not a test file even when started from one.
    delete env['NODE_TEST_CONTEXT'];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
    const lines: string[] = [];
    const listeners = new Set<(line: string) => void>();
    for (const [stream, echoTo] of [
      [child.stdout!, process.stdout],
      [child.stderr!, process.stderr],
    ] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        if (options.echo) echoTo.write(`${line}\n`);
        for (const listener of listeners) listener(line);
      });
    }

    const timeoutMs = options.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    let onReady: ((line: string) => void) | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        onReady = (line: string): void => {
          const announced = parseReadyLine(line);
          if (announced !== undefined) resolve(announced);
        };
        listeners.add(onReady);
        child.once('exit', (code, signal) => reject(new HostProcessError(`The host exited (code ${code}, signal ${signal}) before it was ready.`, lines)));
        child.once('error', (err) => reject(new HostProcessError(`The host could not be started: ${err.message}`, lines)));
        timer = setTimeout(() => reject(new HostProcessError(`The host was not ready within ${timeoutMs} ms.`, lines)), timeoutMs);
      });
      return new HostProcess(child, lines, listeners, port);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
      if (onReady) listeners.delete(onReady);
    }
  }

  get baseUrl(): string {
    return `http://localhost:${this.port}`;
  }

  /** False once the process has exited (stopped, killed or crashed). */
  get running(): boolean {
    return this.#isRunning();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Every line the host printed so far (stdout and stderr). */
  get output(): readonly string[] {
    return this.#lines;
  }

  /** Resolves with the first line (already printed or still to come) that matches. */
  waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const seen = this.#lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const onLine = (line: string): void => {
        if (!pattern.test(line)) return;
        cleanup();
        resolve(line);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new HostProcessError(`No host output matched ${pattern} within ${timeoutMs} ms.`, this.#lines));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#lineListeners.delete(onLine);
      };
      this.#lineListeners.add(onLine);
    });
  }

  /** `POST /admin/functions/<name>` with `{"input": input}`; resolves on 202. */
  async fireFunction(functionName: string, input = ''): Promise<void> {
    const res = await fetch(`${this.baseUrl}/admin/functions/${encodeURIComponent(functionName)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input }),
    });
    const text = await res.text();
    if (res.status !== 202) throw new HostProcessError(`Firing '${functionName}' answered ${res.status}: ${text}`, this.#lines);
  }

  async isDrained(): Promise<boolean> {
    const res = await fetch(`${this.baseUrl}/admin/host/drained`);
    if (!res.ok) throw new HostProcessError(`GET /admin/host/drained answered ${res.status}.`, this.#lines);
    return ((await res.json()) as { drained: boolean }).drained;
  }

  /** Polls `/admin/host/drained` until drained for `settleMs` without a break. */
  waitForDrained(options: WaitForDrainedOptions): Promise<void> {
    return waitUntilDrained(() => this.isDrained(), options);
  }

  /** SIGKILL, as in a crash: no clean-up runs in the host. */
  async kill(): Promise<void> {
    if (this.#isRunning()) this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGTERM and wait for a clean exit (SIGKILL after `timeoutMs`); resolves with the exit code. */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    if (this.#isRunning()) {
      this.#child.kill('SIGTERM');
      const killer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
      await this.#exited;
      clearTimeout(killer);
    }
    return this.#child.exitCode;
  }

  #isRunning(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }
}
