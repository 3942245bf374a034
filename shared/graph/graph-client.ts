import { Client, HTTPMessageHandler, type Middleware } from '@microsoft/microsoft-graph-client';
import { RETRY_BUDGETS, type RetryPolicy } from '../platform/resilience';
import type { TokenCredential } from '@azure/identity';
import { BearerTokenMiddleware } from './bearer-token-middleware';
import { graphScope } from './graph-credential';
import { GraphRetryMiddleware, GraphRetryOptions } from './graph-retry-middleware';

export interface GraphClientOptions {
  /**
   * The service root with its version, e.g. https://graph.microsoft.com/v1.0 or the simulator's
   * http://127.0.0.1:PORT/v1.0. A root without a version segment gets v1.0.
   */
  endpoint: string;
  credential: TokenCredential;
  /** Retries of 429/503/504 answers, each after the server's Retry-After: the import stage's policy by default. */
  retry?: RetryPolicy;
}

const VERSION_SEGMENT = /^(?:v\d+(?:\.\d+)?|beta)$/i;

/**
 * The Microsoft Graph SDK client, signed and retrying as the connector needs. Its chain is
 * bearer token → retry (the app's one policy) → HTTP: the SDK's RetryHandler is not in it, so
 * Graph requests have one retry layer whose budget is the stage's, not the SDK's on top of ours.
 */
export function createGraphClient(options: GraphClientOptions): Client {
  const { baseUrl, version } = splitEndpoint(options.endpoint);
  return Client.initWithMiddleware({ baseUrl, defaultVersion: version, middleware: createGraphMiddleware(options) });
}

/** The middleware chain every request of the client goes through, first handler returned. */
export function createGraphMiddleware(options: GraphClientOptions): Middleware {
  const { baseUrl } = splitEndpoint(options.endpoint);
  const auth = new BearerTokenMiddleware(options.credential, graphScope(baseUrl), baseUrl);
  const retry = new GraphRetryMiddleware(options.retry ?? RETRY_BUDGETS.import, notMailboxThrottling);
  const http = new HTTPMessageHandler();
  auth.setNext(retry);
  retry.setNext(http);
  return auth;
}

/** `https://graph.microsoft.com/v1.0` → base `https://graph.microsoft.com/` and version `v1.0`. */
export function splitEndpoint(endpoint: string): { baseUrl: string; version: string } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new TypeError(`The Graph endpoint "${endpoint}" is not an absolute URL`, { cause: error });
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const last = segments[segments.length - 1];
  const version = last !== undefined && VERSION_SEGMENT.test(last) ? (segments.pop() as string) : 'v1.0';
  return { baseUrl: `${url.origin}/${segments.map((s) => `${s}/`).join('')}`, version };
}

/**
 * A request path on a mailbox resource (`/users/{id}/mailFolders…`, `/messages…`, `/mailboxSettings`):
 * the requests Exchange's per-mailbox limits count.
 */
const MAILBOX_PATH = /\/users\/[^/?]+\/(?:mailFolders|messages|mailboxSettings)(?:[/?]|$)/i;

/**
 * 429, 503 and 504 are retried after Retry-After; a mailbox's 429 is left to the caller, whose
 * mailbox limiter makes every instance back off for that mailbox, not only this request.
 */
function notMailboxThrottling(url: string, response: Response): boolean {
  return response.status !== 429 || !MAILBOX_PATH.test(url);
}

/** Per-request middleware options that switch the retry middleware off (the caller retries itself). */
export function withoutRetries(): GraphRetryOptions {
  return GraphRetryOptions.none();
}
