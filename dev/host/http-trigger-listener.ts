import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InvocationOutcome, ListenerContext, RegisteredFunction, TriggerListener, TypedData } from './contracts';
import type { RpcHttpData } from './core-api-types';
import { HostStartupError, toError } from './errors';
import { toRpcHttpRequest, writeRpcHttpResponse } from './http-conversion';
import { compareRoutePrecedence, HttpRouteTemplate } from './http-route';

/** The Functions host's request size limit (100 MB). */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;
const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];
/** Paths the host keeps for itself. */
const RESERVED_PREFIXES = ['admin', 'runtime'];

export interface HttpRoute {
  functionName: string;
  /** The template as registered (`route`, or the function name). */
  route: string;
  /** The URL path including the route prefix, e.g. `/api/items/{id?}`. */
  path: string;
  /** Upper-case methods; every method when the function named none. */
  methods: readonly string[];
}

export interface HttpTriggerListenerOptions {
  /** host.json `extensions.http.routePrefix` (default `api`; empty for none). */
  routePrefix: string;
}

interface RouteEntry extends HttpRoute {
  template: HttpRouteTemplate;
  fn: RegisteredFunction;
}

/**
 * HTTP triggers: matches requests to route templates and methods, hands the function the
 * request as `RpcHttpData` and writes back what its `http` output (usually `$return`) holds.
 * The host's HTTP server passes every request outside `/admin` here.
 */
export class HttpTriggerListener implements TriggerListener {
  readonly kind = 'httpTrigger';
  readonly #ctx: ListenerContext;
  readonly #prefix: string;
  readonly #routes: RouteEntry[];
  #active = 0;

  constructor(functions: RegisteredFunction[], ctx: ListenerContext, options: HttpTriggerListenerOptions) {
    this.#ctx = ctx;
    this.#prefix = options.routePrefix.replace(/^\/+|\/+$/g, '');
    this.#routes = functions.map((fn) => this.#route(fn));
    this.#routes.sort((a, b) => compareRoutePrecedence(a.template, b.template));
    this.#checkConflicts();
  }

  get routes(): readonly HttpRoute[] {
    return this.#routes.map(({ functionName, route, path, methods }) => ({ functionName, route, path, methods }));
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** True while no request is being read, run or answered. */
  async isDrained(): Promise<boolean> {
    return this.#active === 0;
  }

  /** The URL path of `route` (after the prefix) when a function answers `method` there. */
  pathServed(method: string, route: string): string | undefined {
    const full = `/${this.#prefix === '' ? '' : `${this.#prefix}/`}${route}`;
    const path = this.#pathAfterPrefix(full);
    if (path === undefined) return undefined;
    return this.#routes.some((r) => r.methods.includes(method) && r.template.match(path) !== undefined) ? full : undefined;
  }

  /** Serves the request when a route matches; false (nothing written) otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = this.#pathAfterPrefix(url.pathname);
    if (path === undefined) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    let params: Record<string, string> | undefined;
    const entry = this.#routes.find((r) => r.methods.includes(method) && (params = r.template.match(path)) !== undefined);
    if (!entry || !params) return false;

    this.#active++;
    try {
      const body = await readBody(req);
      if (body === undefined) {
        res.writeHead(413).end();
        return true;
      }
      const http = toRpcHttpRequest(req, url, body, params);
      const outcome = await this.#ctx.invoker.invoke({
        functionName: entry.fn.name,
        triggerData: { http },
        triggerMetadata: bindingMetadata(http),
      });
      if (!outcome.succeeded) res.writeHead(500).end();
      else writeRpcHttpResponse(res, httpResponseOf(entry.fn, outcome));
    } catch (err) {
      this.#ctx.log.error(`HTTP request for function '${entry.fn.name}' failed: ${toError(err).message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    } finally {
      this.#active--;
    }
    return true;
  }

  #route(fn: RegisteredFunction): RouteEntry {
    const route = typeof fn.trigger['route'] === 'string' && fn.trigger['route'].trim() !== '' ? fn.trigger['route'].trim() : fn.name;
    const template = HttpRouteTemplate.parse(route, fn.name);
    const full = [this.#prefix, template.template].filter((p) => p !== '').join('/');
    if (RESERVED_PREFIXES.some((p) => full.toLowerCase() === p || full.toLowerCase().startsWith(`${p}/`))) {
      throw new HostStartupError(`The route '/${full}' of HTTP function '${fn.name}' conflicts with the host's built-in routes (/admin, /runtime).`, {
        functionName: fn.name,
      });
    }
    const declared = fn.trigger['methods'];
    let methods = ALL_METHODS;
    if (Array.isArray(declared) && declared.length > 0) {
      methods = declared.map((m) => {
        if (typeof m !== 'string' || !ALL_METHODS.includes(m.toUpperCase())) {
          throw new HostStartupError(`HTTP function '${fn.name}' lists the unknown method ${JSON.stringify(m)}.`, { functionName: fn.name });
        }
        return m.toUpperCase();
      });
    }
    return { functionName: fn.name, route, path: `/${full}`, methods, template, fn };
  }

  #checkConflicts(): void {
    for (let i = 0; i < this.#routes.length; i++) {
      for (let j = i + 1; j < this.#routes.length; j++) {
        const a = this.#routes[i]!;
        const b = this.#routes[j]!;
        if (canonical(a.template.template) === canonical(b.template.template) && a.methods.some((m) => b.methods.includes(m))) {
          throw new HostStartupError(`HTTP functions '${a.functionName}' and '${b.functionName}' have the same route '${a.route}' for the same methods.`);
        }
      }
    }
  }

  #pathAfterPrefix(pathname: string): string | undefined {
    const path = pathname.replace(/^\/+/, '');
    if (this.#prefix === '') return path;
    const lower = path.toLowerCase();
    const prefix = this.#prefix.toLowerCase();
    if (lower === prefix) return '';
    return lower.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : undefined;
  }
}

/** Parameter names do not matter when comparing templates: `{a}` and `{b}` collide. */
function canonical(template: string): string {
  return template.toLowerCase().replace(/\{[^}]*\}/g, '{}');
}

/** Route parameters, `Query` and `Headers`: the binding data an HTTP trigger offers. */
function bindingMetadata(http: RpcHttpData): Record<string, TypedData> {
  const metadata: Record<string, TypedData> = {};
  for (const [name, value] of Object.entries(http.params ?? {})) metadata[name] = { string: value };
  metadata['Query'] = { json: JSON.stringify(http.query ?? {}) };
  metadata['Headers'] = { json: JSON.stringify(http.headers ?? {}) };
  return metadata;
}

function httpResponseOf(fn: RegisteredFunction, outcome: InvocationOutcome): RpcHttpData | undefined {
  const returnBinding = fn.bindings['$return'];
  if (returnBinding?.type.toLowerCase() === 'http') return asHttp(outcome.returnValue);
  for (const [name, binding] of Object.entries(fn.bindings)) {
    if (binding.direction === 'out' && binding.type.toLowerCase() === 'http') return asHttp(outcome.outputs[name]);
  }
  return undefined;
}

function asHttp(data: TypedData | null | undefined): RpcHttpData | undefined {
  const http = data?.http;
  return typeof http === 'object' && http !== null ? (http as RpcHttpData) : undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
