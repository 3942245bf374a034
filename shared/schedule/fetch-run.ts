import type { FetchWindow } from './fetch-window';

export type FetchRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** The record of one fetch job: a connector's window, its attempts and what it stored. */
export interface FetchRun extends FetchWindow {
  connectorId: string;
  runId: string;
  status: FetchRunStatus;
  attempts: number;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  fetched: number;
  stored: number;
  alreadyStored: number;
  missingAttachments: number;
  /** Items refused on the run's last attempt (attachments not matching, malformed), kept in `quarantine`. */
  quarantined?: number;
  durationMs?: number;
  error?: string;
}
