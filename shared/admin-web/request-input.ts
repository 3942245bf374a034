import { InvalidAdminInputError } from '../admin/admin-errors';

/**
 * Reading a request's JSON body and query with a clear error for each bad value: the field is
 * named as the API documents it (docs/admin-web.md), and the value is never echoed when it may be
 * a secret.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

/** A JSON object body; anything else is refused with field `body`. */
export function parseJsonObject(bytes: Uint8Array): JsonObject {
  if (bytes.length === 0) throw new InvalidAdminInputError('body', 'must be a JSON object, and the request has no body');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new InvalidAdminInputError('body', 'is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidAdminInputError('body', 'must be a JSON object');
  return value as JsonObject;
}

/** Refuses fields the route does not know: a misspelt field would otherwise be silently ignored. */
export function onlyFields(body: JsonObject, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new InvalidAdminInputError(unknown[0] as string, `is not a field of this request; the fields are ${allowed.join(', ')}`);
}

export function requiredString(body: JsonObject, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) throw new InvalidAdminInputError(field, 'is required');
  if (typeof value !== 'string') throw new InvalidAdminInputError(field, 'must be a string');
  if (value.trim() === '') throw new InvalidAdminInputError(field, 'must not be empty');
  return value;
}

export function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidAdminInputError(field, 'must be a string');
  return value;
}

export function optionalBoolean(body: JsonObject, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new InvalidAdminInputError(field, 'must be true or false');
  return value;
}

/** A query parameter, undefined when absent or empty. */
export function queryValue(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  return value === null || value.trim() === '' ? undefined : value.trim();
}

export function queryChoice<T extends string>(url: URL, name: string, choices: readonly T[]): T | undefined {
  const value = queryValue(url, name);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new InvalidAdminInputError(name, `"${value.slice(0, 50)}" must be one of ${choices.join(', ')}`);
  return value as T;
}

export function queryPositiveInteger(url: URL, name: string, max: number): number | undefined {
  const value = queryValue(url, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) throw new InvalidAdminInputError(name, `"${value.slice(0, 20)}" must be a whole number from 1 to ${max}`);
  return Number(value);
}
