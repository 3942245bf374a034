import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/**
 * Counts the HTTP requests this process sends to the given hosts (`127.0.0.1:10000`, …) by
 * listening on Node's `http.client.request.start` diagnostics channel, which the Azure SDKs'
 * requests pass through: every storage round trip, retries included, without touching the SDKs.
 */
export class RequestCounter {
  /** Requests by the label of the host they went to. */
  readonly counts: Record<string, number> = {};
  /** The same requests by what they were: `table GET imports`, `table PUT mailboxlimits`, `blob GET archive-items`, `table POST $batch`. */
  readonly operations: Record<string, number> = {};
  readonly #labels: ReadonlyMap<string, string>;
  readonly #listener = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    const host = request.getHeader('host');
    const label = typeof host === 'string' ? this.#labels.get(host) : undefined;
    if (label === undefined) return;
    this.counts[label] = (this.counts[label] ?? 0) + 1;
    const operation = `${label} ${request.method} ${resourceOf(request.path)}`;
    this.operations[operation] = (this.operations[operation] ?? 0) + 1;
  };

  /** @param labels `host:port` → what to count it as (`blob`, `table`, …). */
  constructor(labels: ReadonlyMap<string, string>) {
    this.#labels = labels;
    subscribe('http.client.request.start', this.#listener);
  }

  stop(): Record<string, number> {
    unsubscribe('http.client.request.start', this.#listener);
    return this.counts;
  }
}

/**
 * The table, queue or container a request addresses: Azurite's URLs are path-style, so the
 * segment after the account, without a table's `(PartitionKey=…,RowKey=…)`.
 */
export function resourceOf(path: string): string {
  const [base = '', query = ''] = path.split('?');
  const segment = decodeURIComponent(base.split('/').filter((s) => s !== '')[1] ?? '');
  const name = segment.replace(/\(.*$/, '') || '(account)';
  // A table's entity (one row) or a query over it (a partition, a range).
  if (segment.includes('PartitionKey=')) return `${name} row`;
  if (/(^|&)(%24|\$)filter=/.test(query)) return `${name} query`;
  return name;
}

/** `host:port` of each endpoint in a storage connection string → `blob`, `queue` or `table`. */
export function storageHosts(connectionString: string): Map<string, string> {
  return new Map([...connectionString.matchAll(/(Blob|Queue|Table)Endpoint=https?:\/\/([^/;]+)/g)].map((m) => [m[2] as string, (m[1] as string).toLowerCase()]));
}
