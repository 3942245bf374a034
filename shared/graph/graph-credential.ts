import { AccessToken, ClientAssertionCredential, ClientSecretCredential, TokenCredential } from '@azure/identity';
import type { AppConfig } from '../platform/settings/app-config';

/**
 * The credential the app signs in to Graph with. In Azure the user-assigned managed identity
 * obtains an assertion that the app registration trusts through a federated credential, so
 * no client secret exists anywhere; locally a client secret or the simulator's token serves.
 *
 * @param managedIdentity the app's one managed identity (`auth.managedIdentityClientId`), asked
 *   for only on the federated path: the composition root creates it once for every client.
 */
export function createGraphCredential(graph: AppConfig['graph'], managedIdentity: () => TokenCredential): TokenCredential {
  const auth = graph.auth;
  switch (auth.kind) {
    case 'development-token':
      return new StaticTokenCredential(auth.token);
    case 'client-secret':
      return new ClientSecretCredential(graph.tenantId, graph.clientId, auth.clientSecret, { authorityHost: graph.authorityHost });
    case 'managed-identity-federation': {
      const identity = managedIdentity();
      const audience = tokenExchangeAudience(graph.authorityHost);
      return new ClientAssertionCredential(
        graph.tenantId,
        graph.clientId,
        async () => {
          const token = await identity.getToken(`${audience}/.default`);
          if (!token) throw new Error('The managed identity returned no token for the federated credential exchange');
          return token.token;
        },
        { authorityHost: graph.authorityHost },
      );
    }
  }
}

/** The scope for application permissions on the configured Graph cloud. */
export function graphScope(graphEndpoint: string): string {
  return `${new URL(graphEndpoint).origin}/.default`;
}

/** Each sovereign cloud has its own audience for federated identity credentials. */
export function tokenExchangeAudience(authorityHost: string): string {
  const host = new URL(authorityHost).hostname;
  if (host.endsWith('.us')) return 'api://AzureADTokenExchangeUSGov';
  if (host.endsWith('.cn')) return 'api://AzureADTokenExchangeChina';
  return 'api://AzureADTokenExchange';
}

/** A fixed bearer token, for the local Graph simulator only (the config loader enforces loopback). */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}

  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 60 * 60_000 };
  }
}
