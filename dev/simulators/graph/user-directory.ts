import type { DirectoryUser } from '../../scenario/directory-users';
import type { JsonObject } from './json-value';

/** Properties Graph v1.0 returns for a user when no `$select` is given. */
const DEFAULT_USER_PROPERTIES = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'surname', 'userPrincipalName', 'id',
];

/** The scenario's directory, looked up as Entra ID does: ids and UPNs ignore case. */
export class UserDirectory {
  readonly #users: readonly DirectoryUser[];
  readonly #byKey = new Map<string, DirectoryUser>();

  constructor(users: readonly DirectoryUser[]) {
    this.#users = users;
    for (const user of users) {
      for (const key of [user.id.toLowerCase(), user.userPrincipalName.toLowerCase()]) {
        const other = this.#byKey.get(key);
        if (other !== undefined && other !== user) {
          throw new Error(`directory users: '${key}' names both user ${other.id} and user ${user.id}`);
        }
        this.#byKey.set(key, user);
      }
      if (/[/\\]|^\.\.?$/.test(user.userPrincipalName)) {
        throw new Error(`directory users: userPrincipalName '${user.userPrincipalName}' cannot name a folder`);
      }
    }
  }

  get users(): readonly DirectoryUser[] {
    return this.#users;
  }

  /** By object id or userPrincipalName. */
  find(idOrUpn: string): DirectoryUser | undefined {
    return this.#byKey.get(idOrUpn.toLowerCase());
  }

  /** Every property the simulator knows for a user, as Graph names them. */
  static fullView(user: DirectoryUser): JsonObject {
    return {
      id: user.id,
      deletedDateTime: null,
      accountEnabled: user.accountEnabled,
      businessPhones: [],
      displayName: user.displayName ?? null,
      givenName: null,
      jobTitle: null,
      mail: user.mail,
      mailNickname: user.userPrincipalName.split('@')[0],
      mobilePhone: user.mobilePhone,
      officeLocation: null,
      otherMails: [],
      preferredLanguage: null,
      proxyAddresses: [...user.proxyAddresses],
      surname: null,
      userPrincipalName: user.userPrincipalName,
      userType: 'Member',
    };
  }

  /** The representation Graph returns: its default property set, or exactly the selected ones. */
  static toGraph(user: DirectoryUser, select: readonly string[] | undefined): JsonObject {
    const full = UserDirectory.fullView(user);
    const names = select === undefined ? DEFAULT_USER_PROPERTIES : select;
    const result: JsonObject = {};
    for (const name of names) result[name] = full[name] ?? null;
    return result;
  }
}
