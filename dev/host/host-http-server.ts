import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostLogger } from './contracts';
import { FunctionNotFoundError, HostStartupError, InvocationRefusedError, toError } from './errors';
import { LOCAL_HOST_VERSION } from './functions-core-provider';
import type { HttpTriggerListener } from './http-trigger-listener';

/** What the admin API needs from the host. */
export interface HostAdmin {
  readonly hostId: string;
  state(): 'Running' | 'Stopping';
  isDrained(): Promise<boolean>;
  /**
   * Starts an invocation as `POST /admin/functions/<name>` does; returns once it has started.
   * Throws {@link FunctionNotFoundError} or {@link InvocationRefusedError}.
   */
  startInvocation(functionName: string, input: string): void;
}

/** Extension webhooks under `/runtime/webhooks/<extension>`, behind the extension's system key. */
export interface HostWebhooks {
  /** True when `key` is the master key or the `<extension>_extension` system key. */
  authorize(extension: string, key: string | undefined): Promise<boolean>;
  /** Answers the request; false when no extension of that name has a webhook (404). */
  handle(extension: string, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean>;
}

export interface HostHttpServerOptions {
  webhooks?: HostWebhooks;
  port: number;
  /** Address to listen on; loopback by default. */
  hostname: string;
  admin: HostAdmin;
  http?: HttpTriggerListener;
  log: HostLogger;
}

const MAX_ADMIN_BODY_BYTES = 1024 * 1024;
/** The app's admin page, after the route prefix (the app's `admin/ui/{*path}` function, docs/admin-web.md). */
const ADMIN_PAGE_ROUTE = 'admin/ui/';

/**
 * The host's one HTTP endpoint, like Core Tools': HTTP triggers under the route prefix, and the
 * admin API (`GET /admin/host/status`, `POST /admin/functions/<name>`, and this project's
 * `GET /admin/host/drained`).
 */
export class HostHttpServer {
  readonly #server: http.Server;
  readonly #options: HostHttpServerOptions;
  readonly #started = Date.now();

  private constructor(server: http.Server, options: HostHttpServerOptions) {
    this.#server = server;
    this.#options = options;
  }

  static async listen(options: HostHttpServerOptions): Promise<HostHttpServer> {
    const server = http.createServer();
    const host = new HostHttpServer(server, options);
    server.on('request', (req, res) => {
      host.#dispatch(req, res).catch((err: unknown) => {
        options.log.error(`Request ${req.method} ${req.url} failed: ${toError(err).message}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        reject(
          err.code === 'EADDRINUSE'
            ? new HostStartupError(`Port ${options.port} is unavailable. Close the process using that port, or specify another port using --port.`, { cause: err })
            : err,
        );
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(options.port, options.hostname);
    });
    return host;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /**
   * Stops accepting connections and closes idle ones; open requests get `graceMs` to finish
   * before their connections are cut.
   */
  async close(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const cut = setTimeout(() => this.#server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(cut);
  }

  async #dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `localhost:${this.port}`}`);
    const path = url.pathname.replace(/\/+$/, '').toLowerCase();
    const method = req.method ?? 'GET';
    const admin = this.#options.admin;

    if (path === '/admin/host/status') {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'Use GET.' });
      return sendJson(res, 200, { id: admin.hostId, state: admin.state(), version: LOCAL_HOST_VERSION, processUptime: Date.now() - this.#started });
    }
    if (path === '/admin/host/drained') {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'Use GET.' });
      return sendJson(res, 200, { drained: await admin.isDrained() });
    }
    const invoke = /^\/admin\/functions\/([^/]+)$/.exec(path);
    if (invoke) {
      if (method !== 'POST') return sendJson(res, 405, { error: 'Use POST with {"input": "..."}.' });
      return this.#adminInvoke(req, res, decodeURIComponent(url.pathname.split('/').filter(Boolean)[2] ?? ''));
    }
    if (path === '/admin' && (method === 'GET' || method === 'HEAD')) {
      // The real host reserves /admin, so the app serves its admin page under the route prefix;
      // locally `http://localhost:7071/admin` leads there, when the app has the page.
      const page = this.#options.http?.pathServed('GET', ADMIN_PAGE_ROUTE);
      if (page !== undefined) {
        res.writeHead(302, { location: page, 'content-type': 'text/plain; charset=utf-8' }).end(`The admin page is at ${page}\n`);
        return;
      }
    }
    if (path.startsWith('/admin')) return sendJson(res, 404, { error: `No admin endpoint ${url.pathname}.` });
    const webhook = /^\/runtime\/webhooks\/([^/]+)/.exec(path);
    if (webhook && ['GET', 'POST', 'DELETE', 'OPTIONS'].includes(method)) return this.#webhook(req, res, url, decodeURIComponent(webhook[1]!));
    if (this.#options.http && (await this.#options.http.handle(req, res, url))) return;
    if (path === '' && method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Your Functions 4.0 app is up and running (local host).\n');
      return;
    }
    res.writeHead(404).end();
  }

  /**
   * The host's `ExtensionWebHookHandler` (azure-functions-host HostController): the system key
   * check comes first (401), then the extension's handler, or 404 when none is registered.
   */
  async #webhook(req: http.IncomingMessage, res: http.ServerResponse, url: URL, extension: string): Promise<void> {
    const webhooks = this.#options.webhooks;
    const header = req.headers['x-functions-key'];
    const key = url.searchParams.get('code') ?? (Array.isArray(header) ? header[0] : header);
    if (!webhooks || !(await webhooks.authorize(extension, key))) {
      req.resume();
      res.writeHead(401).end();
      return;
    }
    if (!(await webhooks.handle(extension, req, res, url))) {
      req.resume();
      res.writeHead(404).end();
    }
  }

  async #adminInvoke(req: http.IncomingMessage, res: http.ServerResponse, functionName: string): Promise<void> {
    let input = '';
    const text = await readText(req);
    if (text === undefined) return sendJson(res, 413, { error: 'The body is larger than 1 MB.' });
    if (text.trim() !== '') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return sendJson(res, 400, { error: 'The body must be JSON: {"input": "<trigger input>"}.' });
      }
      const raw = (body as { input?: unknown } | null)?.input;
      if (raw !== undefined && raw !== null && typeof raw !== 'string') {
        return sendJson(res, 400, { error: '"input" must be a string.' });
      }
      input = raw ?? '';
    }
    try {
      this.#options.admin.startInvocation(functionName, input);
    } catch (err) {
      if (err instanceof FunctionNotFoundError) return sendJson(res, 404, { error: err.message });
      if (err instanceof InvocationRefusedError) return sendJson(res, 400, { error: err.message });
      throw err;
    }
    res.writeHead(202).end();
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length }).end(bytes);
}

async function readText(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_ADMIN_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
