import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadDirectoryUsers, type DirectoryUser } from '../../scenario/directory-users';
import { parseBatch, runBatch } from './graph-batch';
import { GraphError, notFound } from './graph-error';
import { graphInstant } from './graph-ids';
import { attachmentLocation, GraphRoutes, type GraphResponse } from './graph-routes';
import { contentLength, discardBody, readJsonBody } from './http-body';
import type { JsonObject, JsonValue } from './json-value';
import { LatencyModel, requestKind, type LatencyOptions, type RequestKind } from './latency-model';
import { MailboxLimiter, type GraphLimits } from './mailbox-limits';
import { MailboxStore, type MailboxExport } from './mailbox-store';
import { MailSchema } from './mail-schema';
import { RequestLog, loggableBody, loggableQuery, type RequestLogEntry } from './request-log';
import { SimulatorFaults, validateFaultSpec, type ActiveFault, type FaultSpec } from './simulator-faults';
import { SimulatorStats } from './simulator-stats';
import { UploadSessions, parseContentRange } from './upload-sessions';
import { UserDirectory } from './user-directory';

const MiB = 1024 * 1024;
/** Graph refuses request bodies over 4 MB. */
export const MAX_REQUEST_BODY_BYTES = 4 * MiB;
/** An upload-session chunk carries at most 4 MB. */
export const MAX_UPLOAD_CHUNK_BYTES = 4 * MiB;
const MAX_CONTROL_BODY_BYTES = 64 * 1024;

/** `/api/v2.0/Users('{user}')/Messages('{message}')/AttachmentSessions('{session}')`, as Outlook's upload URLs read. */
const UPLOAD_PATH = /^\/api\/v2\.0\/Users\('([^']*)'\)\/Messages\('([^']*)'\)\/AttachmentSessions\('([^']*)'\)$/;

export interface GraphSimulatorOptions {
  /** A scenario folder: the directory comes from `<scenarioDir>/directory/users.json`. */
  scenarioDir?: string;
  /** The directory itself, instead of a scenario folder. */
  users?: readonly DirectoryUser[];
  /** Where mailboxes, attachment files and `requests.ndjson` are kept; reused on restart. */
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Per-mailbox limits; each defaults to Exchange Online's. */
  limits?: GraphLimits;
  /** Milliseconds since the epoch; for timestamps and limit windows. Default `Date.now`. */
  now?: () => number;
  /**
   * Answer as slowly as Exchange does: each admitted request is held for a latency drawn from
   * its kind's distribution (see latency-model.ts), counting against the mailbox's concurrency
   * all that time. `true` for the defaults. Off by default: tests want instant answers.
   */
  latency?: boolean | LatencyOptions;
}

/** What one request is, for faults, limits and the log. */
interface Exchange {
  requestId: string;
  method: string;
  /** The path as received, e.g. `/v1.0/users/a%40b.com/mailFolders`. */
  rawPath: string;
  query: URLSearchParams;
  /** The user whose mailbox limits the request counts against. */
  owner: DirectoryUser | undefined;
  /** Content-Length of a body that counts as upload (POST, PUT, PATCH), else 0. */
  declaredUploadBytes: number;
  /** Requests inside `$batch` have no connection of their own to drop. */
  canReset: boolean;
  batch?: { requestId: string; id: string };
  /** What the latency model holds it for; undefined: answered at once (`$batch` itself). */
  kind: RequestKind | undefined;
}

/** What the work of a request reports back while it runs. */
interface ExchangeProgress {
  receivedBodyBytes: number;
  bodyConsumed: boolean;
  loggedBody: JsonValue | undefined;
}

type Outcome = { kind: 'response'; response: GraphResponse } | { kind: 'reset' };

/**
 * A local Microsoft Graph for the mailbox writer: directory look-ups, folders, messages,
 * attachments (inline and by upload session) and `$batch`, with Exchange's validation, limits
 * and switchable faults. Any non-empty bearer token is accepted: the simulator checks that a
 * token is sent, not who sent it.
 */
