import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapWithConcurrency } from '../../shared/platform/concurrency/bounded-map';

export interface BareCreate {
  /** userPrincipalName of the mailbox. */
  mailbox: string;
  /** The message create body, exactly as the import stage would send it. */
  body: object;
}

export interface BareRunOptions {
  /** The Graph service root, e.g. `http://127.0.0.1:50123/v1.0`. */
  graphUrl: string;
  token: string;
  folderName: string;
  creates: readonly BareCreate[];
  /** Creates in flight at once, over all mailboxes. */
  concurrency: number;
  /** Tries of one request before the run fails. Default 10. */
  maxAttempts?: number;
}

export interface BareRunResult {
  items: number;
  durationMs: number;
  /** Requests this client sent, retries included. */
  requestsSent: number;
  /** 429 answers it received (and waited out). */
  throttled: number;
}

export class BareClientError extends Error {
  override readonly name = 'BareClientError';
}

/**
 * The least a client can do to file the same messages: Node's fetch, one folder look-up (and
 * create) per mailbox, then one POST per item, waiting out 429/503 as Graph asks. No storage,
 * no mapping, no directory, no SDK: the difference from the pipeline's figures is their cost.
 */
export async function runBareCreates(options: BareRunOptions): Promise<BareRunResult> {
  const maxAttempts = options.maxAttempts ?? 10;
  const result: BareRunResult = { items: options.creates.length, durationMs: 0, requestsSent: 0, throttled: 0 };
  const headers = { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' };

  const send = async (method: 'GET' | 'POST', url: string, body?: object): Promise<{ status: number; json: unknown }> => {
    for (let attempt = 1; ; attempt++) {
      result.requestsSent += 1;
      const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const json: unknown = await response.json().catch(() => undefined);
      if ((response.status === 429 || response.status === 503) && attempt < maxAttempts) {
        if (response.status === 429) result.throttled += 1;
        await sleep(Math.max(1, Number(response.headers.get('retry-after')) || 1) * 1000);
        continue;
      }
      return { status: response.status, json };
    }
  };

  const folders = new Map<string, Promise<string>>();
  const folderOf = (mailbox: string): Promise<string> => {
    let id = folders.get(mailbox);
    if (id === undefined) {
      id = ensureFolder(send, `${options.graphUrl}/users/${encodeURIComponent(mailbox)}/mailFolders`, options.folderName);
      folders.set(mailbox, id);
    }
    return id;
  };

  const started = performance.now();
  await mapWithConcurrency(options.creates, options.concurrency, async (create) => {
    const folderId = await folderOf(create.mailbox);
    const url = `${options.graphUrl}/users/${encodeURIComponent(create.mailbox)}/mailFolders/${encodeURIComponent(folderId)}/messages`;
    const { status, json } = await send('POST', url, create.body);
    if (status !== 201) throw new BareClientError(`Create in ${create.mailbox} answered ${status}: ${JSON.stringify(json).slice(0, 300)}`);
  });
  result.durationMs = performance.now() - started;
  return result;
}

type Send = (method: 'GET' | 'POST', url: string, body?: object) => Promise<{ status: number; json: unknown }>;

async function ensureFolder(send: Send, foldersUrl: string, displayName: string): Promise<string> {
  const query = new URLSearchParams({ $filter: `displayName eq '${displayName.replace(/'/g, "''")}'`, $select: 'id,displayName' });
  const found = await send('GET', `${foldersUrl}?${query.toString()}`);
  const existing = (found.json as { value?: Array<{ id: string }> } | undefined)?.value?.[0];
  if (found.status === 200 && existing !== undefined) return existing.id;
  const created = await send('POST', foldersUrl, { displayName });
  if (created.status !== 201) throw new BareClientError(`Folder create at ${foldersUrl} answered ${created.status}: ${JSON.stringify(created.json).slice(0, 300)}`);
  return (created.json as { id: string }).id;
}
