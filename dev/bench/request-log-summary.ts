import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RequestLogEntry } from '../simulators/graph';

/** What the simulator's `requests.ndjson` says about one run. */
export interface RequestLogSummary {
  /** Every logged request: Graph, inside `$batch`, and upload URLs. */
  requests: number;
  /** Requests that counted against no mailbox (directory look-ups). */
  directoryRequests: number;
  /** Admitted requests (not refused by a limit) per mailbox, by userPrincipalName. */
  admittedByMailbox: Record<string, number>;
  /** 429s from the mailbox limits, by the limit that refused (`MailboxConcurrency`, `RequestCount`, `IncomingBytes`). */
  throttledBy: Record<string, number>;
  /** Answers by status. */
  byStatus: Record<string, number>;
  /** Requests by method and route shape, e.g. `POST /users/{}/mailFolders/{}/messages`. */
  byRoute: Record<string, number>;
}

/** Reads the log line by line (it can be large) and counts. */
export async function summarizeRequestLog(file: string): Promise<RequestLogSummary> {
  const summary: RequestLogSummary = { requests: 0, directoryRequests: 0, admittedByMailbox: {}, throttledBy: {}, byStatus: {}, byRoute: {} };
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as RequestLogEntry;
    summary.requests += 1;
    increment(summary.byStatus, String(entry.status));
    increment(summary.byRoute, `${entry.method} ${routeShape(entry.path)}`);
    if (entry.throttled !== undefined) increment(summary.throttledBy, entry.throttled);
    if (entry.mailbox === undefined) summary.directoryRequests += 1;
    else if (entry.throttled === undefined) increment(summary.admittedByMailbox, entry.mailbox);
  }
  return summary;
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

const COLLECTIONS = new Set(['users', 'mailFolders', 'messages', 'attachments']);
const ACTIONS = new Set(['createUploadSession']);

/** `/v1.0/users/a%40b/mailFolders/AAMk…/messages` → `/users/{}/mailFolders/{}/messages`. */
function routeShape(path: string): string {
  if (path.startsWith('/api/v2.0/')) return '{uploadUrl}';
  const segments = path.replace(/^\/v1\.0/, '').split('/');
  return segments
    .map((segment, i) => (i > 0 && COLLECTIONS.has(segments[i - 1] as string) && !ACTIONS.has(segment) ? '{}' : segment))
    .join('/');
}
