import { AdminError, ConnectorStateError, DirectoryUnavailableError, InvalidAdminInputError, MappingFileConflictError, MappingFileRejectedError, SecretWriteError, TeleMessageCheckError, describeError } from '../admin/admin-errors';
import { ConnectorExistsError, ConnectorNotFoundError } from '../connectors/connector-store';
import { SecretNotFoundError } from '../platform/secrets/secret-store';
import type { AdminServices } from '../admin/admin-services';
import type { AuditActor } from '../audit/audit-trail';
import type { MappingReport } from '../wire/admin-api-types';
import { isSecureRequest, parseCookies, type AdminCookie, type AdminHttpRequest, type AdminHttpResponse, type AdminResult } from './admin-http';
import { canChange, canRead, type Principal } from './principal';
import { resolvePrincipal, signInMode } from './sign-in';
import { forgeryRefusal, securityHeaders } from './web-security';

type Env = Readonly<Record<string, string | undefined>>;

/** Who may call a route: anybody (the local sign-in), anybody signed in, a reader or an administrator. */
export type RouteAccess = 'anyone' | 'signed-in' | 'read' | 'change';

export interface AdminWebDependencies {
  services: AdminServices;
  env: Env;
  clock?: () => Date;
  /** Where an unexpected failure is logged (the invocation's log); its answer says no more than "failed". */
  log?: (message: string) => void;
}

export interface RouteContext {
  readonly request: AdminHttpRequest;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  /** Undefined only on `anyone` routes. */
  readonly principal: Principal | undefined;
  readonly secure: boolean;
  readonly deps: AdminWebDependencies;
  cookie(name: string): string | undefined;
  /** The body, refused with 413 above the route's limit. */
  body(): Promise<Uint8Array>;
  /** The author of a change, for the audit trail. */
  actor(): AuditActor;
}

export interface AdminRoute {
  /** The function's name in the app, unique. */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** The route template after the host's `api` prefix, e.g. `admin/connectors/{id}`. */
  readonly route: string;
  readonly access: RouteAccess;
  /** Largest body accepted; default 64 KiB. */
  readonly maxBodyBytes?: number;
  handle(ctx: RouteContext): Promise<AdminResult>;
}

/** Default largest body of a JSON request. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** An answer the pipeline gives before or instead of the handler's. */
export class AdminHttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string, readonly extra?: Record<string, unknown>) {
    super(message);
  }
}

/**
 * Serves one request of the admin API: who is calling (401), whether the role allows the route
 * (403), whether a change comes from the page itself with the anti-forgery token (403), the body
 * size (413), then the handler; every answer carries the security headers. Errors of the domain
 * become answers that name the field and the cause; anything else is a 500 that says no more.
 */
export async function serveAdminRequest(route: AdminRoute, request: AdminHttpRequest, deps: AdminWebDependencies): Promise<AdminHttpResponse> {
  // App Service terminates TLS in front of the app (requireHttps): in Azure every request is https.
  const secure = isSecureRequest(request) || signInMode(deps.env).inAzure;
  const cookies = parseCookies(request.header('cookie'));
  const cookie = (name: string): string | undefined => cookies.get(name);
  try {
    const principal = resolvePrincipal({ header: request.header, cookie }, deps.env);
    if (route.access !== 'anyone') {
      if (principal === undefined) throw new AdminHttpError(401, 'not-signed-in', 'Sign in to use the admin API.');
      if (route.access === 'read' && !canRead(principal)) {
        throw new AdminHttpError(403, 'forbidden', `${principal.name} has neither the Connectors.Read nor the Connectors.Admin role.`);
      }
      if (route.access === 'change' && !canChange(principal)) {
        throw new AdminHttpError(403, 'forbidden', `${principal.name} does not have the Connectors.Admin role; this change needs it.`);
      }
    }
    if (route.method !== 'GET') {
      const refusal = forgeryRefusal({ header: request.header, cookie, secure, ...(route.access === 'anyone' ? { tokenNotNeeded: true } : {}) });
      if (refusal !== undefined) throw new AdminHttpError(403, 'forgery-check-failed', `Refused: ${refusal}.`);
    }
    const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const declared = Number(request.header('content-length') ?? '0');
    if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
    let body: Promise<Uint8Array> | undefined;
    const ctx: RouteContext = {
      request,
      url: request.url,
      params: request.params,
      principal,
      secure,
      deps,
      cookie,
      body: () =>
        (body ??= request.body().then((bytes) => {
          if (bytes.length > limit) throw tooLarge(limit);
          return bytes;
        })),
      actor: () => {
        if (principal === undefined) throw new Error('actor() on a route without a principal');
        return { id: principal.id, name: principal.name, via: principal.source === 'local-signin' ? 'web-local' : 'web' };
      },
    };
    return respond(await route.handle(ctx), secure);
  } catch (error) {
    const result = errorResult(error);
    if (result.kind === 'json' && result.status === 500) deps.log?.(`${route.method} /api/${route.route} failed: ${describeError(error)}`);
    return respond(result, secure);
  }
}

