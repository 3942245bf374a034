import type { TableMailboxLimiterStats } from '../../shared/graph/table-mailbox-limiter';
import type { PipelineRunResult } from './pipeline-import-run';
import type { TimedRequests } from './request-timer';

/** From the bench to a pipeline process: get ready (services wired), then import. */
export type PipelineCommand =
  | { type: 'prepare'; storageConnectionString: string; graphEndpoint: string; blobNames: string[]; parallelism: number }
  | { type: 'go' };

export type PipelineReply =
  | { type: 'ready' }
  | { type: 'result'; result: PipelineRunResult; storageOperations: Record<string, number>; operations: Record<string, number>; limiter: TableMailboxLimiterStats; usage: ProcessUsage }
  | { type: 'error'; message: string };

/** What one pipeline process used while it imported (from the start signal to its end). */
export interface ProcessUsage {
  /** User + system CPU seconds (`process.cpuUsage`). */
  cpuSeconds: number;
  /** Event loop delay: how long a ready callback waited, in ms (a busy or CPU-starved process waits long). */
  eventLoopDelayMs: { mean: number; p99: number; max: number };
  /** This process's own import time (its share of the items) and parallelism: an item took `durationMs × parallelism ÷ items` on average (Little's law). */
  durationMs: number;
  items: number;
  parallelism: number;
  /** Wall time of its storage (`blob`, `table`) and Graph (`graph`) requests, from sending to the answer. */
  requests: Record<string, TimedRequests>;
}
