import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

/** Requests of one kind and the wall time they took together. */
export interface TimedRequests {
  count: number;
  totalMs: number;
}

/**
 * Wall time of this process's outgoing requests, from sending to the answer: storage requests
 * (Node's `http` client, which the Azure SDKs use; `http.client.request.start` to
 * `http.client.response.finish`) by the label of their host, and `fetch` requests (undici, which
 * the Graph SDK uses; `undici:request:create` to `undici:request:headers`) as `graph`. The time
 * includes waiting for this process's event loop and the other end's: where an item's time goes.
 */
export class RequestTimer {
  readonly timed: Record<string, TimedRequests> = {};
  readonly #started = new WeakMap<object, { label: string; at: number }>();
  readonly #labels: ReadonlyMap<string, string>;
  readonly #onHttpStart = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    const host = request.getHeader('host');
    const label = typeof host === 'string' ? this.#labels.get(host) : undefined;
    if (label !== undefined) this.#started.set(request, { label, at: performance.now() });
  };
  readonly #onHttpFinish = (message: unknown): void => this.#end((message as { request: object }).request);
  readonly #onFetchStart = (message: unknown): void => {
    this.#started.set((message as { request: object }).request, { label: 'graph', at: performance.now() });
  };
  readonly #onFetchHeaders = (message: unknown): void => this.#end((message as { request: object }).request);

  /** @param labels `host:port` → what to count a storage request as (`blob`, `table`, …). */
  constructor(labels: ReadonlyMap<string, string>) {
    this.#labels = labels;
    subscribe('http.client.request.start', this.#onHttpStart);
    subscribe('http.client.response.finish', this.#onHttpFinish);
    subscribe('undici:request:create', this.#onFetchStart);
    subscribe('undici:request:headers', this.#onFetchHeaders);
  }

  stop(): Record<string, TimedRequests> {
    unsubscribe('http.client.request.start', this.#onHttpStart);
    unsubscribe('http.client.response.finish', this.#onHttpFinish);
    unsubscribe('undici:request:create', this.#onFetchStart);
    unsubscribe('undici:request:headers', this.#onFetchHeaders);
    return this.timed;
  }

  #end(request: object): void {
    const started = this.#started.get(request);
    if (started === undefined) return;
    this.#started.delete(request);
    const timed = (this.timed[started.label] ??= { count: 0, totalMs: 0 });
    timed.count += 1;
    timed.totalMs += performance.now() - started.at;
  }
}
