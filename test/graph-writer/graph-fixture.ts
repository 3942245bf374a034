import { RETRY_BUDGETS } from '../../shared/platform/resilience';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { DirectoryUser } from '../../dev/scenario/directory-users';
import {
  GraphSimulator,
  type ExportedFolder,
  type ExportedMessage,
  type GraphLimits,
  type LatencyOptions,
  type RequestLogEntry,
} from '../../dev/simulators/graph';
import { sourceItemIdPropertyId } from '../../shared/conversion';
import { createGraphClient } from '../../shared/graph/graph-client';
import { StaticTokenCredential } from '../../shared/graph/graph-credential';
import { GraphMailboxWriter, type AttachmentSource, type GraphMailboxWriterOptions } from '../../shared/graph/mailbox-writer';

/** Recognisable, so that a leak into a file or a message would be found. */
export const GRAPH_TEST_TOKEN = 'graph-writer-test-token-3b7f0d2a-never-logged';

/** An employee whose email address is her mailbox. */
export const ANA: DirectoryUser = {
  id: '0b4c6a1e-2f3d-4e5a-8b7c-9d0e1f2a3b4c',
  userPrincipalName: 'ana.diaz@contoso.com',
  mail: 'ana.diaz@contoso.com',
  proxyAddresses: ['SMTP:ana.diaz@contoso.com', 'smtp:ana+sms@contoso.com'],
  accountEnabled: true,
  hasMailbox: true,
  mobilePhone: '+1 202 555 0143',
  displayName: 'Ana Diaz',
};

/** An employee reached through the mapping file by his mobile number. */
export const BEN: DirectoryUser = {
  id: '1c5d7b2f-3a4e-4f6b-9c8d-0e1f2a3b4c5d',
  userPrincipalName: 'ben.ng@contoso.com',
  mail: 'ben.ng@contoso.com',
  proxyAddresses: ['SMTP:ben.ng@contoso.com'],
  accountEnabled: true,
  hasMailbox: true,
  mobilePhone: '+1 310 555 0199',
  displayName: 'Ben Ng',
};

/** A disabled account. */
export const CARA: DirectoryUser = {
  id: '2d6e8c3a-4b5f-4a7c-8d9e-1f2a3b4c5d6e',
  userPrincipalName: 'cara.lee@contoso.com',
  mail: 'cara.lee@contoso.com',
  proxyAddresses: ['SMTP:cara.lee@contoso.com'],
  accountEnabled: false,
  hasMailbox: true,
  mobilePhone: null,
};

/** A user without an Exchange Online mailbox. */
export const DAN: DirectoryUser = {
  id: '3e7f9d4b-5c6a-4b8d-9eaf-2a3b4c5d6e7f',
  userPrincipalName: 'dan.ito@contoso.com',
  mail: 'dan.ito@contoso.com',
  proxyAddresses: ['SMTP:dan.ito@contoso.com'],
  accountEnabled: true,
  hasMailbox: false,
  mobilePhone: null,
};

export const USERS: readonly DirectoryUser[] = [ANA, BEN, CARA, DAN];

/** The Graph simulator in a fresh data folder, and an SDK client for it as the app builds one. */
export class GraphFixture {
  private constructor(
    readonly sim: GraphSimulator,
    readonly dataDir: string,
    readonly client: Client,
  ) {}

  static async start(options: { limits?: GraphLimits; users?: readonly DirectoryUser[]; latency?: LatencyOptions } = {}): Promise<GraphFixture> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'graph-writer-'));
    const sim = await GraphSimulator.start({
      users: options.users ?? USERS, dataDir, ...(options.limits ? { limits: options.limits } : {}), ...(options.latency ? { latency: options.latency } : {}),
    });
    return new GraphFixture(sim, dataDir, GraphFixture.client(sim));
  }

  /** A second client, as another process of the app would have (its own limiter). */
  static client(sim: { url: string }): Client {
    return createGraphClient({ endpoint: sim.url, credential: new StaticTokenCredential(GRAPH_TEST_TOKEN) });
  }

  writer(options: Partial<GraphMailboxWriterOptions> = {}): GraphMailboxWriter {
    return new GraphMailboxWriter({ client: this.client, sourceItemIdPropertyId: sourceItemIdPropertyId(), retry: RETRY_BUDGETS.import.with({ baseDelayMs: 10 }), ...options });
  }

  async close(): Promise<void> {
    await this.sim.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Every request the simulator answered so far, in order. */
  async requests(): Promise<RequestLogEntry[]> {
    await this.sim.flush();
    let text: string;
    try {
      text = await readFile(this.sim.requestLogFile, 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as RequestLogEntry);
  }

  /** The file as written on disk: the token must never be in it. */
  async requestLogText(): Promise<string> {
    await this.sim.flush();
    return readFile(this.sim.requestLogFile, 'utf8');
  }

  folders(user: DirectoryUser): ExportedFolder[] {
    return this.sim.mailbox(user.userPrincipalName)?.folders ?? [];
  }

  folder(user: DirectoryUser, displayName: string): ExportedFolder | undefined {
    return this.folders(user).find((f) => f.displayName === displayName);
  }

  messages(user: DirectoryUser, folderName: string): ExportedMessage[] {
    return this.folder(user, folderName)?.messages ?? [];
  }

  /** Every message of the mailbox, whatever its folder. */
  allMessages(user: DirectoryUser): ExportedMessage[] {
    return this.folders(user).flatMap((f) => f.messages);
  }
}

/** A minimal message create body that Graph accepts, carrying the source id property. */
export function deliveredMessage(sourceItemId: string, subject = `Item ${sourceItemId}`): Record<string, unknown> {
  return {
    subject,
    body: { contentType: 'html', content: `<p>${subject}</p>` },
    from: { emailAddress: { address: '+13105550100@sms.invalid', name: '+1 310 555 0100' } },
    toRecipients: [{ emailAddress: { address: 'ana.diaz@contoso.com', name: 'Ana Diaz' } }],
    singleValueExtendedProperties: [
      { id: 'Integer 0x0E07', value: '1' },
      { id: 'SystemTime 0x0E06', value: '2026-11-20T14:02:55.000Z' },
      { id: 'SystemTime 0x0039', value: '2026-11-20T14:02:55.000Z' },
      { id: sourceItemIdPropertyId(), value: sourceItemId },
    ],
  };
}

/** Deterministic bytes (no randomness needed, and no two sizes share a prefix pattern by accident). */
export function bytesOf(size: number, seed = 7): Buffer {
  const bytes = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** An attachment served from memory in 1 MiB pieces, as a blob download would stream it. */
export function memoryAttachment(name: string, bytes: Buffer, contentType = 'application/octet-stream'): AttachmentSource & { opened: number } {
  const source = {
    name,
    contentType,
    size: bytes.length,
    opened: 0,
    async open(): Promise<Readable> {
      source.opened += 1;
      const pieces: Buffer[] = [];
      for (let offset = 0; offset < bytes.length; offset += 1024 * 1024) pieces.push(bytes.subarray(offset, offset + 1024 * 1024));
      return Readable.from(pieces);
    },
  };
  return source;
}

/** Requests whose path contains `part`, with the given method. */
export function matching(entries: readonly RequestLogEntry[], method: string, part: string | RegExp): RequestLogEntry[] {
  return entries.filter((e) => e.method === method && (typeof part === 'string' ? decodeURIComponent(e.path).includes(part) : part.test(decodeURIComponent(e.path))));
}
