import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import type { DirectoryUser } from '../scenario/directory-users';
import type { GraphLimits, LatencyOptions, SimulatorStatsSnapshot } from '../simulators/graph';
import type { SimulatorCommand, SimulatorReply } from './simulator-ipc';

export interface SimulatorProcessOptions {
  users: readonly DirectoryUser[];
  dataDir: string;
  limits: GraphLimits;
  /** Exchange-like latency (docs/graph-simulator.md); default off. */
  latency?: boolean | LatencyOptions;
  /** How long to wait for the simulator to listen. Default 30 s. */
  startTimeoutMs?: number;
}

export class SimulatorProcessError extends Error {
  override readonly name = 'SimulatorProcessError';
}

/** The Graph simulator in a child process (`graph-simulator-process.js`), driven over IPC. */
export class SimulatorProcess {
  /** The service root, e.g. `http://127.0.0.1:50123/v1.0`. */
  readonly url: string;
  readonly requestLogFile: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<unknown>;

  private constructor(child: ChildProcess, started: Extract<SimulatorReply, { type: 'started' }>) {
    this.#child = child;
    this.#exited = child.exitCode !== null ? Promise.resolve() : once(child, 'exit');
    this.url = started.url;
    this.requestLogFile = started.requestLogFile;
  }

  /** The simulator process's id, for its CPU time. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  static async start(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
    const child = fork(path.join(__dirname, 'graph-simulator-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      const started = await exchange(child, { type: 'start', users: [...options.users], dataDir: options.dataDir, limits: options.limits, ...(options.latency === undefined ? {} : { latency: options.latency }) }, 'started', options.startTimeoutMs ?? 30_000);
      return new SimulatorProcess(child, started);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Stops the simulator (files flushed) and its process; returns its final counters. */
  async stop(): Promise<SimulatorStatsSnapshot> {
    const { stats } = await exchange(this.#child, { type: 'stop' }, 'stopped', 60_000);
    await this.#exited;
    return stats;
  }

  /** Ends the process without waiting for files; for clean-up after a failure. */
  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGKILL');
    await this.#exited;
  }
}

async function exchange<T extends SimulatorReply['type']>(
  child: ChildProcess,
  command: SimulatorCommand,
  expected: T,
  timeoutMs: number,
): Promise<Extract<SimulatorReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new SimulatorProcessError(`The Graph simulator process did not answer "${command.type}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: SimulatorReply): void => {
      if (message.type === 'error') finish(new SimulatorProcessError(`Graph simulator process: ${message.message}`));
      else if (message.type === expected) finish(undefined, message as Extract<SimulatorReply, { type: T }>);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new SimulatorProcessError(`The Graph simulator process exited (${signal ?? `code ${code}`}) before answering "${command.type}"`));
    const finish = (error: Error | undefined, value?: Extract<SimulatorReply, { type: T }>): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as Extract<SimulatorReply, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(command);
  });
}