function tooLarge(limit: number): AdminHttpError {
  return new AdminHttpError(413, 'too-large', `The request body is larger than ${limit} bytes (${formatBytes(limit)}), the most this request accepts.`, 'body');
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

function respond(result: AdminResult, secure: boolean): AdminHttpResponse {
  const headers = securityHeaders({ secure });
  if (result.kind === 'csv') {
    return {
      status: 200,
      headers: { ...headers, 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${result.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"` },
      // A byte order mark, so that Excel reads the file as UTF-8.
      body: `\uFEFF${result.text}`,
      cookies: [],
    };
  }
  if (result.kind === 'empty') return { status: result.status ?? 204, headers, body: '', cookies: result.cookies ?? [] };
  return {
    status: result.status ?? 200,
    headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(result.value),
    cookies: result.cookies ?? [],
  };
}

function failure(status: number, code: string, message: string, field?: string, extra: Record<string, unknown> = {}): AdminResult {
  return { kind: 'json', status, value: { error: { code, message, ...(field === undefined ? {} : { field }), ...extra } } };
}

/** The command line's option names the domain reports, as the API's fields. */
const API_FIELD_NAMES: Readonly<Record<string, string>> = {
  'base-url': 'baseUrl',
  'password-secret': 'passwordSecretName',
  'password-stdin': 'password',
  'start-from': 'startFrom',
  'folder-name': 'folderName',
  'auto-mapping': 'autoMapping',
};

/** The answer to an error: the domain's refusals by kind, anything else a 500 without detail. */
export function errorResult(error: unknown): AdminResult {
  if (error instanceof AdminHttpError) return failure(error.status, error.code, error.message, error.field, error.extra);
  if (error instanceof InvalidAdminInputError) {
    // The domain names fields as the command line's options; the API's are the JSON fields.
    const field = API_FIELD_NAMES[error.field] ?? error.field;
    const message = error.message.startsWith(`${error.field}:`) ? `${field}${error.message.slice(error.field.length)}` : error.message;
    return failure(400, 'invalid-input', message, field);
  }
  if (error instanceof ConnectorNotFoundError) return failure(404, 'not-found', error.message, 'id');
  if (error instanceof ConnectorExistsError) return failure(409, 'exists', error.message, 'id');
  if (error instanceof ConnectorStateError || error instanceof MappingFileConflictError) return failure(409, 'conflict', error.message);
  if (error instanceof MappingFileRejectedError) {
    return failure(422, 'mapping-rejected', error.message, 'file', { report: mappingReportView(error.report) });
  }
  if (error instanceof TeleMessageCheckError) {
    return error.reason === 'rejected' ? failure(422, 'signin-rejected', error.message, 'password') : failure(502, 'telemessage-unreachable', error.message);
  }
  if (error instanceof SecretNotFoundError) return failure(400, 'invalid-input', `${error.message}; give the password to store it`, 'password');
  if (error instanceof DirectoryUnavailableError || error instanceof SecretWriteError) return failure(502, 'dependency-unavailable', error.message);
  if (error instanceof AdminError) return failure(400, 'refused', error.message);
  return failure(500, 'internal', `The request failed unexpectedly (${error instanceof Error ? error.name : 'error'}); the app's log has the details.`);
}

/** A mapping file report as the page shows it: rows, mapped users, problems by line, unknown addresses. */
export function mappingReportView(report: import('../mapping/mapping-file').MappingFileReport): MappingReport {
  const unknownCodes = new Set(['address-not-found', 'address-account-disabled', 'address-no-mailbox']);
  const mapped = report.mapping === undefined ? [] : Object.values(report.mapping.entries);
  return {
    ok: report.ok,
    rows: report.stats.rows,
    entries: report.stats.entries,
    mappedUsers: new Set(mapped).size,
    errors: report.problems.filter((p) => p.severity === 'error'),
    warnings: report.problems.filter((p) => p.severity === 'warning'),
    unknownAddresses: report.problems.filter((p) => unknownCodes.has(p.code)).map((p) => ({ line: p.line, code: p.code, message: p.message })),
    stats: report.stats,
  };
}

export { describeError };
export type { AdminCookie };
