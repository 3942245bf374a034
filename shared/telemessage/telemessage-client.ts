import { Readable } from 'node:stream';
import type { Response } from 'undici';
import { AccessTokenCache, type CachedToken } from './access-token-cache';
import {
  ARCHIVE_PRODUCTS,
  isArchiveProduct,
  type ArchiveItem,
  type ArchiveItemIterator,
  type ArchiveItemPage,
  type ArchiveProduct,
  type ArchiveSource,
  type ArchiveWindow,
  type AttachmentDownload,
  type ListItemsOptions,
  type OpenAttachmentOptions,
} from './archive-source';
import { assertHostAllowed, RefusedAddressError, type AddressPolicy, type Resolver } from './address-policy';
import {
  ArchiveWindowError,
  TeleMessageAddressRefusedError,
  TeleMessageAuthenticationError,
  TeleMessageNotFoundError,
  TeleMessageProtocolError,
  TeleMessageTransientError,
} from './archive-source-errors';
import { formatInstant, validateWindow } from './archive-window';
import { AttachmentBodyStream, describeCause } from './attachment-body-stream';
import { openCheckedConnections, type CheckedConnections } from './checked-connections';
import { RETRY_BUDGETS, RetryPolicy, retryAfterMs, type RetryOptions } from '../platform/resilience';

export interface TeleMessageClientOptions {
  /** The API root, e.g. `https://archive.example.com` (paths `/api/v1/...` are appended). */
  baseUrl: string;
  username: string;
  /** Sent only in the token request's body; never logged, never part of an error. */
  password: string;
  /**
   * Which addresses the client may connect to, applied to the base URL's address literal and, for
   * a host name, to the addresses it resolves to at each connection (so an answer that changes
   * after the caller's own check is caught too). The password is never sent anywhere else.
   */
  addressPolicy: AddressPolicy;
  /** How the host name is resolved for each connection; the system's resolver by default. */
  resolve?: Resolver;
  /**
   * Retries of 429/503 (after Retry-After), 500/502/504, resets and cut-short bodies: the fetch
   * stage's policy by default, another policy, or some of its numbers changed.
   */
  retry?: RetryPolicy | Partial<RetryOptions>;
  /**
   * Longest wait for one request's answer (headers and, for JSON, the whole body); for an
   * attachment, also the longest silence between two chunks of its body. Default 30 s.
   */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** The contract's bounds for `limit`. */
export const MIN_PAGE_LIMIT = 1;
export const MAX_PAGE_LIMIT = 500;

type Operation = 'getToken' | 'listItems' | 'openAttachment';

interface RequestSpec {
  operation: Operation;
  method: 'GET' | 'POST';
  /** Path below the base URL, starting with `/`. */
  path: string;
  query?: URLSearchParams;
  headers?: Record<string, string>;
  body?: string;
  authenticated: boolean;
}

/** What a response reader may do with the request it is reading. */
interface AttemptHandle {
  /** Aborts the underlying request (for a stream that outlives the attempt). */
  abort(reason: unknown): void;
  /** The stream now owns the request: stop the attempt's timer and caller-signal link. */
  handOver(): void;
}

type ResponseReader<T> = (response: Response, attempt: AttemptHandle) => Promise<T>;

type AttemptResult<T> =
  | { kind: 'done'; value: T }
  | { kind: 'token-expired' }
  | { kind: 'retry'; cause: string; status?: number; retryAfterMs?: number; error?: unknown };

/** A body that broke off or is not complete JSON: the contract calls that transient. */
class CutShortBody extends Error {}

/**
 * {@link ArchiveSource} over TeleMessage's retrieval API
 * (/work/shared/spec/telemessage-archive-api.md), on undici's fetch through one dispatcher of
 * its own, whose connections reach only addresses the address policy allows.
 *
 * Credentials and the bearer token live in private fields only; errors carry the operation,
 * the request path and the status, never a secret. Its connections are kept for reuse (closed when
 * idle a few seconds, or by {@link close}).
 */
export class TeleMessageClient implements ArchiveSource {
  readonly #base: URL;
  readonly #username: string;
  readonly #password: string;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #tokens: AccessTokenCache;
  readonly #addressPolicy: AddressPolicy;
  readonly #resolve: Resolver | undefined;
  #connections: Promise<CheckedConnections> | undefined;

