import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ScenarioConnector } from '../../dev/scenario/connectors';
import type { ItemAttachment, Participant, TeleMessageItem } from '../../dev/scenario/telemessage-item';

/** The bundled demo scenario, from the compiled test's folder (dist/test/e2e). */
export const DEMO_SCENARIO_DIR = path.join(__dirname, '..', '..', '..', 'dev', 'scenarios', 'demo');

/** The bundled user-mapping scenario (Fabrikam): mapping file, email, both, neither; a corrected file beside it. */
export const MAPPING_SCENARIO_DIR = path.join(__dirname, '..', '..', '..', 'dev', 'scenarios', 'mapping');

export const E2E_USERNAME = 'e2e-archive';
/** Recognisable, so a test can look for it where it must never be. */
export const E2E_PASSWORD = 'e2e-only-Pw-7d1c9a4f';

/** Directory users of the demo scenario (Contoso), as TeleMessage knows them. */
export const ANA: Participant = { phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' };
export const BEN: Participant = { phone: '+12065550178', email: 'ben@contoso.com', displayName: 'Ben Walker' };
export const DANA: Participant = { phone: '+14155550112', email: 'dana.kim@contoso.com', displayName: 'Dana Kim' };
/** Outsiders: no directory entry. */
export const JORDAN: Participant = { phone: '+13105550199', displayName: 'Jordan Lee' };
export const SAM: Participant = { phone: '+17185550123', displayName: 'Sam' };

/** The mailbox (user principal name) a participant above maps to, by email. */
const MAILBOX_OF = new Map<Participant, string>([
  [ANA, 'ana.diaz@contoso.com'],
  [BEN, 'ben.walker@contoso.com'],
  [DANA, 'dana.kim@contoso.com'],
]);

/** The default folder of att-network connectors. */
export const ATT_FOLDER = 'AT&T SMS/MMS Network Archiver';

/** An item of a generated scenario and what the pipeline must make of it. */
export interface PlannedItem {
  item: TeleMessageItem;
  /** User principal names that must each hold exactly one copy. */
  mailboxes: string[];
}

export interface PlannedAttachment {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/**
 * Builds att-network items on Ana's, Ben's and Dana's lines with outsiders, archived 20 s apart
 * (the simulator rebases them to now), and remembers the attachment bytes and expected mailboxes.
 */
export class AttScenarioBuilder {
  readonly items: PlannedItem[] = [];
  readonly attachments = new Map<string, Buffer>();
  #start = Date.parse('2026-03-10T08:00:00Z');

  /** An SMS from `from` to `to`; outbound when `from` is one of the archived lines. */
  sms(from: Participant, to: Participant[], text: string): PlannedItem {
    return this.#add('sms', from, to, text, []);
  }

  /** An MMS with the given attachments. */
  mms(from: Participant, to: Participant[], text: string, attachments: PlannedAttachment[]): PlannedItem {
    return this.#add('mms', from, to, text, attachments);
  }

  #add(kind: 'sms' | 'mms', from: Participant, to: Participant[], text: string, files: PlannedAttachment[]): PlannedItem {
    const n = this.items.length + 1;
    const id = `e2e-att-${String(n).padStart(4, '0')}`;
    const archivedAt = new Date(this.#start + n * 20_000).toISOString().replace('.000Z', 'Z');
    const sentAt = new Date(this.#start + n * 20_000 - 3_000).toISOString().replace('.000Z', 'Z');
    const account = MAILBOX_OF.has(from) ? from : (to.find((p) => MAILBOX_OF.has(p)) ?? from);
    const attachments: ItemAttachment[] = files.map((file, i) => {
      const attachmentId = `${id}-a${i + 1}`;
      this.attachments.set(attachmentId, file.bytes);
      return {
        id: attachmentId,
        fileName: file.fileName,
        contentType: file.contentType,
        size: file.bytes.length,
        sha256: createHash('sha256').update(file.bytes).digest('hex'),
      };
    });
    const item: TeleMessageItem = {
      id,
      product: 'att-network',
      kind,
      archivedAt,
      sentAt,
      direction: account === from ? 'outbound' : 'inbound',
      account,
      conversation: { id: `c-${[from, ...to].map((p) => p.phone).join('-')}`, type: to.length > 1 ? 'group' : 'direct', title: null },
      from,
      to,
      text,
      attachments,
    };
    const mailboxes = [...new Set([from, ...to].flatMap((p) => (MAILBOX_OF.has(p) ? [MAILBOX_OF.get(p)!] : [])))].sort();
    const planned = { item, mailboxes };
    this.items.push(planned);
    return planned;
  }
}

/** Random bytes of the given size: content no compression or deduplication can shortcut. */
export function randomFile(fileName: string, size: number, contentType = 'application/octet-stream'): PlannedAttachment {
  return { fileName, contentType, bytes: randomBytes(size) };
}

export interface GeneratedScenario {
  dir: string;
  connectors: ScenarioConnector[];
  remove(): Promise<void>;
}

/**
 * Writes a scenario folder with the demo's directory (Contoso), one TeleMessage account and one
 * att-network connector `e2e-att` (automatic mapping, default folder).
 */
export async function writeAttScenario(builder: AttScenarioBuilder, connectorId = 'e2e-att'): Promise<GeneratedScenario> {
  const dir = await mkdtemp(path.join(tmpdir(), 'e2e-scenario-'));
  const write = async (relative: string, content: string | Uint8Array): Promise<void> => {
    const file = path.join(dir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  };
  await write('telemessage/accounts.json', JSON.stringify([{ username: E2E_USERNAME, password: E2E_PASSWORD, products: ['att-network', 'wechat'] }]));
  await write('telemessage/att-network/items.json', JSON.stringify(builder.items.map((p) => p.item), null, 1));
  for (const [id, bytes] of builder.attachments) await write(`telemessage/attachments/${id}`, bytes);
  await mkdir(path.join(dir, 'directory'), { recursive: true });
  await copyFile(path.join(DEMO_SCENARIO_DIR, 'directory', 'users.json'), path.join(dir, 'directory', 'users.json'));
  const connectors: ScenarioConnector[] = [
    { id: connectorId, product: 'att-network', username: E2E_USERNAME, password: E2E_PASSWORD, autoMapping: true, defaultRegion: 'US' },
  ];
  await write('connectors.json', JSON.stringify(connectors, null, 2));
  return { dir, connectors, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A temporary folder for a run's work (Azurite data, Graph export). */
export async function makeWorkdir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'e2e-work-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
