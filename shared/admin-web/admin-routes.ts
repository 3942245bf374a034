import { getConnectorOverview, listConnectorOverviews, listProducts } from '../admin/connector-overview';
import { connectorDays } from '../admin/connector-days';
import { checkResolvedHost, listRuns } from '../admin/connector-admin';
import { AdminChanges } from '../admin/admin-changes';
import { InvalidAdminInputError } from '../admin/admin-errors';
import { buildItemLog, itemLogCsv } from '../admin/item-log';
import { listOutstandingItems, countOutstanding, OUTSTANDING_STATUSES, type OutstandingFilter } from '../admin/outstanding-items';
import { diffMappingVersions, listMappingVersions, MAX_MAPPING_FILE_BYTES, validateMappingFile, validateNewConnectorMappingFile } from '../admin/mapping-admin';
import { parseBaseUrl, parseInstant, parseSecretName, parseUsername } from '../admin/connector-settings';
import { checkBaseUrlHost, RefusedAddressError } from '../telemessage/address-policy';
import { json, type AdminCookie, type AdminResult } from './admin-http';
import { AdminHttpError, mappingReportView, type AdminRoute, type RouteContext } from './admin-api';
import { ADMIN_ROLE, READER_ROLE, canChange } from './principal';
import { LOCAL_PRINCIPAL_COOKIE, localPrincipalCookieValue, localSignInRefusal, signInMode } from './sign-in';
import { csrfCookieName, isCsrfToken, newCsrfToken } from './web-security';
import type { MappingReport, Me } from '../wire/admin-api-types';
import { onlyFields, optionalBoolean, optionalString, parseJsonObject, queryChoice, queryPositiveInteger, queryValue, requiredString, type JsonObject } from './request-input';

/**
 * The admin API's routing table: every route, who may call it and its handler. The HTTP
 * functions (`functions/admin-api.ts`) register one function per entry; docs/admin-web.md
 * documents each. Handlers validate their input and call the domain in shared/admin, which the
 * command line calls too.
 */

function changes(ctx: RouteContext): AdminChanges {
  const services = ctx.deps.services;
  return new AdminChanges(services, services.audit, ctx.actor(), { directory: () => services.directory(), ...(ctx.deps.clock === undefined ? {} : { clock: ctx.deps.clock }) });
}

async function jsonBody(ctx: RouteContext, fields: readonly string[]): Promise<JsonObject> {
  const body = parseJsonObject(await ctx.body());
  onlyFields(body, fields);
  return body;
}