  constructor(options: TeleMessageClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch (error) {
      throw new TypeError(`TeleMessageClient: baseUrl "${String(options.baseUrl)}" is not an absolute URL`, { cause: error });
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new TypeError(`TeleMessageClient: baseUrl must use http or https, not ${base.protocol}`);
    }
    if (base.username !== '' || base.password !== '' || base.search !== '' || base.hash !== '') {
      throw new TypeError('TeleMessageClient: baseUrl must not carry credentials, a query or a fragment');
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    // An address literal is connected to without a lookup: judge it here.
    assertHostAllowed(base, options.addressPolicy);
    if (typeof options.username !== 'string' || options.username === '') {
      throw new TypeError('TeleMessageClient: username must be a non-empty string');
    }
    if (typeof options.password !== 'string' || options.password === '') {
      throw new TypeError('TeleMessageClient: password must be a non-empty string');
    }
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new RangeError(`TeleMessageClient: requestTimeoutMs must be a positive number, got ${String(timeout)}`);
    }
    this.#base = base;
    this.#username = options.username;
    this.#password = options.password;
    this.#retry = options.retry instanceof RetryPolicy ? options.retry : RETRY_BUDGETS.fetch.with(options.retry);
    this.#timeoutMs = timeout;
    this.#tokens = new AccessTokenCache(() => this.#requestToken());
    this.#addressPolicy = options.addressPolicy;
    this.#resolve = options.resolve;
  }

  /** Closes the client's connections once the requests under way have finished. */
  async close(): Promise<void> {
    if (this.#connections !== undefined) await (await this.#connections).dispatcher.close();
  }

  /** Fetches a fresh token; rejects with {@link TeleMessageAuthenticationError} when TeleMessage refuses the credentials. */
  async verifyConnection(options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#tokens.refresh(options.signal);
  }

  listItems(product: ArchiveProduct, window: ArchiveWindow, options: ListItemsOptions = {}): ArchiveItemIterator {
    assertProduct(product, 'listItems');
    validateWindow(window, 'listItems');
    const { limit, signal } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < MIN_PAGE_LIMIT || limit > MAX_PAGE_LIMIT)) {
      throw new RangeError(`listItems: limit must be an integer from ${MIN_PAGE_LIMIT} to ${MAX_PAGE_LIMIT}, got ${String(limit)}`);
    }
    const query = new URLSearchParams({ from: formatInstant(window.from.getTime()), to: formatInstant(window.to.getTime()) });
    if (limit !== undefined) query.set('limit', String(limit));
    const path = `/api/v1/archive/${encodeURIComponent(product)}/items`;

    const pages = (continuationToken?: string): AsyncGenerator<ArchiveItemPage> =>
      this.#pages(path, query, continuationToken, signal);
    const items = (async function* (): AsyncGenerator<ArchiveItem> {
      for await (const page of pages()) yield* page.items;
    })();
    return {
      next: () => items.next(),
      return: (value?: unknown) => items.return(value as undefined),
      [Symbol.asyncIterator]() {
        return this;
      },
      byPage: (settings = {}) => pages(settings.continuationToken),
    };
  }

