import { join } from 'node:path';
import { JsonObjectReader, expectArray, readJsonFile } from './json-reader';
import { ScenarioError } from './scenario-error';

/** One Entra ID user of the scenario's tenant, as the Graph simulator serves it. */
export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  /** The primary SMTP address; null for users without one. */
  mail: string | null;
  /** Exchange proxy addresses: `SMTP:` marks the primary address, `smtp:` the aliases. */
  proxyAddresses: string[];
  accountEnabled: boolean;
  /** Whether the user has an Exchange Online mailbox that mail can be imported into. */
  hasMailbox: boolean;
  /** As entered in the directory, not necessarily E.164. */
  mobilePhone: string | null;
  displayName?: string;
}

/** `<scenario>/directory/users.json`. */
export function directoryUsersFile(scenarioDir: string): string {
  return join(scenarioDir, 'directory', 'users.json');
}

const PROXY_ADDRESS = /^[A-Za-z0-9]+:\S+$/;

/** Loads and validates `<scenario>/directory/users.json`. */
export async function loadDirectoryUsers(scenarioDir: string): Promise<DirectoryUser[]> {
  const file = directoryUsersFile(scenarioDir);
  const elements = expectArray(await readJsonFile(file), { file });
  const seenIds = new Set<string>();
  const seenUpns = new Set<string>();
  return elements.map((element, index) => {
    const reader = JsonObjectReader.from(element, { file, index });
    const user = readDirectoryUser(reader);
    if (seenIds.has(user.id)) reader.fail('id', `duplicate user id "${user.id}"`);
    const upnKey = user.userPrincipalName.toLowerCase();
    if (seenUpns.has(upnKey)) reader.fail('userPrincipalName', `duplicate userPrincipalName "${user.userPrincipalName}"`);
    seenIds.add(user.id);
    seenUpns.add(upnKey);
    return user;
  });
}

function readDirectoryUser(reader: JsonObjectReader): DirectoryUser {
  const userPrincipalName = reader.string('userPrincipalName');
  if (!/^[^@\s]+@[^@\s]+$/.test(userPrincipalName)) {
    reader.fail('userPrincipalName', `"${userPrincipalName}" is not of the form name@domain`);
  }
  const mail = reader.nullableString('mail');
  if (mail !== null && !/^[^@\s]+@[^@\s]+$/.test(mail)) reader.fail('mail', `"${mail}" is not an email address`);
  const proxyAddresses = reader.stringArray('proxyAddresses');
  let primaries = 0;
  proxyAddresses.forEach((address, i) => {
    if (!PROXY_ADDRESS.test(address)) {
      throw new ScenarioError(`"${address}" is not of the form TYPE:address (for example smtp:ana@contoso.com)`, {
        ...reader.location,
        field: `proxyAddresses[${i}]`,
      });
    }
    if (address.startsWith('SMTP:')) primaries += 1;
  });
  if (primaries > 1) reader.fail('proxyAddresses', 'more than one primary address (upper-case SMTP:)');
  const user: DirectoryUser = {
    id: reader.string('id'),
    userPrincipalName,
    mail,
    proxyAddresses,
    accountEnabled: reader.boolean('accountEnabled'),
    hasMailbox: reader.boolean('hasMailbox'),
    mobilePhone: reader.nullableString('mobilePhone'),
  };
  const displayName = reader.optionalString('displayName');
  if (displayName !== undefined) user.displayName = displayName;
  return user;
}
