import type { TableMailboxLimiterStats } from '../../shared/graph/table-mailbox-limiter';
import type { PipelineRunResult } from './pipeline-import-run';

/** From the bench to a pipeline process: get ready (services wired), then import. */
export type PipelineCommand =
  | { type: 'prepare'; storageConnectionString: string; graphEndpoint: string; blobNames: string[]; parallelism: number }
  | { type: 'go' };

export type PipelineReply =
  | { type: 'ready' }
  | { type: 'result'; result: PipelineRunResult; storageOperations: Record<string, number>; operations: Record<string, number>; limiter: TableMailboxLimiterStats }
  | { type: 'error'; message: string };
