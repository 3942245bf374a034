import { isLoopback } from '../platform/settings/app-config';
import { hostProblem, type AddressPolicy } from '../telemessage/address-policy';
import { InvalidRegionError, parseRegionCode, type RegionCode } from '../mapping/phone-number';
import { PRODUCT_MODULES } from '../products';
import type { ProductModule } from '../products/product-module';
import { ARCHIVE_PRODUCTS, isArchiveProduct, type ArchiveProduct } from '../telemessage/archive-source';
import { InvalidAdminInputError } from './admin-errors';

/** Lower-case letters, digits and dashes, 2 to 63 characters: safe in table keys, blob names and queue messages. */
export const CONNECTOR_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Key Vault's own rule for secret names; applied locally too so that a name works in both places. */
export const SECRET_NAME_PATTERN = /^[0-9A-Za-z-]{1,127}$/;

const MAX_FOLDER_NAME_LENGTH = 255;

export function parseConnectorId(value: string, field = 'id'): string {
  const id = value.trim();
  if (!CONNECTOR_ID_PATTERN.test(id)) {
    throw new InvalidAdminInputError(
      field,
      `"${value}" is not a valid connector id: use 2 to 63 lower-case letters, digits or dashes, starting with a letter or digit`,
    );
  }
  return id;
}

/**
 * The id of an existing connector, as given to a command. Only emptiness is refused: connectors made
 * by other means (a scenario) may predate the pattern, and an unknown id is reported as not found.
 */
export function connectorIdArgument(value: string, field = 'id'): string {
  const id = value.trim();
  if (id === '') throw new InvalidAdminInputError(field, 'must name a connector');
  return id;
}

/** The products a connector can archive: those TeleMessage serves and the conversion knows. */
export function knownProducts(): ArchiveProduct[] {
  return ARCHIVE_PRODUCTS.filter((product) => PRODUCT_MODULES.some((module) => module.product === product));
}

export function parseProduct(value: string): { product: ArchiveProduct; module: ProductModule } {
  const product = value.trim();
  const module = PRODUCT_MODULES.find((m) => m.product === product);
  if (!isArchiveProduct(product) || module === undefined) {
    throw new InvalidAdminInputError('product', `"${value}" is not a known product; use one of ${knownProducts().join(', ')}`);
  }
  return { product, module };
}

/**
 * The TeleMessage API root: https, or http on loopback only (the local simulator). No credentials,
 * query or fragment; a trailing slash is dropped. The host must be a public one: no link-local,
 * private, metadata or (outside local development) loopback address, in whatever form it is written
 * (telemessage/address-policy.ts).
 */
export function parseBaseUrl(value: string, policy: AddressPolicy): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidAdminInputError('base-url', `"${value}" is not an absolute URL such as https://archive.telemessage.com`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    // Not url.origin: it is "null" for file:, data: and every scheme but the special ones.
    if (url.protocol === 'http:') throw new InvalidAdminInputError('base-url', `"${url.origin}" must use https (http is allowed on loopback only)`);
    throw new InvalidAdminInputError('base-url', `uses the scheme "${url.protocol}"; it must use https (http is allowed on loopback only)`);
  }
  const problem = hostProblem(url, policy);
  if (problem !== undefined) {
    throw new InvalidAdminInputError('base-url', `"${url.origin}": ${problem}; TeleMessage is reached at a public address`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidAdminInputError('base-url', 'must not contain a user name or password; give them with --username and --password-secret');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidAdminInputError('base-url', `"${url.origin}${url.pathname}" must not have a query or a fragment`);
  }
  return url.href.replace(/\/+$/, '');
}

export function parseFolderName(value: string): string {
  const name = value.trim();
  if (name === '') throw new InvalidAdminInputError('folder-name', 'must not be empty');
  if (name.length > MAX_FOLDER_NAME_LENGTH) {
    throw new InvalidAdminInputError('folder-name', `is ${name.length} characters long; a mailbox folder name has at most ${MAX_FOLDER_NAME_LENGTH}`);
  }
  if (/\p{Cc}/u.test(name)) throw new InvalidAdminInputError('folder-name', 'must not contain control characters');
  if (WELL_KNOWN_FOLDERS.has(folderKey(name))) {
    throw new InvalidAdminInputError(
      'folder-name',
      `"${name}" is a well-known folder of every mailbox; retention policies and users empty some of them (Deleted Items, Junk Email). Give the connector a folder of its own, such as "AT&T SMS/MMS Network Archiver"`,
    );
  }
  return name;
}

/**
 * Exchange's well-known folders, by display name (English) and by Graph's well-known name: none
 * of them may hold an archive, as retention policies, clean-up rules and users empty or move what
 * they hold. Compared ignoring case and spaces.
 */
const WELL_KNOWN_FOLDERS = new Set(
  [
    'Inbox', 'Drafts', 'Sent Items', 'Deleted Items', 'Junk Email', 'Outbox', 'Archive', 'Clutter', 'Conversation History',
    'Recoverable Items', 'Scheduled', 'Search Folders', 'Sync Issues', 'Conflicts', 'Local Failures', 'Server Failures',
    'Calendar', 'Contacts', 'Tasks', 'Notes', 'Journal', 'RSS Feeds', 'RSS Subscriptions', 'Top of Information Store',
    'msgfolderroot', 'sentitems', 'deleteditems', 'junkemail', 'conversationhistory', 'searchfolders', 'syncissues',
    'localfailures', 'serverfailures', 'recoverableitemsroot', 'recoverableitemsdeletions', 'recoverableitemspurges',
    'recoverableitemsversions', 'archivemsgfolderroot', 'archiveinbox', 'archivedeleteditems', 'root',
  ].map(folderKey),
);

function folderKey(name: string): string {
  return name.toLowerCase().replace(/\s+/g, '');
}

export function parseRegion(value: string): RegionCode {
  try {
    return parseRegionCode(value);
  } catch (error) {
    if (error instanceof InvalidRegionError) throw new InvalidAdminInputError('region', error.message);
    throw error;
  }
}

export function parseSecretName(value: string): string {
  const name = value.trim();
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new InvalidAdminInputError(
      'password-secret',
      `"${value}" is not a valid secret name: use 1 to 127 letters, digits or dashes (Key Vault's rule)`,
    );
  }
  return name;
}

export function parseUsername(value: string): string {
  const name = value.trim();
  if (name === '') throw new InvalidAdminInputError('username', 'must not be empty');
  return name;
}

export function parseOnOff(value: string, field: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'on' || v === 'true' || v === 'yes') return true;
  if (v === 'off' || v === 'false' || v === 'no') return false;
  throw new InvalidAdminInputError(field, `"${value}" must be on or off`);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

/**
 * An ISO 8601 instant with its time zone ("2026-03-01T00:00:00Z", "2026-03-01T09:00+01:00"), or a
 * bare date meaning its UTC midnight. A local time without a zone is refused: it would mean
 * different instants on different machines.
 */
export function parseInstant(value: string, field: string): Date {
  const text = value.trim();
  const ms = ISO_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidAdminInputError(
      field,
      `"${value}" is not an ISO 8601 instant with a time zone, such as 2026-03-01T00:00:00Z (or a date, 2026-03-01, meaning its UTC midnight)`,
    );
  }
  return new Date(ms);
}
