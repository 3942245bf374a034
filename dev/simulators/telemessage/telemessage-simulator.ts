import { timingSafeEqual } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatInstant, parseInstant } from '../../scenario/rfc3339';
import { loadTeleMessageScenario } from '../../scenario/scenario';
import type { TeleMessageAccount } from '../../scenario/telemessage-accounts';
import {
  ATTACHMENT_ID,
  TELEMESSAGE_PRODUCTS,
  isTeleMessageProduct,
  type TeleMessageItem,
  type TeleMessageProduct,
} from '../../scenario/telemessage-item';
import { attachmentsDir } from '../../scenario/telemessage-items';
import { parseRange } from './byte-range';
import { Exchange, readBody } from './exchange';
import { FaultInjector, FaultSpecError, parseFaultSpec, type ActiveFault } from './faults';
import { rebaseOffset, shiftItemTimestamps } from './item-timestamps';
import { ProductItemStore } from './item-store';
import { decodeCursor, encodeCursor, type CursorBinding } from './list-cursor';
import { SimulatorStats, type SimulatorRoute, type StatsRoute } from './simulator-stats';
import { TokenStore } from './token-store';

export interface TeleMessageSimulatorOptions {
  /** The scenario folder; its `telemessage/` part is served. */
  scenarioDir: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. The simulator has no security: keep it on loopback. */
  host?: string;
  /** Lifetime of issued tokens; default 3600. */
  tokenTtlSeconds?: number;
  /**
   * Moves every item's timestamps by one offset so that the newest `archivedAt` lands one hour
   * before the simulator started (`true`) or exactly on the given Date, keeping the spacing.
   */
  rebaseToNow?: boolean | Date;
  /** The clock for token expiry, live captures and rebasing; default the system clock. */
  now?: () => Date;
  /** Receives one line per answered request (method, path, outcome); never headers or bodies. */
  log?: (line: string) => void;
}

/** An item to capture live; everything except what the store needs to order it is up to the caller. */
export type CapturedItemInput = Partial<TeleMessageItem> & Record<string, unknown>;

const MAX_WINDOW_MS = 31 * 24 * 60 * 60 * 1000;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;
const MAX_TOKEN_BODY_BYTES = 64 * 1024;

const TOKEN_PATH = '/api/v1/auth/token';
const LIST_PATH = /^\/api\/v1\/archive\/([^/]+)\/items$/;
const ATTACHMENT_PATH = /^\/api\/v1\/archive\/([^/]+)\/attachments\/([^/]+)$/;

/**
 * The TeleMessage archive API (/work/shared/spec/telemessage-archive-api.md) over a scenario folder,
 * with switchable faults and request counts for tests.
 */
