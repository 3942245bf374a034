import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { TokenCredential } from '@azure/identity';

/**
 * Adds the app's bearer token to every Graph request. The SDK's own authentication handler
 * only signs https Graph hosts; this one signs whatever endpoint is configured (a sovereign
 * cloud, or the local simulator on http), and nothing else goes through this client.
 */
export class BearerTokenMiddleware implements Middleware {
  #next: Middleware | undefined;

  constructor(private readonly credential: TokenCredential, private readonly scope: string) {}

  async execute(context: Context): Promise<void> {
    const token = await this.credential.getToken(this.scope);
    if (!token) throw new Error(`No access token for ${this.scope}`);
    const value = `Bearer ${token.token}`;
    const options = (context.options ??= {});
    const headers: unknown = options.headers;
    if (headers instanceof Headers) headers.set('Authorization', value);
    else if (Array.isArray(headers)) options.headers = [...(headers as [string, string][]).filter(([k]) => k.toLowerCase() !== 'authorization'), ['Authorization', value]];
    else options.headers = { ...((headers as Record<string, string> | undefined) ?? {}), Authorization: value };
    if (context.request instanceof Request) context.request.headers.set('Authorization', value);
    await this.#next?.execute(context);
  }

  setNext(next: Middleware): void {
    this.#next = next;
  }
}
