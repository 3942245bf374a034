/**
 * The admin API (`/api/admin/...`, docs/admin-web.md) as the page calls it: same-origin requests
 * with the anti-forgery token on every change, and errors as {@link ApiError} with the API's
 * message and the field it names.
 */
import type { Me } from '../../shared/wire/admin-api-types';

export const API_ROOT = '/api/admin/';

// The API's answers are typed by the server's own definitions: one module of types, no imports.
export type {
  AdminRole,
  AuditEntry,
  ConnectorDay,
  ConnectorOverview,
  FetchRun,
  MappingDiff,
  MappingFileVersion,
  MappingReport,
  MappingVersionListing,
  Me,
  OutstandingItem,
  OutstandingStatus,
  ProductChoice,
} from '../../shared/wire/admin-api-types';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export class AdminApi {
  #csrfToken = '';

  set csrfToken(token: string) {
    this.#csrfToken = token;
  }

  async me(): Promise<Me> {
    const me = await this.get<Me>('me');
    this.#csrfToken = me.csrfToken;
    return me;
  }

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    return this.#request<T>('GET', path + queryString(query));
  }

  /** A change: JSON body (or raw bytes with their content type), with the anti-forgery token. */
  send<T>(method: 'POST' | 'PATCH', path: string, body?: unknown, query: Record<string, string | undefined> = {}): Promise<T> {
    return this.#request<T>(method, path + queryString(query), body);
  }

  upload<T>(path: string, file: Blob, query: Record<string, string | undefined>): Promise<T> {
    return this.#request<T>('POST', path + queryString(query), file);
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let payload: BodyInit | undefined;
    if (method !== 'GET') headers['x-csrf-token'] = this.#csrfToken;
    if (body instanceof Blob) {
      payload = body;
      headers['content-type'] = 'text/csv';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(API_ROOT + path, { method, headers, credentials: 'same-origin', ...(payload === undefined ? {} : { body: payload }) });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let value: unknown;
    try {
      value = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiError(response.status, 'not-json', `The API answered ${response.status} with something that is not JSON.`);
    }
    if (!response.ok) {
      const error = (value as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? 'error', error?.message ?? `The API answered ${response.status}.`, error?.field, error as Record<string, unknown> | undefined);
    }
    return value as T;
  }
}

export function queryString(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