function requiredQuery(ctx: RouteContext, name: string): string {
  const value = queryValue(ctx.url, name);
  if (value === undefined) throw new InvalidAdminInputError(name, 'is required (a query parameter)');
  return value;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function itemFilterFromQuery(ctx: RouteContext): OutstandingFilter {
  return {
    ...optional('status', queryChoice(ctx.url, 'status', OUTSTANDING_STATUSES)),
    ...optional('reason', queryValue(ctx.url, 'reason')),
    ...optional('number', queryValue(ctx.url, 'number')),
    ...optional('from', queryValue(ctx.url, 'from')),
    ...optional('to', queryValue(ctx.url, 'to')),
  };
}

function itemFilterFromBody(value: unknown): OutstandingFilter {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidAdminInputError('filter', 'must be an object with status, reason, number, from or to');
  const body = value as JsonObject;
  onlyFields(body, ['status', 'reason', 'number', 'from', 'to']);
  const status = optionalString(body, 'status');
  if (status !== undefined && !(OUTSTANDING_STATUSES as readonly string[]).includes(status)) {
    throw new InvalidAdminInputError('filter.status', `"${status.slice(0, 50)}" must be one of ${OUTSTANDING_STATUSES.join(', ')}`);
  }
  return {
    ...optional('status', status as OutstandingFilter['status']),
    ...optional('reason', optionalString(body, 'reason')),
    ...optional('number', optionalString(body, 'number')),
    ...optional('from', optionalString(body, 'from')),
    ...optional('to', optionalString(body, 'to')),
  };
}

function csrfCookie(ctx: RouteContext, token: string): AdminCookie {
  return { name: csrfCookieName(ctx.secure), value: token, httpOnly: true, secure: ctx.secure, sameSite: 'Strict', path: '/' };
}

async function me(ctx: RouteContext): Promise<AdminResult> {
  const principal = ctx.principal!;
  const existing = ctx.cookie(csrfCookieName(ctx.secure));
  const token = isCsrfToken(existing) ? existing : newCsrfToken();
  const body: Me = {
    principal: { id: principal.id, name: principal.name, source: principal.source },
    roles: [...principal.roles],
    canChange: canChange(principal),
    csrfToken: token,
    localSignIn: signInMode(ctx.deps.env).localSignIn,
  };
  return json(body, 200, token === existing ? [] : [csrfCookie(ctx, token)]);
}

/** The body of a mapping upload: the CSV bytes themselves (text/csv), up to 10 MiB. */
async function mappingBytes(ctx: RouteContext): Promise<Uint8Array> {
  const bytes = await ctx.body();
  if (bytes.length === 0) throw new InvalidAdminInputError('file', 'the request has no body: send the CSV file itself as the body');
  return bytes;
}

function fileNameQuery(ctx: RouteContext): string | undefined {
  const name = queryValue(ctx.url, 'fileName');
  if (name !== undefined && (name.length > 255 || /\p{Cc}/u.test(name))) throw new InvalidAdminInputError('fileName', 'must be at most 255 characters without control characters');
  return name;
}

function stringArray(body: JsonObject, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw new InvalidAdminInputError(field, 'must be an array of item ids (non-empty strings)');
  return value as string[];
}

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    name: 'adminMe',
    method: 'GET',
    route: 'admin/me',
    access: 'signed-in',
    handle: me,
  },
  {
    name: 'adminLocalSignIn',
    method: 'POST',
    route: 'admin/local-signin',
    access: 'anyone',
    async handle(ctx) {
      const refusal = localSignInRefusal(ctx.deps.env);
      if (refusal !== undefined) throw new AdminHttpError(403, 'local-signin-off', `Refused: ${refusal}.`);
      const body = await jsonBody(ctx, ['name', 'roles']);
      const name = requiredString(body, 'name').trim();
      if (name.length > 100 || /\p{Cc}/u.test(name)) throw new InvalidAdminInputError('name', 'must be at most 100 characters without control characters');
      const roles = body['roles'];
      if (!Array.isArray(roles) || roles.some((r) => r !== ADMIN_ROLE && r !== READER_ROLE)) {
        throw new InvalidAdminInputError('roles', `must be an array of ${ADMIN_ROLE} and ${READER_ROLE} (possibly empty)`);
      }
      const cookie: AdminCookie = { name: LOCAL_PRINCIPAL_COOKIE, value: localPrincipalCookieValue(name, roles as string[]), httpOnly: true, secure: ctx.secure, sameSite: 'Strict', path: '/' };
      return json({ signedIn: { name, roles }, local: true }, 200, [cookie]);
    },
  },
  {
    name: 'adminLocalSignOut',
    method: 'POST',
    route: 'admin/local-signout',
    access: 'anyone',
    async handle(ctx) {
      const refusal = localSignInRefusal(ctx.deps.env);
      if (refusal !== undefined) throw new AdminHttpError(403, 'local-signin-off', `Refused: ${refusal}.`);
      return { kind: 'empty', status: 204, cookies: [{ name: LOCAL_PRINCIPAL_COOKIE, value: '', httpOnly: true, secure: ctx.secure, sameSite: 'Strict', path: '/', maxAge: 0 }] };
    },
  },
  {
    name: 'adminProducts',
    method: 'GET',
    route: 'admin/products',
    access: 'read',
    handle: async () => json(listProducts()),
  },
  {
    name: 'adminConnectorsList',
    method: 'GET',
    route: 'admin/connectors',
    access: 'read',
    handle: async (ctx) => json(await listConnectorOverviews({ ...ctx.deps.services, ...optional('clock', ctx.deps.clock) })),
  },
  {
    name: 'adminConnectorsCheckSignIn',
    method: 'POST',
    route: 'admin/connectors/check-signin',
    access: 'change',
    async handle(ctx) {
      const body = await jsonBody(ctx, ['baseUrl', 'username', 'password', 'passwordSecretName']);
      const services = ctx.deps.services;
      const baseUrl = parseBaseUrl(requiredString(body, 'baseUrl'), services.addressPolicy);
      // As `connectors add` does: a name that resolves to an internal address is refused before any request to it.
      try {
        await checkBaseUrlHost(baseUrl, services.addressPolicy);
      } catch (error) {
        if (error instanceof RefusedAddressError) throw new InvalidAdminInputError('baseUrl', error.message);
        throw error;
      }
      const username = parseUsername(requiredString(body, 'username'));
      const given = optionalString(body, 'password');
      const secretName = optionalString(body, 'passwordSecretName');
      if (given === undefined && secretName === undefined) throw new InvalidAdminInputError('password', 'is required (or passwordSecretName of a stored secret)');
      if (given === '') throw new InvalidAdminInputError('password', 'must not be empty');
      const password = given ?? (await ctx.deps.services.secrets.get(parseSecretName(secretName as string)));
      // As add does: a name that resolves to an internal address is refused before anything is sent to it.
      await checkResolvedHost(baseUrl, services);
      await services.checkCredentials({ baseUrl, username, password });
      return json({ ok: true, baseUrl, username });
    },
  },
  {
    name: 'adminConnectorsAdd',
    method: 'POST',
    route: 'admin/connectors',
    access: 'change',
    async handle(ctx) {
      const body = await jsonBody(ctx, ['id', 'product', 'baseUrl', 'username', 'passwordSecretName', 'password', 'folderName', 'region', 'autoMapping', 'startFrom', 'enabled']);
      const result = await changes(ctx).addConnector({
        id: requiredString(body, 'id'),
        product: requiredString(body, 'product'),
        baseUrl: requiredString(body, 'baseUrl'),
        username: requiredString(body, 'username'),
        passwordSecretName: requiredString(body, 'passwordSecretName'),
        ...optional('password', optionalString(body, 'password')),
        ...optional('folderName', optionalString(body, 'folderName')),
        ...optional('region', optionalString(body, 'region')),
        ...optional('autoMapping', optionalBoolean(body, 'autoMapping')),
        ...optional('startFrom', optionalString(body, 'startFrom')),
        ...optional('enabled', optionalBoolean(body, 'enabled')),
      });
      const overview = await getConnectorOverview(result.connector.id, { ...ctx.deps.services, ...optional('clock', ctx.deps.clock) });
      return json({ connector: overview, passwordStored: result.secretStoredIn !== undefined }, 201);
    },
  },
  {
    name: 'adminConnectorGet',
    method: 'GET',
    route: 'admin/connectors/{id}',
    access: 'read',
    handle: async (ctx) => json(await getConnectorOverview(ctx.params['id'] ?? '', { ...ctx.deps.services, ...optional('clock', ctx.deps.clock) })),
  },
  {
    name: 'adminConnectorPatch',
    method: 'PATCH',
    route: 'admin/connectors/{id}',
    access: 'change',
    async handle(ctx) {
      const body = await jsonBody(ctx, ['folderName', 'autoMapping', 'region', 'enabled']);
      const id = ctx.params['id'] ?? '';
      await changes(ctx).changeSettings(id, {
        ...optional('folderName', optionalString(body, 'folderName')),
        ...optional('autoMapping', optionalBoolean(body, 'autoMapping')),
        ...optional('region', optionalString(body, 'region')),
        ...optional('enabled', optionalBoolean(body, 'enabled')),
      });
      return json(await getConnectorOverview(id, { ...ctx.deps.services, ...optional('clock', ctx.deps.clock) }));
    },
  },
  {
    name: 'adminConnectorRun',
    method: 'POST',
    route: 'admin/connectors/{id}/run',
    access: 'change',
    async handle(ctx) {
      const bytes = await ctx.body();
      if (bytes.length > 0) onlyFields(parseJsonObject(bytes), []);
      return json(await changes(ctx).runNow(ctx.params['id'] ?? ''), 202);
    },
  },
  {
    name: 'adminConnectorBackfill',
    method: 'POST',
    route: 'admin/connectors/{id}/backfill',
    access: 'change',
    async handle(ctx) {
      const body = await jsonBody(ctx, ['from', 'to']);
      return json(await changes(ctx).backfill(ctx.params['id'] ?? '', requiredString(body, 'from'), optionalString(body, 'to')), 202);
    },
  },
  {
    name: 'adminConnectorDays',
    method: 'GET',
    route: 'admin/connectors/{id}/days',
    access: 'read',
    handle: async (ctx) =>
      json(
        await connectorDays(
          { connectorId: ctx.params['id'] ?? '', ...optional('from', queryValue(ctx.url, 'from')), ...optional('to', queryValue(ctx.url, 'to')) },
          { ...ctx.deps.services, ...optional('clock', ctx.deps.clock) },
        ),
      ),
  },
  {
    name: 'adminConnectorRuns',
    method: 'GET',
    route: 'admin/connectors/{id}/runs',
    access: 'read',
    handle: async (ctx) => json(await listRuns(ctx.params['id'] ?? '', ctx.deps.services, { limit: queryPositiveInteger(ctx.url, 'limit', 1000) ?? 100 })),
  },
  {
    name: 'adminItems',
    method: 'GET',
    route: 'admin/items',
    access: 'read',
    async handle(ctx) {
      const filter = itemFilterFromQuery(ctx);
      const connector = queryValue(ctx.url, 'connector');
      const ids = connector === undefined ? (await ctx.deps.services.connectors.list()).map((c) => c.id) : [connector];
      const items = (await Promise.all(ids.map((id) => listOutstandingItems(id, filter, ctx.deps.services)))).flat();
      return json({ items, counts: countOutstanding(items) });
    },
  },
  {
    name: 'adminItemsReplay',
    method: 'POST',
    route: 'admin/items/replay',
    access: 'change',
    async handle(ctx) {
      const body = await jsonBody(ctx, ['connector', 'ids', 'all', 'filter']);
      const connectorId = requiredString(body, 'connector');
      const ids = stringArray(body, 'ids');
      const all = optionalBoolean(body, 'all');
      if (ids !== undefined && all === true) throw new InvalidAdminInputError('all', 'give either ids or all, not both');
      if (ids === undefined && all !== true) throw new InvalidAdminInputError('ids', 'is required (or all: true with an optional filter)');
      if (ids !== undefined && body['filter'] !== undefined) throw new InvalidAdminInputError('filter', 'goes with all: true, not with ids');
      const result = await changes(ctx).replay({ connectorId, ...(ids === undefined ? { filter: itemFilterFromBody(body['filter']) } : { itemIds: ids }) });
      return json(result, 202);
    },
  },
  {
    name: 'adminMappingValidate',
    method: 'POST',
    route: 'admin/mapping/validate',
    access: 'change',
    maxBodyBytes: MAX_MAPPING_FILE_BYTES,
    async handle(ctx) {
      // Without a connector (the add wizard, before the connector exists): numbers read as `region`'s.
      const connectorId = queryValue(ctx.url, 'connector');
      const region = queryValue(ctx.url, 'region');
      if (connectorId === undefined && region === undefined) throw new InvalidAdminInputError('connector', 'is required (a query parameter), or region for a connector not added yet');
      const bytes = await mappingBytes(ctx);
      const directory = ctx.deps.services.directory();
      const report =
        connectorId === undefined
          ? await validateNewConnectorMappingFile({ region: region as string, bytes }, optional('directory', directory))
          : await validateMappingFile({ connectorId, bytes }, { connectors: ctx.deps.services.connectors, ...optional('directory', directory) });
      return json({ ...mappingReportView(report), directoryChecked: directory !== undefined } satisfies MappingReport);
    },
  },
  {
    name: 'adminMappingApply',
    method: 'POST',
    route: 'admin/mapping',
    access: 'change',
    maxBodyBytes: MAX_MAPPING_FILE_BYTES,
    async handle(ctx) {
      const connectorId = requiredQuery(ctx, 'connector');
      const bytes = await mappingBytes(ctx);
      const applied = await changes(ctx).applyMapping({ connectorId, bytes, ...optional('fileName', fileNameQuery(ctx)) });
      const { mapping: _mapping, ...current } = applied.current;
      return json({ current, report: mappingReportView(applied.report) }, 201);
    },
  },
  {
    name: 'adminMappingVersions',
    method: 'GET',
    route: 'admin/mapping/versions',
    access: 'read',
    handle: async (ctx) => json(await listMappingVersions(requiredQuery(ctx, 'connector'), ctx.deps.services)),
  },
  {
    name: 'adminMappingDiff',
    method: 'GET',
    route: 'admin/mapping/diff',
    access: 'read',
    handle: async (ctx) => json(await diffMappingVersions(requiredQuery(ctx, 'connector'), requiredQuery(ctx, 'from'), requiredQuery(ctx, 'to'), ctx.deps.services)),
  },
  {
    name: 'adminMappingRollback',
    method: 'POST',
    route: 'admin/mapping/rollback',
    access: 'change',
    async handle(ctx) {
      const body = await jsonBody(ctx, ['connector', 'version']);
      const applied = await changes(ctx).rollbackMapping(requiredString(body, 'connector'), requiredString(body, 'version'));
      const { mapping: _mapping, ...current } = applied.current;
      return json({ current, rolledBackTo: applied.rolledBackTo }, 201);
    },
  },
  {
    name: 'adminLogCsv',
    method: 'GET',
    route: 'admin/log.csv',
    access: 'read',
    async handle(ctx) {
      const from = requiredQuery(ctx, 'from');
      const to = requiredQuery(ctx, 'to');
      const connectorId = queryValue(ctx.url, 'connector');
      const rows = await buildItemLog({ from, to, ...optional('connectorId', connectorId) }, ctx.deps.services);
      const day = (value: string): string => parseInstant(value, 'from').toISOString().slice(0, 10);
      return { kind: 'csv', fileName: `archiver-log-${connectorId ?? 'all'}-${day(from)}-${day(to)}.csv`, text: itemLogCsv(rows) };
    },
  },
  {
    name: 'adminAudit',
    method: 'GET',
    route: 'admin/audit',
    access: 'read',
    async handle(ctx) {
      const from = queryValue(ctx.url, 'from');
      const to = queryValue(ctx.url, 'to');
      const entries = await ctx.deps.services.audit.list({
        ...optional('from', from === undefined ? undefined : parseInstant(from, 'from')),
        ...optional('to', to === undefined ? undefined : parseInstant(to, 'to')),
        ...optional('connectorId', queryValue(ctx.url, 'connector')),
        limit: queryPositiveInteger(ctx.url, 'limit', 1000) ?? 200,
      });
      return json(entries);
    },
  },
];
