import { Client, HTTPMessageHandler, RetryHandler, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import type { TokenCredential } from '@azure/identity';
import { BearerTokenMiddleware } from './bearer-token-middleware';
import { graphScope } from './graph-credential';

export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com/v1.0 or the simulator's http://127.0.0.1:PORT/v1.0 */
  endpoint: string;
  credential: TokenCredential;
  /** Retries of 429/503/504 answers, each after the server's Retry-After. */
  maxRetries?: number;
}

/** The Microsoft Graph SDK client, signed and retrying as the connector needs. */
export function createGraphClient(options: GraphClientOptions): Client {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const version = endpoint.slice(endpoint.lastIndexOf('/') + 1);
  const base = endpoint.slice(0, endpoint.lastIndexOf('/') + 1);
  const auth = new BearerTokenMiddleware(options.credential, graphScope(endpoint));
  const retry = new RetryHandler(new RetryHandlerOptions(1, options.maxRetries ?? 10));
  const http = new HTTPMessageHandler();
  auth.setNext(retry);
  retry.setNext(http);
  return Client.initWithMiddleware({ baseUrl: base, defaultVersion: version, middleware: auth });
}
