import { addressKey } from './email-address';

/**
 * A user as the directory knows it, in the shape of the Microsoft Graph user resource (the
 * properties `id`, `userPrincipalName`, `mail`, `proxyAddresses`, `accountEnabled`), plus whether
 * Exchange Online holds a mailbox for the user (Graph tells that only through mailbox calls).
 */
export interface DirectoryUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly mail: string | null;
  /** Exchange proxy addresses: "SMTP:primary@contoso.com", "smtp:alias@contoso.com", "X500:…". */
  readonly proxyAddresses: readonly string[];
  readonly accountEnabled: boolean;
  readonly hasMailbox: boolean;
}

/** The answer to "can items be imported into the mailbox of the user at this address?". */
export type DirectoryLookup =
  | { readonly status: 'valid'; readonly userId: string; readonly userPrincipalName: string }
  | { readonly status: 'not-found' }
  /** More than one user has the address: which mailbox is meant is for an administrator to settle, never guessed. */
  | { readonly status: 'ambiguous' }
  | { readonly status: 'account-disabled'; readonly userId: string; readonly userPrincipalName: string }
  | { readonly status: 'no-mailbox'; readonly userId: string; readonly userPrincipalName: string };

export type DirectoryLookupStatus = DirectoryLookup['status'];

/** The statuses that keep an address from receiving items. */
export type DirectoryLookupFailure = Exclude<DirectoryLookupStatus, 'valid'>;

export interface ResolveOptions {
  readonly abortSignal?: AbortSignal;
}

/**
 * Finds the user behind an address. An address matches a user, without regard to case, when it
 * is the user's userPrincipalName, mail, or one of the user's SMTP proxy addresses.
 * Implementations reject only when the directory cannot answer (network, throttling, permissions);
 * an address that leads nowhere resolves to `not-found`.
 */
export interface UserDirectory {
  resolve(address: string, options?: ResolveOptions): Promise<DirectoryLookup>;
}

/** True when the address is the user's UPN, mail, or one of the user's SMTP proxy addresses. */
export function userHasAddress(user: DirectoryUser, address: string): boolean {
  const key = addressKey(address);
  if (key === '') return false;
  if (addressKey(user.userPrincipalName) === key) return true;
  if (user.mail !== null && addressKey(user.mail) === key) return true;
  return user.proxyAddresses.some((proxy) => smtpProxyKey(proxy) === key);
}

/**
 * The lookup answer for a user that was found. A disabled account is reported before a missing
 * mailbox: enabling the account is what an administrator has to do first.
 */
export function lookupForUser(user: DirectoryUser): DirectoryLookup {
  const found = { userId: user.id, userPrincipalName: user.userPrincipalName };
  if (!user.accountEnabled) return { status: 'account-disabled', ...found };
  if (!user.hasMailbox) return { status: 'no-mailbox', ...found };
  return { status: 'valid', ...found };
}

/** Short human wording of why an address cannot receive items ("account disabled"). */
export function describeLookupFailure(status: DirectoryLookupFailure): string {
  switch (status) {
    case 'not-found':
      return 'not found in the directory';
    case 'ambiguous':
      return 'shared by more than one user in the directory';
    case 'account-disabled':
      return 'account disabled';
    case 'no-mailbox':
      return 'no mailbox';
  }
}

function smtpProxyKey(proxy: string): string | undefined {
  const separator = proxy.indexOf(':');
  if (separator < 0 || proxy.slice(0, separator).toLowerCase() !== 'smtp') return undefined;
  return addressKey(proxy.slice(separator + 1));
}
