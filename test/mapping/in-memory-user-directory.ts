import type { DirectoryLookup, DirectoryUser, ResolveOptions, UserDirectory } from '../../shared/mapping/directory';
import { lookupForUser, userHasAddress } from '../../shared/mapping/directory';

/**
 * A directory over a fixed user list, for tests. Counts the questions it is asked so that tests
 * can see what a cache saves. Matching prefers a userPrincipalName, then mail, then a proxy
 * address, as Graph's own look-ups would when addresses overlap.
 */
export class InMemoryUserDirectory implements UserDirectory {
  readonly asked: string[] = [];

  constructor(private readonly users: readonly DirectoryUser[]) {}

  async resolve(address: string, options?: ResolveOptions): Promise<DirectoryLookup> {
    options?.abortSignal?.throwIfAborted();
    this.asked.push(address);
    const key = address.trim().toLowerCase();
    const user =
      this.users.find((u) => u.userPrincipalName.toLowerCase() === key) ??
      this.users.find((u) => u.mail !== null && u.mail.toLowerCase() === key) ??
      this.users.find((u) => userHasAddress(u, address));
    return user === undefined ? { status: 'not-found' } : lookupForUser(user);
  }
}

/** A user with sensible defaults: enabled, with a mailbox, mail equal to the UPN. */
export function directoryUser(id: string, userPrincipalName: string, overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id,
    userPrincipalName,
    mail: userPrincipalName,
    proxyAddresses: [`SMTP:${userPrincipalName}`],
    accountEnabled: true,
    hasMailbox: true,
    ...overrides,
  };
}
