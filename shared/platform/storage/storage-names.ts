/** Names of the pipeline's queues, containers and tables; infra/ creates the same ones. */
export const Queues = {
  fetchJobs: 'fetch-jobs',
  fetchJobsPoison: 'fetch-jobs-poison',
  /** Items an administrator asked to import again: the raw archive is never rewritten to re-trigger them. */
  importReplays: 'import-replays',
  importReplaysPoison: 'import-replays-poison',
  blobTriggerPoison: 'webjobs-blobtrigger-poison',
} as const;

export const Containers = {
  items: 'archive-items',
  attachments: 'archive-attachments',
  quarantine: 'quarantine',
  mappingFiles: 'mapping-files',
  /** One manifest per connector and reconciled day, written once; immutable like the raw archive. */
  manifests: 'archive-manifests',
} as const;

export const Tables = {
  connectors: 'connectors',
  runs: 'runs',
  imports: 'imports',
  /** One row per connector and UTC day: the day's reconciliation. */
  reconciliation: 'reconciliation',
  /** Graph's per-mailbox limits shared by every instance (graph/TableMailboxLimiter). */
  mailboxLimits: 'mailboxlimits',
  /** Every administrator's change (web page and command line): who, when, what, before and after. */
  audit: 'audit',
} as const;