  async openAttachment(product: ArchiveProduct, attachmentId: string, options: OpenAttachmentOptions = {}): Promise<AttachmentDownload> {
    assertProduct(product, 'openAttachment');
    if (typeof attachmentId !== 'string' || attachmentId === '') {
      throw new TypeError('openAttachment: attachmentId must be a non-empty string');
    }
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`openAttachment: offset must be a non-negative integer, got ${String(offset)}`);
    }
    const path = `/api/v1/archive/${encodeURIComponent(product)}/attachments/${encodeURIComponent(attachmentId)}`;
    return this.#execute(
      {
        operation: 'openAttachment',
        method: 'GET',
        path,
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        authenticated: true,
      },
      async (response, attempt) => this.#toDownload(response, attempt, path, offset, options.signal),
      options.signal,
    );
  }

  async *#pages(path: string, query: URLSearchParams, startCursor: string | undefined, signal?: AbortSignal): AsyncGenerator<ArchiveItemPage> {
    let cursor = startCursor;
    const seen = new Set<string>();
    for (;;) {
      const pageQuery = new URLSearchParams(query);
      if (cursor !== undefined) pageQuery.set('cursor', cursor);
      const page = await this.#execute(
        { operation: 'listItems', method: 'GET', path, query: pageQuery, authenticated: true },
        async (response) => readPage(await readJson(response), path),
        signal,
      );
      yield page.nextCursor === null ? { items: page.items } : { items: page.items, continuationToken: page.nextCursor };
      if (page.nextCursor === null) return;
      // A cursor handed out twice would page forever; the contract guarantees progress.
      if (seen.has(page.nextCursor)) {
        throw new TeleMessageProtocolError(`TeleMessage listItems ${path}: the server returned a cursor it had already returned`, {
          operation: 'listItems',
          path,
        });
      }
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  async #requestToken(): Promise<{ accessToken: string; expiresInSeconds: number }> {
    const path = '/api/v1/auth/token';
    return this.#execute(
      {
        operation: 'getToken',
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: this.#username, password: this.#password }),
        authenticated: false,
      },
      async (response) => readTokenResponse(await readJson(response), path),
      undefined,
    );
  }

  /**
   * One logical call: attempts until success, a final error, or the retry budget is spent.
   * A token the server calls expired is replaced once per call without using up an attempt.
   */
  async #execute<T>(spec: RequestSpec, read: ResponseReader<T>, signal: AbortSignal | undefined): Promise<T> {
    const retries = this.#retry.begin(signal);
    let refreshedToken = false;
    for (;;) {
      signal?.throwIfAborted();
      const token = spec.authenticated ? await this.#tokens.get(signal) : undefined;
      const result = await this.#attempt(spec, token, read, signal);
      if (result.kind === 'done') return result.value;
      if (result.kind === 'token-expired') {
        if (refreshedToken) {
          throw new TeleMessageAuthenticationError(
            `TeleMessage ${spec.operation} ${spec.path}: the server called a freshly issued token expired (401 token_expired twice)`,
            { operation: spec.operation, path: spec.path, status: 401 },
          );
        }
        refreshedToken = true;
        this.#tokens.invalidate(token as CachedToken);
        continue;
      }
      if (!(await retries.backOff(result.retryAfterMs))) {
        const attempts = retries.failures;
        throw new TeleMessageTransientError(
          `TeleMessage ${spec.operation} ${spec.path} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}; last cause: ${result.cause} (retries stopped: ${retries.exhaustedBecause})`,
          { operation: spec.operation, path: spec.path, status: result.status, attempts, cause: result.error },
        );
      }
    }
  }

  async #attempt<T>(spec: RequestSpec, token: CachedToken | undefined, read: ResponseReader<T>, signal: AbortSignal | undefined): Promise<AttemptResult<T>> {
    const controller = new AbortController();
    const onCallerAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('request timeout'));
    }, this.#timeoutMs);
    let handedOver = false;
    const release = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    };
    const handle: AttemptHandle = {
      abort: (reason) => controller.abort(reason),
      handOver: () => {
        handedOver = true;
        release();
      },
    };
    try {
      const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
      if (token !== undefined) headers.authorization = `Bearer ${token.value}`;
      let response: Response;
      try {
        // Never follow a redirect: a 307/308 would re-send the sign-in body (the password) or the
        // bearer token to wherever it points, another origin or plain http included.
        const { fetch, dispatcher } = await (this.#connections ??= openCheckedConnections(this.#addressPolicy, this.#resolve));
        response = await fetch(this.#url(spec), {
          method: spec.method, headers, body: spec.body, signal: controller.signal, redirect: 'manual', dispatcher,
        });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const refused = refusedAddress(error);
        if (refused !== undefined) {
          // Not retried: the name answers with an address the policy refuses, and nothing was sent.
          throw new TeleMessageAddressRefusedError(`TeleMessage ${spec.operation} ${spec.path}: ${refused.message}`, {
            operation: spec.operation, path: spec.path, cause: refused,
          });
        }
        if (timedOut) return { kind: 'retry', cause: `no answer within ${this.#timeoutMs} ms` };
        return { kind: 'retry', cause: describeCause(error), error };
      }
      if (response.ok) {
        try {
          return { kind: 'done', value: await read(response, handle) };
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          if (timedOut) return { kind: 'retry', cause: `the body did not arrive within ${this.#timeoutMs} ms`, status: response.status };
          if (error instanceof CutShortBody) return { kind: 'retry', cause: error.message, status: response.status, error: error.cause };
          throw error;
        }
      }
      return await this.#classifyFailure(spec, response);
    } finally {
      if (!handedOver) release();
    }
  }

  async #classifyFailure<T>(spec: RequestSpec, response: Response): Promise<AttemptResult<T>> {
    const { status } = response;
    const code = await readErrorCode(response);
    const details = { operation: spec.operation, path: spec.path, status };
    const where = `TeleMessage ${spec.operation} ${spec.path}`;
    switch (status) {
      case 401:
        if (code === 'token_expired' && spec.authenticated) return { kind: 'token-expired' };
        if (code === 'invalid_credentials') {
          throw new TeleMessageAuthenticationError(`${where}: TeleMessage refused the username or password (401 invalid_credentials)`, details);
        }
        throw new TeleMessageAuthenticationError(`${where}: 401 ${code ?? 'without an error code'}`, details);
      case 400:
        if (code === 'invalid_window') {
          throw new ArchiveWindowError(`${where}: TeleMessage refused the window (400 invalid_window)`, details);
        }
        throw new TeleMessageProtocolError(`${where}: 400 ${code ?? 'without an error code'}`, details);
      case 404:
        throw new TeleMessageNotFoundError(`${where}: not found (404${code === undefined ? '' : ` ${code}`})`, details);
      case 429:
      case 503:
        return { kind: 'retry', status, cause: `HTTP ${status}`, retryAfterMs: retryAfterMs(response.headers) };
      case 500:
      case 502:
      case 504:
        return { kind: 'retry', status, cause: `HTTP ${status}` };
      default:
        if (status >= 300 && status < 400) {
          throw new TeleMessageProtocolError(`${where}: TeleMessage answered with a redirect (HTTP ${status}); redirects are never followed, check the connector's base URL`, details);
        }
        throw new TeleMessageProtocolError(`${where}: unexpected HTTP ${status}${code === undefined ? '' : ` (${code})`}`, details);
    }
  }

  async #toDownload(response: Response, attempt: AttemptHandle, path: string, offset: number, signal: AbortSignal | undefined): Promise<AttachmentDownload> {
    const fail = (what: string): never => {
      attempt.abort(new Error('protocol error'));
      throw new TeleMessageProtocolError(`TeleMessage openAttachment ${path}: ${what}`, { operation: 'openAttachment', path, status: response.status });
    };
    const encoding = response.headers.get('content-encoding');
    // With a content coding, fetch decodes the body and Content-Length counts the coded bytes.
    const lengthHeader = encoding === null || encoding === 'identity' ? parseLength(response.headers.get('content-length')) : undefined;
    let contentLength: number | undefined;
    let totalSize: number | undefined;
    let skipBytes = 0;
    if (response.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (range === null) return fail('206 without a valid Content-Range');
      const start = Number(range[1]);
      const end = Number(range[2]);
      if (start !== offset || end < start) return fail(`206 for bytes ${start}-${end} when bytes ${offset}- were asked for`);
      contentLength = end - start + 1;
      totalSize = range[3] === '*' ? undefined : Number(range[3]);
      if (lengthHeader !== undefined && lengthHeader !== contentLength) return fail(`Content-Length ${lengthHeader} disagrees with Content-Range ${start}-${end}`);
    } else if (response.status === 200) {
      totalSize = lengthHeader;
      // A server that ignores Range sends everything; drop what the caller already has.
      skipBytes = offset;
      if (totalSize !== undefined) {
        if (totalSize < offset) return fail(`offset ${offset} is beyond the attachment's ${totalSize} bytes`);
        contentLength = totalSize - offset;
      }
    } else {
      return fail(`unexpected HTTP ${response.status} for a download`);
    }
    attempt.handOver();
    const stream = new AttachmentBodyStream({
      body: response.body ?? Readable.toWeb(Readable.from([])) as ReadableStream<Uint8Array>,
      abortRequest: (reason) => attempt.abort(reason),
      signal,
      expectedBytes: contentLength,
      skipBytes,
      offset,
      idleTimeoutMs: this.#timeoutMs,
      path,
    });
    return {
      stream,
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      contentLength,
      totalSize,
      offset,
    };
  }

  #url(spec: RequestSpec): URL {
    const url = new URL(spec.path.slice(1), this.#base);
    if (spec.query !== undefined) url.search = spec.query.toString();
    return url;
  }
}

