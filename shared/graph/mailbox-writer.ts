import type { Readable } from 'node:stream';
import type { Client } from '@microsoft/microsoft-graph-client';
import { KeyedLimiter } from '../concurrency/keyed-limiter';
import { graphErrorCode, graphStatus } from './graph-errors';
import { uploadInChunks } from './upload-session';

/** Inline `contentBytes` keeps an attachment's request under Graph's 4 MB body limit. */
export const INLINE_ATTACHMENT_LIMIT = 3 * 1024 * 1024;
/** Graph's ceiling for an attachment uploaded through an upload session. */
export const UPLOAD_SESSION_LIMIT = 150 * 1024 * 1024;

export interface AttachmentSource {
  name: string;
  contentType: string;
  size: number;
  open(): Promise<Readable>;
}

export interface ExistingMessage {
  id: string;
  attachments: Array<{ name: string; size: number }>;
}

/** Files messages in mailboxes. One real implementation: Microsoft Graph. */
export interface MailboxWriter {
  /** The id of the top-level folder with this name, created when missing. */
  ensureFolder(userId: string, displayName: string): Promise<string>;
  findBySourceItemId(userId: string, folderId: string, sourceItemId: string): Promise<ExistingMessage | undefined>;
  createMessage(userId: string, folderId: string, message: object): Promise<string>;
  addAttachment(userId: string, messageId: string, attachment: AttachmentSource): Promise<void>;
  deleteMessage(userId: string, messageId: string): Promise<void>;
}

export interface GraphMailboxWriterOptions {
  client: Client;
  /** The named extended property that carries the source item id, e.g. `String {GUID} Name TeleMessageItemId`. */
  sourceItemIdPropertyId: string;
  /** Graph allows 4 concurrent requests per mailbox per application. */
  concurrencyPerMailbox?: number;
  /** Bytes per upload-session PUT: a multiple of 320 KiB under 4 MB. */
  uploadChunkBytes?: number;
}

export class GraphMailboxWriter implements MailboxWriter {
  readonly #client: Client;
  readonly #limiter: KeyedLimiter;
  readonly #folders = new Map<string, Promise<string>>();

  constructor(private readonly options: GraphMailboxWriterOptions) {
    this.#client = options.client;
    this.#limiter = new KeyedLimiter(options.concurrencyPerMailbox ?? 4);
  }

  ensureFolder(userId: string, displayName: string): Promise<string> {
    const key = `${userId}\n${displayName.toLowerCase()}`;
    let id = this.#folders.get(key);
    if (!id) {
      id = this.#findOrCreateFolder(userId, displayName);
      this.#folders.set(key, id);
      id.catch(() => this.#folders.delete(key));
    }
    return id;
  }

  async #findOrCreateFolder(userId: string, displayName: string): Promise<string> {
    const existing = await this.#findFolder(userId, displayName);
    if (existing) return existing;
    try {
      const created = (await this.#call(userId, () =>
        this.#client.api(`/users/${encodeURIComponent(userId)}/mailFolders`).post({ displayName }),
      )) as { id: string };
      return created.id;
    } catch (err) {
      // Another invocation created it first: use theirs.
      if (graphStatus(err) === 409 || graphErrorCode(err) === 'ErrorFolderExists') {
        const raced = await this.#findFolder(userId, displayName);
        if (raced) return raced;
      }
      throw err;
    }
  }

  async #findFolder(userId: string, displayName: string): Promise<string | undefined> {
    const found = (await this.#call(userId, () =>
      this.#client
        .api(`/users/${encodeURIComponent(userId)}/mailFolders`)
        .filter(`displayName eq ${odataLiteral(displayName)}`)
        .select('id,displayName')
        .get(),
    )) as { value: Array<{ id: string; displayName: string }> };
    return found.value.find((f) => f.displayName.toLowerCase() === displayName.toLowerCase())?.id;
  }

  async findBySourceItemId(userId: string, folderId: string, sourceItemId: string): Promise<ExistingMessage | undefined> {
    const propertyId = this.options.sourceItemIdPropertyId;
    const found = (await this.#call(userId, () =>
      this.#client
        .api(`/users/${encodeURIComponent(userId)}/mailFolders/${encodeURIComponent(folderId)}/messages`)
        .filter(`singleValueExtendedProperties/any(ep: ep/id eq ${odataLiteral(propertyId)} and ep/value eq ${odataLiteral(sourceItemId)})`)
        .select('id')
        .get(),
    )) as { value: Array<{ id: string }> };
    const message = found.value[0];
    if (!message) return undefined;
    const attachments = (await this.#call(userId, () =>
      this.#client
        .api(`/users/${encodeURIComponent(userId)}/messages/${encodeURIComponent(message.id)}/attachments`)
        .select('name,size')
        .get(),
    )) as { value: Array<{ name: string; size: number }> };
    return { id: message.id, attachments: attachments.value.map((a) => ({ name: a.name, size: a.size })) };
  }

  async createMessage(userId: string, folderId: string, message: object): Promise<string> {
    const created = (await this.#call(userId, () =>
      this.#client.api(`/users/${encodeURIComponent(userId)}/mailFolders/${encodeURIComponent(folderId)}/messages`).post(message),
    )) as { id: string };
    return created.id;
  }

  async addAttachment(userId: string, messageId: string, attachment: AttachmentSource): Promise<void> {
    const base = `/users/${encodeURIComponent(userId)}/messages/${encodeURIComponent(messageId)}/attachments`;
    if (attachment.size < INLINE_ATTACHMENT_LIMIT) {
      const bytes = await readAll(await attachment.open());
      await this.#call(userId, () =>
        this.#client.api(base).post({
          '@odata.type': '#microsoft.graph.fileAttachment',
          name: attachment.name,
          contentType: attachment.contentType,
          contentBytes: bytes.toString('base64'),
        }),
      );
      return;
    }
    if (attachment.size > UPLOAD_SESSION_LIMIT) {
      throw new RangeError(`Attachment "${attachment.name}" is ${attachment.size} bytes, over Graph's ${UPLOAD_SESSION_LIMIT}-byte upload limit`);
    }
    const session = (await this.#call(userId, () =>
      this.#client.api(`${base}/createUploadSession`).post({
        AttachmentItem: { attachmentType: 'file', name: attachment.name, size: attachment.size, contentType: attachment.contentType },
      }),
    )) as { uploadUrl: string };
    await uploadInChunks({
      uploadUrl: session.uploadUrl,
      size: attachment.size,
      source: await attachment.open(),
      chunkBytes: this.options.uploadChunkBytes,
      // The upload URL counts against the same mailbox's concurrency.
      schedule: (task) => this.#limiter.run(userId, task),
    });
  }

  async deleteMessage(userId: string, messageId: string): Promise<void> {
    await this.#call(userId, () => this.#client.api(`/users/${encodeURIComponent(userId)}/messages/${encodeURIComponent(messageId)}`).delete());
  }

  #call<T>(userId: string, request: () => Promise<T>): Promise<T> {
    return this.#limiter.run(userId, request);
  }
}

/** An OData string literal: a `'` inside is written `''`. */
export function odataLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
