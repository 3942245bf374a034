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
  readonly #labels: ReadonlyMap<string, string>;
  readonly #listener = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    const host = request.getHeader('host');
    const label = typeof host === 'string' ? this.#labels.get(host) : undefined;
    if (label !== undefined) this.counts[label] = (this.counts[label] ?? 0) + 1;
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

/** `host:port` of each endpoint in a storage connection string → `blob`, `queue` or `table`. */
export function storageHosts(connectionString: string): Map<string, string> {
  return new Map([...connectionString.matchAll(/(Blob|Queue|Table)Endpoint=https?:\/\/([^/;]+)/g)].map((m) => [m[2] as string, (m[1] as string).toLowerCase()]));
}
