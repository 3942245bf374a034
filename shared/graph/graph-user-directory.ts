import type { Client } from '@microsoft/microsoft-graph-client';
import { lookupForUser, type DirectoryLookup, type DirectoryUser, type UserDirectory } from '../mapping/directory';
import { graphErrorCode, graphStatus } from './graph-errors';
import { mailboxLimiterFor, runWithinLimits, type MailboxLimiter } from './mailbox-limiter';
import { graphQuery } from './graph-query';

const USER_FIELDS = 'id,userPrincipalName,mail,proxyAddresses,accountEnabled';
const AMBIGUOUS = Symbol('ambiguous');

interface GraphUser {
  id: string;
  userPrincipalName: string;
  mail?: string | null;
  proxyAddresses?: string[];
  accountEnabled?: boolean;
}

/**
 * The Entra directory through Graph: an address is looked up as a user principal name, then as
 * a mail address, then as an SMTP proxy address; a found user's mailbox is probed through
 * the inbox folder, which Graph refuses for users without an Exchange Online mailbox.
 */
export interface GraphUserDirectoryOptions {
  /**
   * The per-mailbox limiter the mailbox probe runs under; default the client's shared one, so
   * that probes and the mailbox writer together stay within Graph's 4 concurrent requests.
   */
  limiter?: MailboxLimiter;
}

export class GraphUserDirectory implements UserDirectory {
  readonly #limiter: MailboxLimiter;

  constructor(private readonly client: Client, options: GraphUserDirectoryOptions = {}) {
    this.#limiter = options.limiter ?? mailboxLimiterFor(client);
  }

  async resolve(address: string): Promise<DirectoryLookup> {
    const user = (await this.#byPrincipalName(address)) ?? (await this.#byFilter(graphQuery`mail eq ${address}`))
      ?? (await this.#byFilter(graphQuery`proxyAddresses/any(p:p eq ${`smtp:${address}`})`));
    if (!user) return { status: 'not-found' };
    if (user === AMBIGUOUS) return { status: 'ambiguous' };
    const directoryUser: DirectoryUser = {
      id: user.id,
      userPrincipalName: user.userPrincipalName,
      mail: user.mail ?? null,
      proxyAddresses: user.proxyAddresses ?? [],
      accountEnabled: user.accountEnabled ?? false,
      hasMailbox: user.accountEnabled === false ? false : await this.#hasMailbox(user.id),
    };
    if (!directoryUser.accountEnabled) return { status: 'account-disabled', userId: user.id, userPrincipalName: user.userPrincipalName };
    return lookupForUser(directoryUser);
  }

  async #byPrincipalName(address: string): Promise<GraphUser | undefined> {
    if (!address.includes('@')) return undefined;
    try {
      return (await this.client.api(`/users/${encodeURIComponent(address)}`).select(USER_FIELDS).get()) as GraphUser;
    } catch (err) {
      if (graphStatus(err) === 404) return undefined;
      throw err;
    }
  }

  /** The one user the filter finds, {@link AMBIGUOUS} when it finds more than one. */
  async #byFilter(filter: string): Promise<GraphUser | typeof AMBIGUOUS | undefined> {
    // The SDK does not encode $filter: `+` in an address would reach Graph as a space. Two are
    // asked for so that a second one is seen: an address two users share names no one mailbox.
    const found = (await this.client.api('/users').filter(filter).select(USER_FIELDS).top(2).get()) as { value: GraphUser[] };
    return found.value.length > 1 ? AMBIGUOUS : found.value[0];
  }

  async #hasMailbox(userId: string): Promise<boolean> {
    try {
      // The inbox is there in every mailbox and reading it needs only Mail.ReadWrite, which the app
      // has (mailboxSettings would need MailboxSettings.Read). A mailbox request: it counts against
      // the mailbox's concurrency like the writer's.
      await runWithinLimits(this.#limiter, userId, () => this.client.api(`/users/${encodeURIComponent(userId)}/mailFolders/inbox`).select('id').get());
      return true;
    } catch (err) {
      if (graphErrorCode(err) === 'MailboxNotEnabledForRESTAPI' || graphStatus(err) === 404) return false;
      throw err;
    }
  }
}