export class GraphSimulator {
  /** The service root, e.g. `http://127.0.0.1:50123/v1.0`. */
  readonly url: string;
  /** `http://127.0.0.1:50123`; control endpoints are `/_sim/faults` and `/_sim/stats` under it. */
  readonly origin: string;
  readonly faults: SimulatorFaults;
  readonly stats: SimulatorStats;
  readonly #server: Server;
  readonly #directory: UserDirectory;
  readonly #store: MailboxStore;
  readonly #uploads: UploadSessions;
  readonly #limiter: MailboxLimiter;
  readonly #log: RequestLog;
  readonly #routes: GraphRoutes;
  readonly #now: () => number;
  /** Undefined when answers are instant. */
  readonly latency: LatencyModel | undefined;
  readonly #pending = new Set<Promise<void>>();
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    server: Server;
    origin: string;
    directory: UserDirectory;
    store: MailboxStore;
    uploads: UploadSessions;
    limiter: MailboxLimiter;
    log: RequestLog;
    now: () => number;
    latency: LatencyModel | undefined;
  }) {
    this.latency = parts.latency;
    this.#server = parts.server;
    this.origin = parts.origin;
    this.url = `${parts.origin}/v1.0`;
    this.#directory = parts.directory;
    this.#store = parts.store;
    this.#uploads = parts.uploads;
    this.#limiter = parts.limiter;
    this.#log = parts.log;
    this.#now = parts.now;
    this.faults = new SimulatorFaults();
    this.stats = new SimulatorStats(parts.directory, (userId) => parts.limiter.inFlight(userId), () => parts.limiter.activity());
    this.#routes = new GraphRoutes({
      schema: MailSchema.load(),
      directory: parts.directory,
      store: parts.store,
      uploads: parts.uploads,
      serviceRoot: this.url,
      origin: parts.origin,
      now: parts.now,
    });
    this.#server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const handling = this.#dispatch(request, response)
        .catch((error: unknown) => {
          if (!response.headersSent) {
            respond(response, 'internal', {
              status: 500,
              body: { error: { code: 'InternalServerError', message: `Graph simulator failure: ${(error as Error).message}` } },
            });
          } else {
            response.destroy();
          }
        })
        .finally(() => this.#pending.delete(handling));
      this.#pending.add(handling);
    });
  }

  static async start(options: GraphSimulatorOptions): Promise<GraphSimulator> {
    if (typeof options.dataDir !== 'string' || options.dataDir === '') throw new TypeError('GraphSimulator: dataDir is required');
    if ((options.scenarioDir === undefined) === (options.users === undefined)) {
      throw new TypeError('GraphSimulator: give exactly one of scenarioDir and users');
    }
    const now = options.now ?? Date.now;
    const users = options.users ?? (await loadDirectoryUsers(options.scenarioDir as string));
    const directory = new UserDirectory(users.map((u) => structuredClone(u)));
    const limiter = new MailboxLimiter(options.limits, now);
    MailSchema.load();
    const store = await MailboxStore.open(options.dataDir, directory.users);
    const uploads = await UploadSessions.open(options.dataDir, now);

    const server = createServer();
    const host = options.host ?? '127.0.0.1';
    server.listen(options.port ?? 0, host);
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
    const { port } = server.address() as AddressInfo;
    const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const latency = options.latency === undefined || options.latency === false ? undefined : new LatencyModel(options.latency === true ? {} : options.latency);
    return new GraphSimulator({ server, origin, directory, store, uploads, limiter, log: new RequestLog(options.dataDir), now, latency });
  }

  /** The mailbox as `mailbox.json` holds it, by userPrincipalName or id; undefined for a user without a mailbox. */
  mailbox(user: string): MailboxExport | undefined {
    const found = this.#directory.find(user);
    if (found === undefined || !found.hasMailbox) return undefined;
    return this.#store.get(found).toExport();
  }

  /**
   * What someone with access to the mailbox might do to a copy outside the pipeline, for tests of
   * custody checks: delete it for good, or change its body.
   */
  deleteMessage(user: string, messageId: string): boolean {
    const found = this.#directory.find(user);
    return found !== undefined && this.#store.get(found).removeMessage(messageId);
  }

  editMessageBody(user: string, messageId: string, html: string): boolean {
    const found = this.#directory.find(user);
    if (found === undefined) return false;
    const mailbox = this.#store.get(found);
    const message = mailbox.findMessage(messageId)?.message;
    if (message === undefined) return false;
    message.properties['body'] = { contentType: 'html', content: html };
    mailbox.changed();
    return true;
  }

  /**
   * Writes pending mailbox changes and log lines now. `mailbox.json` files follow changes within
   * moments; call this before reading them while the simulator runs. `stop()` flushes too.
   */
  async flush(): Promise<void> {
    await this.#store.flush();
    await this.#log.flush();
  }

  /** Where `requests.ndjson` is written. */
  get requestLogFile(): string {
    return this.#log.file;
  }

  /** Stops listening, drops open connections, and waits until every file write has finished. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      this.#server.closeAllConnections();
      await closed;
      await Promise.allSettled([...this.#pending]);
      await this.#uploads.closeAll();
      await this.#store.flush();
      await this.#log.flush();
      this.stats.close();
    })();
    return this.#stopping;
  }

  async #dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    const method = (request.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/_sim/')) return this.#control(request, response, url, method);
    if (url.pathname === '/v1.0' || url.pathname.startsWith('/v1.0/')) return this.#graph(request, response, url, method);
    const upload = UPLOAD_PATH.exec(url.pathname);
    if (upload !== null) return this.#upload(request, response, url, method, upload);
    await discardBody(request);
    respond(response, randomUUID(), {
      status: 404,
      body: { error: { code: 'NotFound', message: `The simulator serves /v1.0 and upload URLs, not '${url.pathname}'.` } },
    });
  }

  // ---- Graph requests ---------------------------------------------------------------------------

  async #graph(request: IncomingMessage, response: ServerResponse, url: URL, method: string): Promise<void> {
    const path = url.pathname.slice('/v1.0'.length) || '/';
    const isBatch = safeDecode(path) === '/$batch';
    const authorization = request.headers.authorization;
    const authenticated = authorization !== undefined && /^Bearer\s+\S+/i.test(authorization);
    // An unauthenticated request is refused before it reaches a mailbox, so it does not count against one.
    const owner = isBatch || !authenticated ? undefined : this.#routes.mailboxOwner(path);
    const exchange: Exchange = {
      requestId: randomUUID(),
      method,
      rawPath: url.pathname,
      query: url.searchParams,
      owner,
      declaredUploadBytes: owner !== undefined && hasBody(method) ? (contentLength(request) ?? 0) : 0,
      canReset: true,
      kind: isBatch ? undefined : requestKind(method, pathSegments(path)),
    };
    const { outcome, progress } = await this.#run(exchange, async (progress) => {
      if (!authenticated) {
        throw new GraphError(
          401,
          'InvalidAuthenticationToken',
          authorization === undefined ? 'Access token is empty.' : "The Authorization header must read 'Bearer <token>'.",
        );
      }
      const body = await readJsonBody(request, MAX_REQUEST_BODY_BYTES);
      progress.bodyConsumed = true;
      progress.receivedBodyBytes = hasBody(method) ? body.bytes : 0;
      progress.loggedBody = body.value;
      if (isBatch) return this.#batch(exchange, method, body.value);
      return this.#routes.handle({ method, path, query: url.searchParams, body: body.value });
    });
    await this.#finish(request, response, exchange, outcome, progress);
  }

  async #batch(outer: Exchange, method: string, body: JsonValue | undefined): Promise<GraphResponse> {
    if (method !== 'POST') throw new GraphError(405, 'BadRequest', '$batch takes POST.');
    const steps = parseBatch(body);
    const result = await runBatch(steps, async (step) => {
      const owner = this.#routes.mailboxOwner(step.path);
      const exchange: Exchange = {
        requestId: randomUUID(),
        method: step.method,
        rawPath: `/v1.0${step.path}`,
        query: step.query,
        owner,
        declaredUploadBytes: owner !== undefined && hasBody(step.method) ? step.bodyBytes : 0,
        canReset: false,
        batch: { requestId: outer.requestId, id: step.id },
        kind: requestKind(step.method, pathSegments(step.path)),
      };
      const { outcome } = await this.#run(exchange, async (progress) => {
        progress.bodyConsumed = true;
        progress.receivedBodyBytes = hasBody(step.method) ? step.bodyBytes : 0;
        progress.loggedBody = step.body;
        return this.#routes.handle({ method: step.method, path: step.path, query: step.query, body: step.body });
      });
      // Requests inside a batch cannot draw a reset fault.
      return outcome.kind === 'response' ? outcome.response : { status: 500 };
    });
    return { status: 200, body: result };
  }

  // ---- upload URLs ------------------------------------------------------------------------------

  async #upload(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    method: string,
    match: RegExpExecArray,
  ): Promise<void> {
    const [userId, messageId, sessionId] = match.slice(1).map(safeDecode);
    const session = this.#uploads.get(sessionId);
    const owner = session === undefined ? undefined : this.#directory.find(session.userId);
    const declared = method === 'PUT' ? (contentLength(request) ?? 0) : 0;
    const exchange: Exchange = {
      requestId: randomUUID(),
      method,
      rawPath: url.pathname,
      query: url.searchParams,
      owner,
      declaredUploadBytes: owner !== undefined ? declared : 0,
      canReset: true,
      kind: requestKind(method, [], true),
    };
    const { outcome, progress } = await this.#run(exchange, async (progress) => {
      if (request.headers.authorization !== undefined) {
        throw new GraphError(
          401,
          'InvalidAuthenticationToken',
          'The upload URL is pre-authenticated: a request to it must not carry an Authorization header.',
        );
      }
      if (session === undefined || session.userId !== userId || session.messageId !== messageId) {
        throw notFound('The upload session does not exist or has expired.');
      }
      if (url.searchParams.get('authtoken') !== session.token) {
        throw new GraphError(401, 'InvalidAuthenticationToken', 'The upload URL token is missing or wrong.');
      }
      if (method === 'DELETE') {
        await this.#uploads.delete(session.id);
        return { status: 204 };
      }
      if (method !== 'PUT') throw new GraphError(405, 'BadRequest', 'An upload URL takes PUT (or DELETE to cancel).');
      if (session.busy) {
        throw new GraphError(409, 'UploadSessionBusy', 'Another chunk of this upload is still being received; send chunks one after another.');
      }
      const length = contentLength(request);
      if (length === undefined) throw new GraphError(411, 'LengthRequired', 'A chunk needs a Content-Length header.');
      if (length > MAX_UPLOAD_CHUNK_BYTES) {
        throw new GraphError(413, 'RequestEntityTooLarge', `A chunk of ${length} bytes is over the 4 MB limit.`);
      }
      const range = parseContentRange(request.headers['content-range']);
      if (range === undefined) {
        throw new GraphError(400, 'InvalidContentRange', "The request needs a Content-Range header 'bytes {first}-{last}/{total}' with first <= last < total.");
      }
      if (range.total !== session.size) {
        throw new GraphError(400, 'InvalidContentRange', `Content-Range total ${range.total} differs from the session's size ${session.size}.`);
      }
      if (length !== range.last - range.first + 1) {
        throw new GraphError(400, 'InvalidContentRange', `Content-Length ${length} differs from the ${range.last - range.first + 1} bytes of Content-Range.`);
      }
      if (range.first !== session.nextOffset) {
        throw new GraphError(
          416,
          'InvalidRange',
          `Chunks must be sent in order: expected a range starting at ${session.nextOffset}, got ${range.first}.`,
          { details: { nextExpectedRanges: [String(session.nextOffset)] } },
        );
      }
      progress.bodyConsumed = true;
      progress.loggedBody = { omittedBytes: length };
      await this.#uploads.receiveChunk(session, range, request);
      progress.receivedBodyBytes = length;
      if (session.nextOffset < session.size) {
        // The upload URL is Outlook's REST endpoint, which names properties in PascalCase.
        return {
          status: 200,
          body: {
            '@odata.context': `${this.origin}/api/v2.0/$metadata#Users('${session.userId}')/Messages('${session.messageId}')/AttachmentSessions/$entity`,
            ExpirationDateTime: graphInstant(new Date(session.expiresAt)),
            NextExpectedRanges: [String(session.nextOffset)],
          },
        };
      }
      const sha256 = await this.#uploads.finish(session);
      const attachment = await this.#routes.attachUploadedFile(session, session.partFile, sha256);
      return { status: 201, headers: { Location: attachmentLocation(this.origin, session, attachment.id) } };
    });
    await this.#finish(request, response, exchange, outcome, progress);
  }

  // ---- the common path: faults, limits, work, log --------------------------------------------

  async #run(
    exchange: Exchange,
    work: (progress: ExchangeProgress) => Promise<GraphResponse>,
  ): Promise<{ outcome: Outcome; progress: ExchangeProgress }> {
    const progress: ExchangeProgress = { receivedBodyBytes: 0, bodyConsumed: false, loggedBody: undefined };
    const paths = [exchange.rawPath, safeDecode(exchange.rawPath)];
    const pick = (phase: 'before' | 'after'): ActiveFault | undefined =>
      this.faults.take({ method: exchange.method, paths, phase, canReset: exchange.canReset });
    let outcome: Outcome | undefined;
    let fault = pick('before');
    let throttled: string | undefined;
    if (fault !== undefined) {
      outcome = faultOutcome(fault, exchange.requestId, new Date(this.#now()));
    } else {
      const admission = exchange.owner === undefined ? undefined : this.#limiter.admit(exchange.owner.id, exchange.declaredUploadBytes);
      if (admission?.throttled === true) {
        throttled = admission.reason;
        const error = new GraphError(429, 'ApplicationThrottled', `Application is over its ${admission.reason} limit.`, {
          headers: { 'Retry-After': String(admission.retryAfterSeconds) },
        });
        outcome = { kind: 'response', response: this.#errorResponse(error, exchange.requestId) };
      } else {
        let response: GraphResponse;
        try {
          // Held as long as Exchange would take, counting against the mailbox's concurrency meanwhile.
          if (this.latency !== undefined && exchange.kind !== undefined) {
            const held = this.latency.sample(exchange.kind, exchange.declaredUploadBytes);
            this.stats.recordLatency(exchange.kind, held);
            await sleep(held);
          }
          response = await work(progress);
        } catch (error) {
          response = this.#errorResponse(error, exchange.requestId);
        } finally {
          admission?.release(progress.receivedBodyBytes);
        }
        fault = pick('after');
        outcome = fault === undefined ? { kind: 'response', response } : faultOutcome(fault, exchange.requestId, new Date(this.#now()));
      }
    }
    const status = outcome.kind === 'reset' ? 'reset' : outcome.response.status;
    this.stats.record(status, { throttled: throttled !== undefined, fault: fault !== undefined });
    const entry: RequestLogEntry = {
      time: new Date(this.#now()).toISOString(),
      method: exchange.method,
      path: exchange.rawPath,
      query: loggableQuery(exchange.query),
      status: status === 'reset' ? 0 : status,
    };
    if (exchange.owner !== undefined) entry.mailbox = exchange.owner.userPrincipalName;
    if (exchange.batch !== undefined) entry.batch = exchange.batch;
    if (fault !== undefined) entry.fault = fault.kind;
    if (throttled !== undefined) entry.throttled = throttled;
    if (progress.loggedBody !== undefined) entry.body = loggableBody(progress.loggedBody);
    await this.#log.append(entry);
    return { outcome, progress };
  }

  async #finish(
    request: IncomingMessage,
    response: ServerResponse,
    exchange: Exchange,
    outcome: Outcome,
    progress: ExchangeProgress,
  ): Promise<void> {
    if (outcome.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    if (!progress.bodyConsumed) await discardBody(request);
    respond(response, exchange.requestId, outcome.response);
  }

  #errorResponse(error: unknown, requestId: string): GraphResponse {
    const graphError =
      error instanceof GraphError
        ? error
        : new GraphError(500, 'InternalServerError', `Graph simulator failure: ${(error as Error).message ?? String(error)}`);
    return {
      status: graphError.status,
      headers: { ...graphError.headers },
      body: graphError.toBody(requestId, new Date(this.#now())),
    };
  }

  // ---- test controls ----------------------------------------------------------------------------

  async #control(request: IncomingMessage, response: ServerResponse, url: URL, method: string): Promise<void> {
    const requestId = randomUUID();
    const fail = (status: number, code: string, message: string): void =>
      respond(response, requestId, { status, body: { error: { code, message } } });
    if (url.pathname === '/_sim/faults') {
      if (method === 'DELETE') {
        await discardBody(request);
        this.faults.clear();
        respond(response, requestId, { status: 204 });
        return;
      }
      if (method === 'GET') {
        respond(response, requestId, { status: 200, body: { value: this.faults.list() as unknown as JsonObject[] } });
        return;
      }
      if (method === 'POST') {
        let specs: JsonValue[];
        try {
          const body = await readJsonBody(request, MAX_CONTROL_BODY_BYTES);
          specs = Array.isArray(body.value) ? body.value : [body.value ?? null];
          specs.forEach((spec, i) => validateFaultSpec(spec, `check-${i}`));
        } catch (error) {
          fail(400, 'BadRequest', (error as Error).message);
          return;
        }
        // Each spec was validated above.
        const ids = specs.map((spec) => this.faults.add(spec as unknown as FaultSpec));
        respond(response, requestId, { status: 201, body: { ids } });
        return;
      }
    } else if (url.pathname === '/_sim/stats' && method === 'GET') {
      respond(response, requestId, { status: 200, body: this.stats.snapshot() as unknown as JsonObject });
      return;
    }
    await discardBody(request);
    fail(404, 'NotFound', `No simulator control '${method} ${url.pathname}'.`);
  }
}

function faultOutcome(fault: ActiveFault, requestId: string, now: Date): Outcome {
  if (fault.kind === 'reset') return { kind: 'reset' };
  const [status, code, message] =
    fault.kind === 'status-429'
      ? [429, 'TooManyRequests', 'Too many requests (simulated).']
      : fault.kind === 'status-503'
        ? [503, 'ServiceUnavailable', 'The service is temporarily unavailable (simulated).']
        : [500, 'InternalServerError', 'An internal server error occurred (simulated).'];
  const headers: Record<string, string> = status === 500 ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
  return { kind: 'response', response: { status, headers, body: new GraphError(status, code, message).toBody(requestId, now) } };
}

function respond(response: ServerResponse, requestId: string, result: GraphResponse): void {
  if (response.destroyed) return;
  const headers: Record<string, string | number> = {
    'request-id': requestId,
    'client-request-id': requestId,
    'OData-Version': '4.0',
    ...(result.headers ?? {}),
  };
  if (result.body === undefined) {
    response.writeHead(result.status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(result.body);
  headers['Content-Type'] = 'application/json; charset=utf-8';
  headers['Content-Length'] = Buffer.byteLength(text);
  response.writeHead(result.status, headers);
  response.end(text);
}

function hasBody(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}

/** Decoded path segments, for the latency model; a segment that does not decode stays as sent. */
function pathSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '').map(safeDecode);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
