/** A bearer token and the instant after which it must not be used any more. */
export interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * Holds one bearer token and fetches a new one when it is missing, close to expiry or declared
 * expired by the server. Concurrent callers share one in-flight fetch. The token lives only in
 * a private field, so neither inspecting nor serialising the cache (or its owner) reveals it.
 */
export class AccessTokenCache {
  readonly #fetchToken: (signal?: AbortSignal) => Promise<{ accessToken: string; expiresInSeconds: number }>;
  readonly #now: () => number;
  #token: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;

  constructor(
    fetchToken: (signal?: AbortSignal) => Promise<{ accessToken: string; expiresInSeconds: number }>,
    now: () => number = Date.now,
  ) {
    this.#fetchToken = fetchToken;
    this.#now = now;
  }

  /** The cached token while it is comfortably valid; otherwise a newly fetched one. */
  async get(signal?: AbortSignal): Promise<CachedToken> {
    const token = this.#token;
    if (token !== undefined && this.#now() < token.expiresAt) return token;
    return this.#refresh(signal);
  }

  /**
   * Forgets `token` (the server said it expired early) unless a newer one has replaced it
   * meanwhile, so that several requests failing with the same token cause one refresh, not many.
   */
  invalidate(token: CachedToken): void {
    if (this.#token === token) this.#token = undefined;
  }

  /** Fetches a new token even if one is cached. */
  async refresh(signal?: AbortSignal): Promise<CachedToken> {
    this.#token = undefined;
    return this.#refresh(signal);
  }

  async #refresh(signal?: AbortSignal): Promise<CachedToken> {
    // One caller's abort must not fail the others waiting on the same fetch, so the shared
    // fetch runs without a signal and each caller only stops waiting when its own signal fires.
    this.#pending ??= this.#fetchToken()
      .then(({ accessToken, expiresInSeconds }) => {
        const lifetimeMs = expiresInSeconds * 1000;
        // Renew a little early: a tenth of the lifetime, at most a minute.
        const marginMs = Math.min(60_000, lifetimeMs / 10);
        const token: CachedToken = { value: accessToken, expiresAt: this.#now() + lifetimeMs - marginMs };
        this.#token = token;
        return token;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return signal === undefined ? this.#pending : abortable(this.#pending, signal);
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
