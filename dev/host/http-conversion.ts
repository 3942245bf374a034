import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from './core-api-types';

/** The request as the host hands it to the worker (`RpcHttpData`), body as raw bytes. */
export function toRpcHttpRequest(req: IncomingMessage, url: URL, body: Buffer, params: Record<string, string>): RpcHttpData {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[name] = values.join(', ');
  }
  // Repeated query keys become one comma-joined value, as ASP.NET's StringValues print.
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  const bytes: RpcTypedData = { bytes: body };
  return {
    method: req.method ?? 'GET',
    url: url.toString(),
    headers,
    query,
    params,
    body: bytes,
    rawBody: bytes,
  };
}

/** Writes the function's `RpcHttpData` response; `undefined` (nothing returned) is 204. */
export function writeRpcHttpResponse(res: ServerResponse, data: RpcHttpData | null | undefined): void {
  if (!data) {
    res.writeHead(204).end();
    return;
  }
  const status = Number(data.statusCode ?? 200);
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    res.writeHead(500).end();
    return;
  }
  const body = bodyBytes(data.body);
  for (const [name, value] of Object.entries(data.headers ?? {})) {
    // Node computes these itself from the bytes it sends.
    if (name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding') continue;
    res.setHeader(name, value);
  }
  const cookies = (data.cookies ?? []).map(toSetCookie).filter((c): c is string => c !== undefined);
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.setHeader('content-length', body.length);
  res.writeHead(status).end(body);
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  if (typeof body.string === 'string') return Buffer.from(body.string, 'utf8');
  if (typeof body.json === 'string') return Buffer.from(body.json, 'utf8');
  if (typeof body.int === 'number') return Buffer.from(String(body.int));
  if (typeof body.double === 'number') return Buffer.from(String(body.double));
  return Buffer.alloc(0);
}

/** RFC 6265 `Set-Cookie` from the library's `RpcHttpCookie`. */
function toSetCookie(cookie: RpcHttpCookie): string | undefined {
  if (!cookie.name) return undefined;
  const parts = [`${cookie.name}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expires = cookie.expires?.value;
  if (expires && typeof expires.seconds === 'number') {
    parts.push(`Expires=${new Date(expires.seconds * 1000 + Math.floor((expires.nanos ?? 0) / 1e6)).toUTCString()}`);
  }
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${Math.trunc(cookie.maxAge.value)}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  const sameSite = { lax: 'Lax', strict: 'Strict', explicitNone: 'None', none: undefined }[cookie.sameSite ?? 'none'];
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}
