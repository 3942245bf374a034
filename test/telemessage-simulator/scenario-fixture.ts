import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ItemAttachment, TeleMessageItem, TeleMessageProduct } from '../../dev/scenario/telemessage-item';

/** The bundled demo scenario, from the compiled test's folder (dist/test/telemessage-simulator). */
export const DEMO_SCENARIO_DIR = join(__dirname, '..', '..', '..', 'dev', 'scenarios', 'demo');

export const USERNAME = 'contoso-test';
export const PASSWORD = 'pa55-wörd with spaces';

export interface TempScenario {
  dir: string;
  /** Writes (or overwrites) a file relative to the scenario folder. */
  write(relativePath: string, content: string | Uint8Array): Promise<void>;
  remove(): Promise<void>;
}

export interface TempScenarioContent {
  /** Default: one account, USERNAME/PASSWORD, with both products. */
  accounts?: unknown;
  items?: Partial<Record<TeleMessageProduct, unknown[]>>;
  attachments?: Record<string, Uint8Array>;
}

/** A scenario folder under the OS temp folder; items are written as one JSON array per product. */
export async function createTempScenario(content: TempScenarioContent = {}): Promise<TempScenario> {
  const dir = await mkdtemp(join(tmpdir(), 'tm-sim-test-'));
  const write = async (relativePath: string, data: string | Uint8Array): Promise<void> => {
    const file = join(dir, relativePath);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, data);
  };
  await write(
    'telemessage/accounts.json',
    JSON.stringify(content.accounts ?? [{ username: USERNAME, password: PASSWORD, products: ['att-network', 'wechat'] }]),
  );
  for (const [product, items] of Object.entries(content.items ?? {})) {
    await write(`telemessage/${product}/items.json`, JSON.stringify(items));
  }
  for (const [id, bytes] of Object.entries(content.attachments ?? {})) await write(`telemessage/attachments/${id}`, bytes);
  return { dir, write, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A valid att-network SMS archived at `archivedAt`; override any field. */
export function smsItem(id: string, archivedAt: string, overrides: Partial<TeleMessageItem> = {}): TeleMessageItem {
  return {
    id,
    product: 'att-network',
    kind: 'sms',
    archivedAt,
    sentAt: archivedAt,
    direction: 'outbound',
    account: { phone: '+12025550143', email: 'ana.diaz@contoso.com' },
    conversation: { id: 'c-1', type: 'direct', title: null },
    from: { phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' },
    to: [{ phone: '+13105550199' }],
    text: `message ${id}`,
    attachments: [],
    ...overrides,
  };
}

/** A valid wechat chat item archived at `archivedAt`; override any field. */
export function chatItem(id: string, archivedAt: string, overrides: Partial<TeleMessageItem> = {}): TeleMessageItem {
  const chen = { wechatId: 'wxid_chenwei88', email: 'chen.wei@contoso.com', displayName: 'Chen Wei' };
  return {
    id,
    product: 'wechat',
    kind: 'chat',
    archivedAt,
    sentAt: archivedAt,
    direction: 'outbound',
    account: chen,
    conversation: { id: 'c-wc-1', type: 'direct', title: null },
    from: chen,
    to: [{ wechatId: 'wxid_lina_sz2019', displayName: '李娜' }],
    text: `message ${id}`,
    attachments: [],
    ...overrides,
  };
}

/** Attachment metadata that matches `bytes`. */
export function attachmentFor(id: string, bytes: Uint8Array, contentType = 'application/octet-stream'): ItemAttachment {
  return { id, fileName: `${id}.bin`, contentType, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Signs in with plain fetch and returns the access token. */
export async function signIn(baseUrl: string, username = USERNAME, password = PASSWORD): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in answered ${response.status}`);
  const body = (await response.json()) as { accessToken: string };
  return body.accessToken;
}

export interface ListResponse {
  items: TeleMessageItem[];
  nextCursor: string | null;
}

/** GET …/items with the given query; returns the raw Response. */
export function listItems(
  baseUrl: string,
  token: string,
  product: string,
  query: Record<string, string>,
): Promise<Response> {
  const search = new URLSearchParams(query).toString();
  return fetch(`${baseUrl}/api/v1/archive/${product}/items?${search}`, { headers: { Authorization: `Bearer ${token}` } });
}
