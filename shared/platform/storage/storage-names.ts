/** Names of the pipeline's queues, containers and tables; infra/ creates the same ones. */
export const Queues = {
  fetchJobs: 'fetch-jobs',
  fetchJobsPoison: 'fetch-jobs-poison',
  blobTriggerPoison: 'webjobs-blobtrigger-poison',
} as const;

export const Containers = {
  items: 'archive-items',
  attachments: 'archive-attachments',
  quarantine: 'quarantine',
  mappingFiles: 'mapping-files',
} as const;

export const Tables = {
  connectors: 'connectors',
  runs: 'runs',
  imports: 'imports',
} as const;
