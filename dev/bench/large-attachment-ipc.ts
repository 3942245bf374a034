import type { MemoryPeaks } from './memory-sampler';

/** What the bench asks the large-attachment process to import. */
export interface LargeAttachmentCommand {
  type: 'run';
  storageConnectionString: string;
  graphEndpoint: string;
  /** A small item of the same connector and mailbox, imported first so that module loading, the directory look-up and the folder are not in the figures. */
  warmUpBlobName: string;
  /** The items with large attachments, imported at the same time. */
  blobNames: string[];
  sampleIntervalMs: number;
}

export type LargeAttachmentReply =
  | {
      type: 'result';
      /** The import outcome's status, and the first mailbox error when there is one. */
      status: string;
      error?: string;
      durationMs: number;
      memory: MemoryPeaks;
    }
  | { type: 'error'; message: string };
