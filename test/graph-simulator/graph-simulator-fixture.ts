import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DirectoryUser } from '../../dev/scenario/directory-users';
import { GraphSimulator, type GraphSimulatorOptions } from '../../dev/simulators/graph';

/** Any non-empty bearer token passes; this one is recognisable when looking for leaks in files. */
export const TEST_TOKEN = 'test-token-8f2c1d9e-must-never-be-logged';

export const ANA: DirectoryUser = {
  id: '6a1f4c2e-8d3b-4e6f-9a7c-1b2d3e4f5a60',
  userPrincipalName: 'ana@contoso.example',
  mail: 'Ana.Lopez@contoso.example',
  proxyAddresses: ['SMTP:Ana.Lopez@contoso.example', 'smtp:ana@contoso.example', "smtp:o'hara@contoso.example"],
  accountEnabled: true,
  hasMailbox: true,
  mobilePhone: '+1 425 555 0100',
  displayName: 'Ana Lopez',
};

export const BEN: DirectoryUser = {
  id: '7b2e5d3f-9e4c-4f70-8b8d-2c3e4f5a6b71',
  userPrincipalName: 'ben@contoso.example',
  mail: 'ben@contoso.example',
  proxyAddresses: ['SMTP:ben@contoso.example'],
  accountEnabled: false,
  hasMailbox: true,
  mobilePhone: null,
};

/** A licensed user without an Exchange Online mailbox. */
export const CARA: DirectoryUser = {
  id: '8c3f6e40-af5d-4081-9c9e-3d4f5a6b7c82',
  userPrincipalName: 'cara@contoso.example',
  mail: null,
  proxyAddresses: [],
  accountEnabled: true,
  hasMailbox: false,
  mobilePhone: null,
  displayName: 'Cara (no mailbox)',
};

export const USERS: readonly DirectoryUser[] = [ANA, BEN, CARA];

export async function makeDataDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'graph-sim-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A simulator over {@link USERS} in a fresh data folder; `close()` stops it and removes the folder. */
export class SimulatorFixture {
  private constructor(
    readonly sim: GraphSimulator,
    readonly dataDir: string,
  ) {}

  static async start(options: Partial<GraphSimulatorOptions> = {}): Promise<SimulatorFixture> {
    const dataDir = options.dataDir ?? (await makeDataDir());
    try {
      const sim = await GraphSimulator.start({ users: USERS, ...options, dataDir });
      return new SimulatorFixture(sim, dataDir);
    } catch (error) {
      if (options.dataDir === undefined) await removeDir(dataDir);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.sim.stop();
    await removeDir(this.dataDir);
  }

  /** A Graph call: `path` is below the service root, JSON in and out. */
  async call(method: string, pathAndQuery: string, body?: unknown, headers: Record<string, string> = {}): Promise<GraphReply> {
    return graphCall(this.sim.url, method, pathAndQuery, body, headers);
  }

  /** Creates a top-level folder and returns its id. */
  async createFolder(user: string, displayName: string): Promise<string> {
    const reply = await this.call('POST', `/users/${encodeURIComponent(user)}/mailFolders`, { displayName });
    if (reply.status !== 201) throw new Error(`creating folder failed: ${reply.status} ${reply.text}`);
    return reply.json.id as string;
  }

  /** Creates a message in a folder and returns the created message. */
  async createMessage(user: string, folderId: string, message: object): Promise<Record<string, unknown>> {
    const reply = await this.call('POST', messagesPath(user, folderId), message);
    if (reply.status !== 201) throw new Error(`creating message failed: ${reply.status} ${reply.text}`);
    return reply.json;
  }
}

export interface GraphReply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or {} when there is none. */
  json: Record<string, unknown>;
}

export async function graphCall(
  serviceRoot: string,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<GraphReply> {
  const init: RequestInit = {
    method,
    headers: { Authorization: `Bearer ${TEST_TOKEN}`, ...headers },
  };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const url = pathAndQuery.startsWith('http') ? pathAndQuery : `${serviceRoot}${pathAndQuery}`;
  return toReply(await fetch(url, init));
}

export async function toReply(response: Response): Promise<GraphReply> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

export function messagesPath(user: string, folderId: string): string {
  return `/users/${encodeURIComponent(user)}/mailFolders/${encodeURIComponent(folderId)}/messages`;
}

/** `?$filter=…` with the whole value percent-encoded, as a careful client writes it. */
export function filterQuery(filter: string, extra: Record<string, string> = {}): string {
  const parts = [`$filter=${encodeURIComponent(filter)}`];
  for (const [key, value] of Object.entries(extra)) parts.push(`${key}=${encodeURIComponent(value)}`);
  return `?${parts.join('&')}`;
}

/** An OData string literal: quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function errorCode(reply: GraphReply): string | undefined {
  const error = reply.json.error as { code?: string } | undefined;
  return error?.code;
}

export function errorMessage(reply: GraphReply): string {
  const error = reply.json.error as { message?: string } | undefined;
  return error?.message ?? '';
}

/** PidTagMessageFlags = read, not unsent: the item is a delivered message, not a draft. */
export const DELIVERED_FLAGS = { id: 'Integer 0x0E07', value: '1' };

export const SOURCE_ID_PROPERTY = 'String {3f1c2b7e-5a4d-4c8b-9e21-7d6a5b4c3e2f} Name SourceItemId';

export function deliveredMessage(subject: string, sourceId: string): Record<string, unknown> {
  return {
    subject,
    body: { contentType: 'text', content: `Body of ${subject}` },
    from: { emailAddress: { address: '+14255550100@sms.example', name: '+1 425 555 0100' } },
    toRecipients: [{ emailAddress: { address: 'ana@contoso.example', name: 'Ana Lopez' } }],
    singleValueExtendedProperties: [
      DELIVERED_FLAGS,
      { id: 'SystemTime 0x0E06', value: '2024-03-01T09:30:00Z' },
      { id: 'SystemTime 0x0039', value: '2024-03-01T09:29:58Z' },
      { id: SOURCE_ID_PROPERTY, value: sourceId },
    ],
  };
}
