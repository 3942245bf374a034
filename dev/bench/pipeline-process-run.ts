import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ItemOutcomeStatus } from '../../shared/outcomes/item-outcome';
import type { TableMailboxLimiterStats } from '../../shared/graph/table-mailbox-limiter';
import type { PipelineCommand, PipelineReply, ProcessUsage } from './pipeline-ipc';
import { CpuMeter } from './process-cpu';

export interface ProcessesRunOptions {
  storageConnectionString: string;
  graphEndpoint: string;
  blobNames: readonly string[];
  /** Host processes (instances of the app); the blobs are dealt out among them in turn. */
  processes: number;
  /** Imports in parallel per process (host.json `extensions.blobs.maxDegreeOfParallelism`). */
  parallelism: number;
  /** Other processes whose CPU time over the run is reported (`azurite`, `simulator`), by pid. */
  watch?: Readonly<Record<string, number | undefined>>;
}

export interface ProcessesRunResult {
  durationMs: number;
  outcomes: Partial<Record<ItemOutcomeStatus, number>>;
  retries: number;
  failures: string[];
  /** Storage requests all processes sent while importing, by service (`blob`, `queue`, `table`). */
  storageOperations: Record<string, number>;
  /** The same requests by operation and table or container (`table GET imports row`, …). */
  operations: Record<string, number>;
  limiter: TableMailboxLimiterStats;
  /** CPU seconds over the timed run: `imports` (all pipeline processes), `bench` (this process) and each watched process. */
  cpuSeconds: Record<string, number>;
  /** Each pipeline process's own usage. */
  usage: ProcessUsage[];
}

/**
 * The import stage in `processes` child processes at once (`pipeline-process.js`), each with its
 * own services, started together once all are wired; the clock runs from the start signal to
 * the last process's end.
 */
export async function runPipelineProcesses(options: ProcessesRunOptions): Promise<ProcessesRunResult> {
  const shares = Array.from({ length: options.processes }, (_, p) => options.blobNames.filter((_, i) => i % options.processes === p));
  const children = shares.map(() => fork(path.join(__dirname, 'pipeline-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  try {
    await Promise.all(children.map((child, p) => ask(child, {
      type: 'prepare', storageConnectionString: options.storageConnectionString, graphEndpoint: options.graphEndpoint, blobNames: shares[p] as string[], parallelism: options.parallelism,
    }, 'ready')));
    const meter = new CpuMeter(options.watch ?? {});
    const started = performance.now();
    const replies = await Promise.all(children.map((child) => ask(child, { type: 'go' }, 'result')));
    const durationMs = performance.now() - started;
    const { self, ...watched } = meter.stop();
    const usage = replies.map((r) => r.usage);
    const total: ProcessesRunResult = {
      durationMs, outcomes: {}, retries: 0, failures: [], storageOperations: {}, operations: {},
      cpuSeconds: { imports: usage.reduce((n, u) => n + u.cpuSeconds, 0), ...watched, bench: self ?? 0 }, usage,
      limiter: { claims: 0, handOffs: 0, refreshedHandOffs: 0, memoryHandOffs: 0, backgroundReads: 0, reclaims: 0, waits: { concurrency: 0, budget: 0, backOff: 0 }, conflicts: 0, storageOperations: 0 },
    };
    for (const reply of replies) {
      for (const [status, n] of Object.entries(reply.result.outcomes) as [ItemOutcomeStatus, number][]) total.outcomes[status] = (total.outcomes[status] ?? 0) + n;
      total.retries += reply.result.retries;
      total.failures.push(...reply.result.failures.slice(0, 5 - total.failures.length));
      for (const [service, n] of Object.entries(reply.storageOperations)) total.storageOperations[service] = (total.storageOperations[service] ?? 0) + n;
      for (const [operation, n] of Object.entries(reply.operations)) total.operations[operation] = (total.operations[operation] ?? 0) + n;
      total.limiter.claims += reply.limiter.claims;
      total.limiter.handOffs += reply.limiter.handOffs;
      total.limiter.refreshedHandOffs += reply.limiter.refreshedHandOffs;
      total.limiter.memoryHandOffs += reply.limiter.memoryHandOffs;
      total.limiter.backgroundReads += reply.limiter.backgroundReads;
      total.limiter.reclaims += reply.limiter.reclaims;
      total.limiter.conflicts += reply.limiter.conflicts;
      total.limiter.storageOperations += reply.limiter.storageOperations;
      for (const key of ['concurrency', 'budget', 'backOff'] as const) total.limiter.waits[key] += reply.limiter.waits[key];
    }
    return total;
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function ask<T extends PipelineReply['type']>(child: ChildProcess, command: PipelineCommand, expected: T): Promise<Extract<PipelineReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: PipelineReply): void => {
      if (message.type === 'error') finish(new Error(`pipeline process: ${message.message}`));
      else if (message.type === expected) finish(undefined, message as Extract<PipelineReply, { type: T }>);
    };
    const onExit = (code: number | null, signal: string | null): void => finish(new Error(`pipeline process exited (${signal ?? `code ${code}`}) before "${expected}"`));
    const finish = (error: Error | undefined, value?: Extract<PipelineReply, { type: T }>): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as Extract<PipelineReply, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(command);
  });
}
