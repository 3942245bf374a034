/**
 * The admin API's requests and answers as plain data, so that the routing, the checks and the
 * handlers are tested without the Functions trigger; `functions/admin-api.ts` converts.
 */

export interface AdminHttpRequest {
  readonly method: string;
  readonly url: URL;
  /** Route parameters, e.g. `id` of `admin/connectors/{id}`. */
  readonly params: Readonly<Record<string, string>>;
  /** A header by lower-case name. */
  header(name: string): string | undefined;
  /** The body's bytes; read once. */
  body(): Promise<Uint8Array>;
}

export interface AdminCookie {
  name: string;
  value: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'Strict' | 'Lax';
  path: string;
  /** Seconds; 0 removes the cookie. */
  maxAge?: number;
}

export interface AdminHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  cookies: AdminCookie[];
}

/** What a handler answers: JSON (the default), CSV text, or nothing. */
export type AdminResult =
  | { kind: 'json'; status?: number; value: unknown; cookies?: AdminCookie[] }
  | { kind: 'csv'; fileName: string; text: string }
  | { kind: 'empty'; status?: number; cookies?: AdminCookie[] };

export function json(value: unknown, status = 200, cookies: AdminCookie[] = []): AdminResult {
  return { kind: 'json', status, value, cookies };
}

/** Cookies of a request header, first value of each name. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** Whether the browser reached the app over https (App Service terminates TLS in front of it). */
export function isSecureRequest(request: Pick<AdminHttpRequest, 'url' | 'header'>): boolean {
  return request.url.protocol === 'https:' || request.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}
