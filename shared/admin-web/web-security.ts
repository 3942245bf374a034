import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Web security of the admin API: the headers every answer carries, and the checks a state change
 * passes (a same-site request and the anti-forgery token).
 */

/** The API answers JSON and CSV only: nothing in it may run, load or be framed. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** For the page's own files: scripts, styles and images from the app itself only, no inline script. */
export const PAGE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The headers on every answer of the admin API (and, with the page's policy, of the page). */
export function securityHeaders(options: { contentSecurityPolicy?: string; secure?: boolean } = {}): Record<string, string> {
  return {
    'Content-Security-Policy': options.contentSecurityPolicy ?? API_CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    'Cache-Control': 'no-store',
    ...(options.secure === true ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/** The header a change request carries the anti-forgery token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** The cookie holding the token (double submit); `__Host-` over https, so no other site or subdomain can set it. */
export function csrfCookieName(secure: boolean): string {
  return secure ? '__Host-admin-csrf' : 'admin-csrf';
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isCsrfToken(value: string | undefined): value is string {
  return value !== undefined && TOKEN_PATTERN.test(value);
}

/** Why a change request is refused as possibly forged, or undefined when it passes. */
export function forgeryRefusal(request: {
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
  secure: boolean;
  /** Only the same-site check: for the local sign-in, which comes before any token. */
  tokenNotNeeded?: boolean;
}): string | undefined {
  const fetchSite = request.header('sec-fetch-site')?.trim().toLowerCase();
  const origin = request.header('origin')?.trim();
  if (fetchSite !== undefined) {
    if (fetchSite !== 'same-origin') return `a change must come from the admin page itself (Sec-Fetch-Site: ${fetchSite})`;
  } else if (origin !== undefined) {
    const host = (request.header('x-forwarded-host') ?? request.header('host') ?? '').split(',')[0]?.trim().toLowerCase();
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return `a change must come from the admin page itself (Origin: ${origin.slice(0, 100)} is not an origin)`;
    }
    if (originHost !== host) return `a change must come from the admin page itself (Origin: ${origin.slice(0, 100)})`;
  } else {
    return 'a change must come from the admin page itself: the request has neither Sec-Fetch-Site nor Origin';
  }
  if (request.tokenNotNeeded === true) return undefined;
  const cookie = request.cookie(csrfCookieName(request.secure));
  const header = request.header(CSRF_HEADER);
  if (!isCsrfToken(cookie)) return 'the anti-forgery cookie is missing: load GET /api/admin/me first';
  if (!isCsrfToken(header)) return `the anti-forgery token is missing: send the csrfToken of GET /api/admin/me in the ${CSRF_HEADER} header`;
  if (!timingSafeEqual(Buffer.from(cookie), Buffer.from(header))) return 'the anti-forgery token does not match the cookie';
  return undefined;
}
