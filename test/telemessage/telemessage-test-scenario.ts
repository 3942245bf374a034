import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveProduct } from '../../shared/telemessage/archive-source';

/**
 * Small TeleMessage scenarios written to a temp folder for one test file, in the layout the
 * simulator reads (`telemessage/accounts.json`, `telemessage/<product>/*.json`,
 * `telemessage/attachments/<id>`). Attachment bytes are random, made at run time.
 */

export const TEST_USERNAME = 'connector-test';
/** A password distinctive enough that finding it in any serialised error is unambiguous. */
export const TEST_PASSWORD = 'S3cret-Pa55word-do-not-leak-7781';

export interface AttachmentFile {
  id: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface TestScenario {
  dir: string;
  attachments: Map<string, AttachmentFile>;
  remove(): Promise<void>;
}

export interface ScenarioItem {
  id: string;
  product: ArchiveProduct;
  archivedAt: string;
  attachments?: AttachmentFile[];
  /** Replaces fields of the generated item (e.g. a wrong sha256 in an attachment entry). */
  overrides?: Record<string, unknown>;
}

export class ScenarioBuilder {
  readonly dir: string;
  readonly attachments = new Map<string, AttachmentFile>();
  readonly #items: ScenarioItem[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(): Promise<ScenarioBuilder> {
    const dir = await mkdtemp(join(tmpdir(), 'tm-scenario-'));
    await mkdir(join(dir, 'telemessage', 'attachments'), { recursive: true });
    return new ScenarioBuilder(dir);
  }

  /** Writes `size` random bytes as attachment `id`, streaming (never whole in memory), and returns its fingerprint. */
  async attachment(id: string, size: number, contentType = 'application/octet-stream'): Promise<AttachmentFile> {
    const hash = createHash('sha256');
    const out = createWriteStream(join(this.dir, 'telemessage', 'attachments', id));
    let left = size;
    while (left > 0) {
      const chunk = randomBytes(Math.min(left, 1024 * 1024));
      hash.update(chunk);
      left -= chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    const file = { id, size, sha256: hash.digest('hex'), contentType };
    this.attachments.set(id, file);
    return file;
  }

  /** An attachment listed by items but with no file: the simulator answers 404 for it. */
  goneAttachment(id: string, size = 10): AttachmentFile {
    return { id, size, sha256: '0'.repeat(64), contentType: 'image/jpeg' };
  }

  item(item: ScenarioItem): this {
    this.#items.push(item);
    return this;
  }

  async write(): Promise<TestScenario> {
    await writeFile(
      join(this.dir, 'telemessage', 'accounts.json'),
      JSON.stringify([{ username: TEST_USERNAME, password: TEST_PASSWORD, products: ['att-network', 'wechat'] }]),
    );
    for (const product of ['att-network', 'wechat'] as const) {
      const items = this.#items.filter((i) => i.product === product).map(toContractItem);
      await mkdir(join(this.dir, 'telemessage', product), { recursive: true });
      await writeFile(join(this.dir, 'telemessage', product, 'items.json'), JSON.stringify(items, null, 1));
    }
    return { dir: this.dir, attachments: this.attachments, remove: () => rm(this.dir, { recursive: true, force: true }) };
  }
}

function toContractItem(item: ScenarioItem): Record<string, unknown> {
  const attachments = (item.attachments ?? []).map((a) => ({
    id: a.id,
    fileName: `${a.id}.bin`,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
  }));
  const base =
    item.product === 'att-network'
      ? { kind: attachments.length > 0 ? 'mms' : 'sms' }
      : { kind: 'chat' };
  return {
    id: item.id,
    product: item.product,
    ...base,
    archivedAt: item.archivedAt,
    sentAt: item.archivedAt,
    direction: 'outbound',
    account: { phone: '+12025550143', email: 'ana.diaz@contoso.com' },
    conversation: { id: `c-${item.id}`, type: 'direct', title: null },
    from: { phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' },
    to: [{ phone: '+13105550199' }],
    text: `Message ${item.id} – 你好 👋`,
    attachments,
    ...item.overrides,
  };
}

/** The instant `minutes` after 2026-11-20T14:00:00Z, as the contract writes it. */
export function at(minutes: number, seconds = 0): string {
  return new Date(Date.UTC(2026, 10, 20, 14, minutes, seconds)).toISOString().replace('.000Z', 'Z');
}
