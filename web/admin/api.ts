/**
 * The admin API (`/api/admin/...`, docs/admin-web.md) as the page calls it: same-origin requests
 * with the anti-forgery token on every change, and errors as {@link ApiError} with the API's
 * message and the field it names.
 */

export const API_ROOT = '/api/admin/';

export type Role = 'Connectors.Admin' | 'Connectors.Read';

export interface Me {
  principal: { id: string; name: string; source: 'app-service' | 'local-signin' };
  roles: Role[];
  canChange: boolean;
  csrfToken: string;
  localSignIn: boolean;
}

export type OutstandingStatus = 'unmapped' | 'failed' | 'partial' | 'quarantined';

export interface ConnectorOverview {
  id: string;
  product: string;
  productName: string;
  folderName: string;
  enabled: boolean;
  autoMapping: boolean;
  region: string;
  baseUrl: string;
  username: string;
  passwordSecretName: string;
  status: 'healthy' | 'behind' | 'failing' | 'disabled';
  statusReason: string;
  checkpoint: string;
  lagSeconds: number | null;
  lastRun: { runId?: string; status: string; at?: string; from?: string; to?: string; error?: string } | null;
  lastSuccessAt: string | null;
  importedToday: number;
  outstanding: Record<OutstandingStatus, number>;
  mappingFile: { version: string; appliedAt?: string; fileName?: string; rows?: number } | null;
}

export interface ProductChoice {
  id: string;
  name: string;
  defaultFolderName: string;
}

export interface ConnectorDay {
  day: string;
  fetched: number;
  imported: number;
  unmapped: number;
  partial: number;
  failed: number;
  quarantined: number;
}

export interface RunRecord {
  runId: string;
  from: string;
  to: string;
  status: string;
  attempts?: number;
  fetched?: number;
  stored?: number;
  error?: string;
  updatedAt?: string;
  [key: string]: unknown;
}

export interface OutstandingParticipant {
  participant: string;
  outcome: 'unmapped' | 'imported' | 'already imported' | 'failed';
  mailbox?: string;
  reason?: string;
}

export interface OutstandingItem {
  connectorId: string;
  itemId: string;
  status: OutstandingStatus;
  archivedAt?: string;
  updatedAt: string;
  attempts: number;
  reason: string;
  participants: OutstandingParticipant[];
  unmappedTotal?: number;
}

export interface MappingProblem {
  line: number;
  code: string;
  message: string;
  severity?: 'error' | 'warning';
}

export interface MappingReport {
  ok: boolean;
  rows: number;
  entries: number;
  mappedUsers: number;
  errors: MappingProblem[];
  warnings: MappingProblem[];
  unknownAddresses: MappingProblem[];
  directoryChecked?: boolean;
}

export interface MappingVersion {
  version: string;
  appliedAt: string;
  appliedBy?: string;
  fileName?: string;
  rows?: number;
  sha256?: string;
}

export interface MappingDiff {
  from: string;
  to: string;
  added: { number: string; address: string }[];
  removed: { number: string; address: string }[];
  changed: { number: string; from: string; to: string }[];
  unchanged: number;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { id: string; name: string; via: string };
  action: string;
  connectorId?: string;
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
}

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