export class TeleMessageSimulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:51234`. */
  readonly url: string;
  readonly faults = new FaultInjector();
  readonly stats = new SimulatorStats();
  /** Instant the simulator started, by its clock. */
  readonly startedAt: Date;

  private readonly stores: Record<TeleMessageProduct, ProductItemStore>;
  private readonly tokens: TokenStore;
  private readonly stopping = new AbortController();
  private stopped: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: TeleMessageSimulatorOptions,
    private readonly accounts: readonly TeleMessageAccount[],
    stores: Record<TeleMessageProduct, ProductItemStore>,
    startedAt: Date,
  ) {
    this.stores = stores;
    this.startedAt = startedAt;
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${host}:${address.port}`;
    this.tokens = new TokenStore((options.tokenTtlSeconds ?? 3600) * 1000, () => this.nowMs());
  }

  static async start(options: TeleMessageSimulatorOptions): Promise<TeleMessageSimulator> {
    const ttl = options.tokenTtlSeconds ?? 3600;
    if (!Number.isSafeInteger(ttl) || ttl < 1) throw new RangeError('tokenTtlSeconds must be a whole number ≥ 1');
    const now = options.now ?? (() => new Date());
    const startedAt = now();
    const scenario = await loadTeleMessageScenario(options.scenarioDir);

    let offsetMs = 0;
    if (options.rebaseToNow !== undefined && options.rebaseToNow !== false) {
      // Whole seconds keep rebased timestamps as tidy as the scenario's own.
      const anchorMs =
        options.rebaseToNow === true
          ? Math.floor(startedAt.getTime() / 1000) * 1000 - 60 * 60 * 1000
          : options.rebaseToNow.getTime();
      const everything = TELEMESSAGE_PRODUCTS.flatMap((product) => scenario.items[product].map((located) => located.item));
      offsetMs = rebaseOffset(everything, anchorMs);
    }
    const stores = {} as Record<TeleMessageProduct, ProductItemStore>;
    for (const product of TELEMESSAGE_PRODUCTS) {
      const store = new ProductItemStore();
      for (const { item } of scenario.items[product]) store.insert(offsetMs === 0 ? item : shiftItemTimestamps(item, offsetMs));
      stores[product] = store;
    }

    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const simulator = new TeleMessageSimulator(server, options, scenario.accounts, stores, startedAt);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      simulator.handle(req, res).catch((error: unknown) => {
        options.log?.(`internal error: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: 'internal_error' }));
        } else {
          res.destroy();
        }
      });
    });
    return simulator;
  }

  /**
   * Adds an item as if TeleMessage archived it now. `archivedAt` defaults to now, `product` to the
   * given product and `id` to a fresh one. Unlike scenario files, the item is not checked against
   * the contract, so tests can serve malformed items. Returns the stored item.
   */
  capture(product: TeleMessageProduct, item: CapturedItemInput): TeleMessageItem {
    if (!isTeleMessageProduct(product)) throw new TypeError(`unknown product "${String(product)}"`);
    if (item.product !== undefined && item.product !== product) {
      throw new TypeError(`item product "${String(item.product)}" does not match "${product}"`);
    }
    const stored = structuredClone({
      ...item,
      id: item.id ?? `tm-live-${this.nowMs().toString(36)}-${this.stores[product].size + 1}`,
      product,
      archivedAt: item.archivedAt ?? formatInstant(this.nowMs()),
    }) as TeleMessageItem;
    if (typeof stored.id !== 'string' || stored.id === '') throw new TypeError('item id must be a non-empty string');
    this.stores[product].insert(stored);
    return structuredClone(stored);
  }

  /** The product's items as served (rebased, including captures), ordered by (archivedAt, id). */
  items(product: TeleMessageProduct): TeleMessageItem[] {
    return structuredClone(this.stores[product].all());
  }

  /** Stops listening and closes every connection; pending delayed responses are dropped. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.stopping.abort();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.stopped;
  }

  /** The simulator's clock (the `now` option, or the system clock). */
  now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  private nowMs(): number {
    return this.now().getTime();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const path = url.pathname;
    if (path === '/_sim' || path.startsWith('/_sim/')) {
      await this.handleAdmin(new Exchange(req, res, undefined, this.stats, this.options.log), path);
      return;
    }

    const listMatch = LIST_PATH.exec(path);
    const attachmentMatch = ATTACHMENT_PATH.exec(path);
    const route: StatsRoute =
      path === TOKEN_PATH ? 'token' : listMatch !== null ? 'list' : attachmentMatch !== null ? 'attachment' : 'unknown';
    this.stats.recordRequest(route);
    const exchange = new Exchange(req, res, route, this.stats, this.options.log);
    if (route === 'unknown') {
      exchange.error(404, 'not_found', 'no such endpoint');
      return;
    }
    const expectedMethod = route === 'token' ? 'POST' : 'GET';
    if (req.method !== expectedMethod) {
      exchange.error(405, 'method_not_allowed', `use ${expectedMethod}`, { Allow: expectedMethod });
      return;
    }

    const { latency, fault } = this.faults.take(route);
    if (latency !== undefined) {
      try {
        await sleep(latency.latencyMs, undefined, { signal: this.stopping.signal });
      } catch {
        req.socket.destroy();
        return;
      }
    }
    if (fault !== undefined && this.applyFault(exchange, route, fault)) return;

    switch (route) {
      case 'token':
        await this.handleToken(exchange, fault);
        return;
      case 'list':
        this.handleList(exchange, decodeSegment((listMatch as RegExpExecArray)[1] as string), url.searchParams, fault);
        return;
      case 'attachment': {
        const match = attachmentMatch as RegExpExecArray;
        await this.handleAttachment(exchange, decodeSegment(match[1] as string), decodeSegment(match[2] as string), fault);
        return;
      }
    }
  }

  /**
   * Answers with the fault when it replaces the response; returns false when the request goes on
   * (truncation and token expiry on the token route shape the normal response instead).
   */
  private applyFault(exchange: Exchange, route: SimulatorRoute, fault: ActiveFault): boolean {
    switch (fault.kind) {
      case 'status-429':
      case 'status-503': {
        const status = fault.kind === 'status-429' ? 429 : 503;
        const code = status === 429 ? 'too_many_requests' : 'service_unavailable';
        exchange.error(status, code, 'injected fault', { 'Retry-After': String(fault.retryAfterSeconds) });
        return true;
      }
      case 'status-500':
        exchange.error(500, 'internal_error', 'injected fault');
        return true;
      case 'reset':
        exchange.reset();
        return true;
      case 'expire-token': {
        if (route === 'token') return false;
        const token = bearerToken(exchange.req);
        if (token !== undefined) this.tokens.expire(token);
        exchange.error(401, 'token_expired', undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
        return true;
      }
      case 'truncate':
      case 'latency':
        return false;
    }
  }

  private async handleToken(exchange: Exchange, fault: ActiveFault | undefined): Promise<void> {
    const body = await readBody(exchange.req, MAX_TOKEN_BODY_BYTES);
    if (body === undefined) {
      exchange.error(413, 'invalid_request', 'body too large', { Connection: 'close' });
      return;
    }
    let credentials: unknown;
    try {
      credentials = JSON.parse(body.toString('utf8'));
    } catch {
      exchange.error(400, 'invalid_request', 'body must be JSON { "username": "…", "password": "…" }');
      return;
    }
    const { username, password } = (credentials ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string') {
      exchange.error(400, 'invalid_request', 'body must be JSON { "username": "…", "password": "…" }');
      return;
    }
    const account = this.accounts.find((a) => a.username === username);
    if (account === undefined || !sameSecret(account.password, password)) {
      exchange.error(401, 'invalid_credentials');
      return;
    }
    const accessToken = this.tokens.issue(account.username, { alreadyExpired: fault?.kind === 'expire-token' });
    const expiresIn = this.options.tokenTtlSeconds ?? 3600;
    this.respondMaybeTruncated(exchange, { accessToken, expiresIn }, fault?.kind === 'truncate');
  }

  private handleList(exchange: Exchange, productName: string, query: URLSearchParams, fault: ActiveFault | undefined): void {
    const product = this.authorize(exchange, productName);
    if (product === undefined) return;

    const from = query.get('from');
    const to = query.get('to');
    const fromMs = from === null ? undefined : parseInstant(from);
    const toMs = to === null ? undefined : parseInstant(to);
    if (fromMs === undefined || toMs === undefined) {
      exchange.error(400, 'invalid_window', 'from and to must be RFC 3339 UTC instants such as 2026-11-20T14:03:07Z');
      return;
    }
    if (fromMs >= toMs) {
      exchange.error(400, 'invalid_window', 'from must be before to');
      return;
    }
    if (toMs - fromMs > MAX_WINDOW_MS) {
      exchange.error(400, 'invalid_window', 'the window may not be longer than 31 days');
      return;
    }
    const limitText = query.get('limit');
    const limit = limitText === null ? DEFAULT_LIMIT : /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      exchange.error(400, 'invalid_limit', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
      return;
    }
    const binding: CursorBinding = { fromMs, toMs, limit };
    const cursor = query.get('cursor');
    let after;
    if (cursor !== null) {
      const decoded = decodeCursor(cursor, binding);
      if (!decoded.ok) {
        exchange.error(400, 'invalid_cursor', decoded.reason);
        return;
      }
      after = decoded.after;
    }
    const page = this.stores[product].page({ fromMs, toMs, limit, after });
    const nextCursor = page.continueAfter === undefined ? null : encodeCursor(binding, page.continueAfter);
    this.respondMaybeTruncated(exchange, { items: page.items, nextCursor }, fault?.kind === 'truncate');
  }

  private async handleAttachment(
    exchange: Exchange,
    productName: string,
    attachmentId: string,
    fault: ActiveFault | undefined,
  ): Promise<void> {
    const product = this.authorize(exchange, productName);
    if (product === undefined) return;
    // Only ids that an item of this product references are served, which also keeps the id a
    // plain file name inside the attachments folder.
    const metadata = ATTACHMENT_ID.test(attachmentId) ? this.stores[product].attachment(attachmentId) : undefined;
    if (metadata === undefined) {
      exchange.error(404, 'not_found');
      return;
    }
    let file: FileHandle;
    try {
      file = await open(join(attachmentsDir(this.options.scenarioDir), attachmentId), 'r');
    } catch {
      exchange.error(404, 'not_found');
      return;
    }
    let size: number;
    try {
      const info = await file.stat();
      if (!info.isFile()) throw new Error('not a file');
      size = info.size;
    } catch {
      await file.close();
      exchange.error(404, 'not_found');
      return;
    }
    const contentType = typeof metadata.contentType === 'string' ? metadata.contentType : 'application/octet-stream';
    const range = parseRange(exchange.req.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      await file.close();
      exchange.error(416, 'range_not_satisfiable', undefined, { 'Content-Range': `bytes */${size}` });
      return;
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : size - 1;
    const length = end - start + 1;
    const status = range.kind === 'partial' ? 206 : 200;
    const headers = {
      'Content-Type': contentType,
      'Content-Length': length,
      'Accept-Ranges': 'bytes',
      ...(status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
    };
    if (length === 0) {
      await file.close();
      exchange.empty(status, headers);
      return;
    }
    if (fault?.kind === 'truncate') {
      const sent = Math.floor(length / 2);
      if (sent === 0) {
        await file.close();
        exchange.truncated(status, headers, Buffer.alloc(0));
      } else {
        exchange.truncated(status, headers, file.createReadStream({ start, end: start + sent - 1 }));
      }
      return;
    }
    exchange.stream(status, headers, file.createReadStream({ start, end }));
  }

  /**
   * Checks the bearer token and that the account may read the product. Unknown products are 404;
   * a product the account is not licensed for is 403 `forbidden`.
   */
  private authorize(exchange: Exchange, productName: string): TeleMessageProduct | undefined {
    const token = bearerToken(exchange.req);
    if (token === undefined) {
      exchange.error(401, 'invalid_credentials', 'send Authorization: Bearer <accessToken>', { 'WWW-Authenticate': 'Bearer' });
      return undefined;
    }
    const check = this.tokens.check(token);
    if (!check.valid) {
      exchange.error(401, 'token_expired', undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      return undefined;
    }
    if (!isTeleMessageProduct(productName)) {
      exchange.error(404, 'not_found', 'no such product');
      return undefined;
    }
    const account = this.accounts.find((a) => a.username === check.username);
    if (account === undefined || !account.products.includes(productName)) {
      exchange.error(403, 'forbidden', 'this account has no access to the product');
      return undefined;
    }
    return productName;
  }

  private respondMaybeTruncated(exchange: Exchange, body: unknown, truncate: boolean): void {
    if (!truncate) {
      exchange.json(200, body);
      return;
    }
    const bytes = Buffer.from(JSON.stringify(body), 'utf8');
    exchange.truncated(
      200,
      { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes.length },
      bytes.subarray(0, Math.floor(bytes.length / 2)),
    );
  }

  private async handleAdmin(exchange: Exchange, path: string): Promise<void> {
    const method = exchange.req.method;
    if (path === '/_sim/faults') {
      if (method === 'GET') return exchange.json(200, { faults: this.faults.list().map(faultToJson) });
      if (method === 'DELETE') {
        this.faults.clear();
        return exchange.empty(204);
      }
      if (method === 'POST') {
        const body = await readBody(exchange.req, MAX_TOKEN_BODY_BYTES);
        let specs: unknown;
        try {
          specs = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
        } catch {
          return exchange.error(400, 'invalid_request', 'body must be a JSON fault or array of faults');
        }
        try {
          const parsed = (Array.isArray(specs) ? specs : [specs]).map(parseFaultSpec);
          const added = parsed.map((spec) => this.faults.add(spec));
          return exchange.json(201, { faults: added.map(faultToJson) });
        } catch (error) {
          if (error instanceof FaultSpecError) return exchange.error(400, 'invalid_request', error.message);
          throw error;
        }
      }
      return exchange.error(405, 'method_not_allowed', 'use GET, POST or DELETE', { Allow: 'GET, POST, DELETE' });
    }
    if (path === '/_sim/stats') {
      if (method === 'GET') return exchange.json(200, this.stats.snapshot());
      if (method === 'DELETE') {
        this.stats.reset();
        return exchange.empty(204);
      }
      return exchange.error(405, 'method_not_allowed', 'use GET or DELETE', { Allow: 'GET, DELETE' });
    }
    exchange.error(404, 'not_found', 'no such simulator endpoint');
  }
}

function faultToJson(fault: ActiveFault): Record<string, unknown> {
  return { ...fault, remaining: fault.remaining === Infinity ? 'Infinity' : fault.remaining };
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match === null ? undefined : match[1];
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
