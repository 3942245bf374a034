import type { FetchWindow } from './fetch-window';

/** The queue message asking the fetch stage to store one connector's window. */
export interface FetchJob extends FetchWindow {
  connectorId: string;
  runId: string;
}

export class InvalidFetchJobError extends Error {
  override readonly name = 'InvalidFetchJobError';
  constructor(readonly field: string, reason: string) {
    super(`Invalid fetch job: ${field} ${reason}`);
  }
}

/** Validates a decoded queue message; the queue is ours, but a hand-edited message must not slip through. */
export function parseFetchJob(value: unknown): FetchJob {
  if (typeof value !== 'object' || value === null) throw new InvalidFetchJobError('message', 'is not a JSON object');
  const v = value as Record<string, unknown>;
  const text = (field: keyof FetchJob): string => {
    const f = v[field];
    if (typeof f !== 'string' || f.length === 0) throw new InvalidFetchJobError(field, 'is missing or not a string');
    return f;
  };
  const job: FetchJob = { connectorId: text('connectorId'), runId: text('runId'), from: text('from'), to: text('to') };
  for (const field of ['from', 'to'] as const) {
    if (Number.isNaN(Date.parse(job[field])) || !job[field].endsWith('Z')) throw new InvalidFetchJobError(field, `is not an ISO 8601 UTC instant: "${job[field]}"`);
  }
  if (Date.parse(job.from) >= Date.parse(job.to)) throw new InvalidFetchJobError('to', `must be after from (${job.from} to ${job.to})`);
  return job;
}
