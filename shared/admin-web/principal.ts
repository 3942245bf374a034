/**
 * Who is calling the admin API, as App Service Authentication (Easy Auth) tells the app: the
 * `x-ms-client-principal` header holds base64 JSON `{ auth_typ, claims: [{ typ, val }], name_typ,
 * role_typ }`. App Service strips the header from what a client sends and sets it itself, so it is
 * trusted only where App Service Authentication is on (or, locally, where the local sign-in is).
 */
import type { AdminRole, PrincipalSource } from '../wire/admin-api-types';
// The roles and how the principal was established go to the page (`GET me`): one definition with its other wire types.
export type { AdminRole, PrincipalSource } from '../wire/admin-api-types';

export const ADMIN_ROLE = 'Connectors.Admin' satisfies AdminRole;
export const READER_ROLE = 'Connectors.Read' satisfies AdminRole;

export const CLIENT_PRINCIPAL_HEADER = 'x-ms-client-principal';

export interface Principal {
  /** Entra object id when the token carries one, else the name. */
  readonly id: string;
  /** The user principal name or display name, for people and the audit trail. */
  readonly name: string;
  /** The app roles among {@link ADMIN_ROLE} and {@link READER_ROLE}; other roles are ignored. */
  readonly roles: readonly AdminRole[];
  readonly source: PrincipalSource;
}

/** The header is there but cannot be read: the request is treated as not signed in. */
export class InvalidClientPrincipalError extends Error {
  override readonly name = 'InvalidClientPrincipalError';
}

const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const NAME_CLAIMS = ['preferred_username', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'upn', 'name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];
const ROLE_CLAIMS = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const MAX_HEADER_CHARS = 64 * 1024;

/** Reads the decoded header; {@link InvalidClientPrincipalError} says why it is unusable. */
export function parseClientPrincipal(header: string, source: PrincipalSource = 'app-service'): Principal {
  if (header.length > MAX_HEADER_CHARS) throw new InvalidClientPrincipalError(`${CLIENT_PRINCIPAL_HEADER} is longer than ${MAX_HEADER_CHARS} characters`);
  const text = header.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new InvalidClientPrincipalError(`${CLIENT_PRINCIPAL_HEADER} is not base64`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw new InvalidClientPrincipalError(`${CLIENT_PRINCIPAL_HEADER} is not base64 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidClientPrincipalError(`${CLIENT_PRINCIPAL_HEADER} is not a JSON object`);
  const record = value as Record<string, unknown>;
  if (!Array.isArray(record['claims'])) throw new InvalidClientPrincipalError(`${CLIENT_PRINCIPAL_HEADER}: "claims" is not an array`);
  const claims: { typ: string; val: string }[] = [];
  for (const claim of record['claims'] as unknown[]) {
    if (typeof claim !== 'object' || claim === null) continue;
    const { typ, val } = claim as Record<string, unknown>;
    if (typeof typ === 'string' && typeof val === 'string') claims.push({ typ, val });
  }
  const first = (types: readonly string[]): string | undefined => {
    for (const type of types) {
      const found = claims.find((c) => c.typ === type && c.val.trim() !== '');
      if (found !== undefined) return found.val.trim();
    }
    return undefined;
  };
  const nameType = typeof record['name_typ'] === 'string' ? [record['name_typ']] : [];
  const roleType = typeof record['role_typ'] === 'string' ? [record['role_typ']] : [];
  const name = first([...nameType, ...NAME_CLAIMS]);
  const id = first(OBJECT_ID_CLAIMS) ?? name;
  if (id === undefined || name === undefined) throw new InvalidClientPrincipalError(`${CLIENT_PRINCIPAL_HEADER} names nobody (no object id, user name or name claim)`);
  const roleTypes = new Set([...roleType, ...ROLE_CLAIMS]);
  const roles = new Set<AdminRole>();
  for (const claim of claims) {
    if (!roleTypes.has(claim.typ)) continue;
    if (claim.val === ADMIN_ROLE || claim.val === READER_ROLE) roles.add(claim.val);
  }
  return { id, name, roles: [...roles].sort(), source };
}

/** The header value App Service would send for this user: for the local sign-in and tests. */
export function encodeClientPrincipal(user: { id?: string; name: string; roles: readonly string[] }): string {
  const claims = [
    ...(user.id === undefined ? [] : [{ typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: user.id }]),
    { typ: 'preferred_username', val: user.name },
    { typ: 'name', val: user.name },
    ...user.roles.map((role) => ({ typ: 'roles', val: role })),
  ];
  return Buffer.from(JSON.stringify({ auth_typ: 'aad', claims, name_typ: 'name', role_typ: 'roles' }), 'utf8').toString('base64');
}

export function canRead(principal: Principal): boolean {
  return principal.roles.includes(ADMIN_ROLE) || principal.roles.includes(READER_ROLE);
}

export function canChange(principal: Principal): boolean {
  return principal.roles.includes(ADMIN_ROLE);
}
