import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { TokenCredential } from '@azure/identity';

/**
 * Adds the app's bearer token to requests for the configured Graph origin, and to nothing else.
 * The SDK's own authentication handler only signs https Graph hosts; this one signs whatever
 * endpoint is configured (a sovereign cloud, or the local simulator on http). A URL Graph hands
 * back (`@odata.nextLink`, `@odata.deltaLink`) is followed through the same chain, so a link
 * to another origin is sent unsigned: the token never leaves the Graph origin (issue #11).
 */
export class BearerTokenMiddleware implements Middleware {
  #next: Middleware | undefined;
  readonly #origin: string;

  /** @param graphOrigin the origin (scheme, host, port) of the configured Graph endpoint. */
  constructor(private readonly credential: TokenCredential, private readonly scope: string, graphOrigin: string) {
    this.#origin = new URL(graphOrigin).origin;
  }

  async execute(context: Context): Promise<void> {
    if (this.#isGraph(context.request)) {
      await this.#sign(context);
    } else {
      removeAuthorization(context);
    }
    await this.#next?.execute(context);
  }

  setNext(next: Middleware): void {
    this.#next = next;
  }

  #isGraph(request: Context['request']): boolean {
    const url = typeof request === 'string' ? request : request.url;
    try {
      return new URL(url).origin === this.#origin;
    } catch {
      return false;
    }
  }

  async #sign(context: Context): Promise<void> {
    const token = await this.credential.getToken(this.scope);
    if (!token) throw new Error(`No access token for ${this.scope}`);
    const value = `Bearer ${token.token}`;
    const options = (context.options ??= {});
    const headers: unknown = options.headers;
    if (headers instanceof Headers) headers.set('Authorization', value);
    else if (Array.isArray(headers)) options.headers = [...withoutAuthorization(headers as [string, string][]), ['Authorization', value]];
    else options.headers = { ...((headers as Record<string, string> | undefined) ?? {}), Authorization: value };
    if (context.request instanceof Request) context.request.headers.set('Authorization', value);
  }
}

/** A request leaving the Graph origin carries no Authorization header, whoever set one. */
function removeAuthorization(context: Context): void {
  const headers: unknown = context.options?.headers;
  if (headers instanceof Headers) headers.delete('Authorization');
  else if (Array.isArray(headers) && context.options) context.options.headers = withoutAuthorization(headers as [string, string][]);
  else if (typeof headers === 'object' && headers !== null && context.options) {
    context.options.headers = Object.fromEntries(Object.entries(headers as Record<string, string>).filter(([k]) => k.toLowerCase() !== 'authorization'));
  }
  if (context.request instanceof Request) context.request.headers.delete('Authorization');
}

function withoutAuthorization(headers: [string, string][]): [string, string][] {
  return headers.filter(([k]) => k.toLowerCase() !== 'authorization');
}
