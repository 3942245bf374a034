import type { DirectoryUser } from '../scenario/directory-users';
import type { ArchiveItem } from '../../shared/telemessage/archive-source';
import { parseArchivedItem } from '../../shared/items';
import { e164Of } from './bench-directory';
import { SeededRandom } from './seeded-random';

/** One generated SMS and the mailbox it must land in (its employee's). */
export interface BenchSms {
  item: ArchiveItem;
  /** userPrincipalName of the employee the item belongs to. */
  mailbox: string;
}

export interface SmsItemsOptions {
  /** The employees; items are spread evenly over them, in shuffled order. */
  users: readonly DirectoryUser[];
  count: number;
  /** Prefix of every item id, e.g. `bench-sms`. */
  idPrefix: string;
  seed?: number;
  /** archivedAt of the first item; later ones follow a few seconds apart. */
  start?: Date;
}

const WORDS = [
  'running', 'late', 'meeting', 'moved', 'to', 'three', 'pm', 'can', 'you', 'call', 'the', 'client', 'about', 'invoice',
  'order', 'shipped', 'today', 'thanks', 'see', 'you', 'at', 'the', 'site', 'parking', 'garage', 'level', 'two', 'please',
  'confirm', 'quote', 'numbers', 'before', 'friday', 'approved', 'on', 'my', 'way', 'traffic', 'is', 'bad', 'ok',
];

/**
 * AT&T SMS items as the TeleMessage API lists them: the archived account is an employee (phone
 * and email, so automatic mapping finds the mailbox), the other party an outsider known only by
 * a phone number (which no mapping file names, so each item lands in exactly one mailbox and
 * lists one unmapped participant, as most carrier traffic does). Every item is checked with the
 * import stage's own parser, so a generator mistake fails here rather than as quarantined items.
 */
export function generateSmsItems(options: SmsItemsOptions): BenchSms[] {
  const { users, count, idPrefix } = options;
  if (users.length === 0) throw new RangeError('generateSmsItems: at least one user is needed');
  const random = new SeededRandom(options.seed ?? 20_260_310);
  const start = (options.start ?? new Date('2026-03-10T08:00:00Z')).getTime();
  const owners = random.shuffle(Array.from({ length: count }, (_, i) => users[i % users.length] as DirectoryUser));
  let archivedAt = start;
  return owners.map((employee, index): BenchSms => {
    const outsiderPhone = `+1310555${String(random.integer(100, 199)).padStart(4, '0')}`;
    const employeeParty = { phone: e164Of(employee), email: employee.mail, displayName: employee.displayName ?? null };
    const outsiderParty = { phone: outsiderPhone, displayName: null };
    const outbound = random.next() < 0.5;
    archivedAt += random.integer(1, 9) * 1000;
    const sentAt = archivedAt - random.integer(1, 5) * 1000;
    const words = Array.from({ length: random.integer(3, 40) }, () => random.pick(WORDS));
    const item: ArchiveItem = {
      id: `${idPrefix}-${String(index + 1).padStart(5, '0')}`,
      product: 'att-network',
      kind: 'sms',
      archivedAt: iso(archivedAt),
      sentAt: iso(sentAt),
      direction: outbound ? 'outbound' : 'inbound',
      account: employeeParty,
      conversation: { id: `c-${employee.id.slice(-2)}-${outsiderPhone.slice(-4)}`, type: 'direct', title: null },
      from: outbound ? employeeParty : outsiderParty,
      to: [outbound ? outsiderParty : employeeParty],
      text: words.join(' '),
      attachments: [],
    };
    parseArchivedItem(item, { expectedProduct: 'att-network' });
    return { item, mailbox: employee.userPrincipalName };
  });
}

function iso(millis: number): string {
  return new Date(millis).toISOString().replace(/\.000Z$/, 'Z');
}