/** The address policy's refusal behind a failed fetch (fetch wraps what the connection failed with). */
function refusedAddress(error: unknown): RefusedAddressError | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth += 1) {
    if (current instanceof RefusedAddressError) return current;
    current = current.cause;
  }
  return undefined;
}

function assertProduct(product: unknown, operation: string): asserts product is ArchiveProduct {
  if (!isArchiveProduct(product)) {
    throw new TypeError(`${operation}: product must be one of ${ARCHIVE_PRODUCTS.join(', ')}, got ${JSON.stringify(product)}`);
  }
}

async function readJson(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new CutShortBody(`the body was cut short: ${describeCause(error)}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // The contract names bodies cut short as transient; a JSON body that stops early reads so.
    throw new CutShortBody(`the body is not complete JSON (${text.length} characters received)`, { cause: error });
  }
}

/** The `error` code of an error answer, when it is a plain machine code (never echo free text). */
async function readErrorCode(response: Response): Promise<string | undefined> {
  try {
    const body: unknown = JSON.parse(await response.text());
    const code = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function readPage(body: unknown, path: string): { items: ArchiveItem[]; nextCursor: string | null } {
  const fail = (what: string): never => {
    throw new TeleMessageProtocolError(`TeleMessage listItems ${path}: malformed page: ${what}`, { operation: 'listItems', path, status: 200 });
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('expected a JSON object');
  const { items, nextCursor } = body as { items?: unknown; nextCursor?: unknown };
  if (!Array.isArray(items)) return fail('"items" is not an array');
  items.forEach((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) fail(`items[${index}] is not an object`);
    const id = (item as { id?: unknown }).id;
    if (typeof id !== 'string' || id === '') fail(`items[${index}].id is not a non-empty string`);
  });
  if (nextCursor !== undefined && nextCursor !== null && (typeof nextCursor !== 'string' || nextCursor === '')) {
    return fail('"nextCursor" is neither a non-empty string nor null');
  }
  return { items: items as ArchiveItem[], nextCursor: nextCursor ?? null };
}

function readTokenResponse(body: unknown, path: string): { accessToken: string; expiresInSeconds: number } {
  // Never echo the body: it holds the token.
  const fail = (what: string): never => {
    throw new TeleMessageProtocolError(`TeleMessage getToken ${path}: malformed token response: ${what}`, { operation: 'getToken', path, status: 200 });
  };
  if (typeof body !== 'object' || body === null) return fail('expected a JSON object');
  const { accessToken, expiresIn } = body as { accessToken?: unknown; expiresIn?: unknown };
  if (typeof accessToken !== 'string' || accessToken === '') return fail('"accessToken" is not a non-empty string');
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) return fail('"expiresIn" is not a positive number');
  return { accessToken, expiresInSeconds: expiresIn };
}

function parseLength(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}
