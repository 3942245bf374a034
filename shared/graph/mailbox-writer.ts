import { buffer } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import type { Client } from '@microsoft/microsoft-graph-client';
import { RETRY_BUDGETS, type RetryPolicy, type RetrySchedule } from '../platform/resilience';
import { withoutRetries } from './graph-client';
import { graphQuery } from './graph-query';
import { graphErrorCode, graphRetryAfterMs, graphStatus, isTransientGraphError } from './graph-errors';
import { DEFAULT_MAILBOX_CONCURRENCY, mailboxLimiterFor, runWithinLimits, type MailboxLimiter, type MailboxRequestCost } from './mailbox-limiter';
import { UploadSessionError, uploadInChunks } from './upload-session';

/** Graph refuses request bodies over 4 MB. */
export const MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;
/** Inline `contentBytes` is for attachments under 3 MB; larger ones go through an upload session. */
export const INLINE_ATTACHMENT_LIMIT = 3 * 1024 * 1024;
/** Graph's ceiling for an attachment uploaded through an upload session. */
export const UPLOAD_SESSION_LIMIT = 150 * 1024 * 1024;

export interface AttachmentSource {
  /** Unique among the message's attachments: the name tells whether an earlier attempt added it. */
  name: string;
  contentType: string;
  /** Bytes `open()` yields. */
  size: number;
  /** An image the body shows through `cid:` {@link AttachmentSource.contentId}. */
  isInline?: boolean;
  contentId?: string;
  open(): Promise<Readable>;
}

export interface ExistingMessage {
  id: string;
}

export interface ExistingAttachment {
  id: string;
  name: string;
  /** Graph's figure, which for Exchange is a little more than the content's bytes. */
  size: number;
}

/** Files messages in mailboxes. One real implementation: Microsoft Graph. */
export interface MailboxWriter {
  /** The id of the top-level folder with this name, created when missing. */
  ensureFolder(userId: string, displayName: string): Promise<string>;
  /** The folder's message whose source-id extended property holds `sourceItemId`, if any. */
  findBySourceItemId(userId: string, folderId: string, sourceItemId: string): Promise<ExistingMessage | undefined>;
  /** The attachments of a message (names and sizes, never the content). */
  listAttachments(userId: string, messageId: string): Promise<ExistingAttachment[]>;
  /**
   * Creates the message and returns its id. A create whose answer was lost is not repeated
   * blindly: the message is looked up by its source id first, so one call makes one message.
   */
  createMessage(userId: string, folderId: string, message: object): Promise<string>;
  addAttachment(userId: string, messageId: string, attachment: AttachmentSource): Promise<void>;
}

export interface GraphMailboxWriterOptions {
  client: Client;
  /** The named extended property that carries the source item id, e.g. `String {GUID} Name TeleMessageItemId`. */
  sourceItemIdPropertyId: string;
  /**
   * Graph allows 4 concurrent requests per mailbox per application. Used only when the client
   * has no shared limiter yet ({@link mailboxLimiterFor}).
   */
  concurrencyPerMailbox?: number;
  /** The per-mailbox limiter; default the client's shared one, which the directory's mailbox probe also uses. */
  limiter?: MailboxLimiter;
  /** Bytes per upload-session PUT: a multiple of 320 KiB under 4 MB. */
  uploadChunkBytes?: number;
  /**
   * Attempts, back-off and time budget of one operation (a create with its 429s and look-ups, an
   * attachment, an upload range): the import stage's policy by default.
   */
  retry?: RetryPolicy;
}

export class GraphMailboxWriter implements MailboxWriter {
  readonly #client: Client;
  readonly #limiter: MailboxLimiter;
  readonly #folders = new Map<string, Promise<string>>();
  /** `{userId}\n{folderId}` → the key of {@link #folders} it was cached under. */
  readonly #folderKeys = new Map<string, string>();
  readonly #retry: RetryPolicy;

  constructor(private readonly options: GraphMailboxWriterOptions) {
    this.#client = options.client;
    this.#limiter = options.limiter ?? mailboxLimiterFor(options.client, options.concurrencyPerMailbox ?? DEFAULT_MAILBOX_CONCURRENCY);
    this.#retry = options.retry ?? RETRY_BUDGETS.import;
  }

  ensureFolder(userId: string, displayName: string): Promise<string> {
    const key = folderKey(userId, displayName);
    let id = this.#folders.get(key);
    if (!id) {
      id = this.#findOrCreateFolder(userId, displayName);
      this.#folders.set(key, id);
      id.then(
        (folderId) => this.#folderKeys.set(`${userId}\n${folderId}`, key),
        () => this.#folders.delete(key),
      );
    }
    return id;
  }

  async #findOrCreateFolder(userId: string, displayName: string): Promise<string> {
    const existing = await this.#findFolder(userId, displayName);
    if (existing) return existing;
    try {
      const created = (await this.#call(userId, () =>
        this.#client.api(`${userPath(userId)}/mailFolders`).post({ displayName }),
      { uploadBytes: jsonBytes({ displayName }) })) as { id: string };
      return created.id;
    } catch (err) {
      // Another invocation created it first (or our own create took effect and its answer was lost): use it.
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
        .api(`${userPath(userId)}/mailFolders`)
        .filter(graphQuery`displayName eq ${displayName}`)
        .select('id,displayName')
        .get(),
    )) as { value: Array<{ id: string; displayName: string }> };
    return found.value.find((f) => f.displayName.toLowerCase() === displayName.toLowerCase())?.id;
  }

  /** A folder that answers 404 was deleted since it was cached: the next ensureFolder looks again. */
  #forgetFolder(userId: string, folderId: string): void {
    const key = this.#folderKeys.get(`${userId}\n${folderId}`);
    if (key !== undefined) this.#folders.delete(key);
  }

  findBySourceItemId(userId: string, folderId: string, sourceItemId: string): Promise<ExistingMessage | undefined> {
    return this.#findBySourceItemId(userId, folderId, sourceItemId, this.#retry.begin());
  }

  async #findBySourceItemId(userId: string, folderId: string, sourceItemId: string, retries: RetrySchedule): Promise<ExistingMessage | undefined> {
    const propertyId = this.options.sourceItemIdPropertyId;
    try {
      // Graph's $filter compares strings ignoring case: `tm-case` also finds `tm-Case`. The
      // property is expanded and compared exactly before a match is trusted.
      const found = (await this.#call(userId, () =>
        this.#client
          .api(`${userPath(userId)}/mailFolders/${encodeURIComponent(folderId)}/messages`)
          .filter(graphQuery`singleValueExtendedProperties/any(ep: ep/id eq ${propertyId} and ep/value eq ${sourceItemId})`)
          .expand(graphQuery`singleValueExtendedProperties($filter=id eq ${propertyId})`)
          .select('id')
          .top(100)
          .get(),
      undefined, retries)) as { value: Array<{ id: string; singleValueExtendedProperties?: Array<{ id: string; value: string }> }> };
      const message = found.value.find((m) => (m.singleValueExtendedProperties ?? []).some((p) => p.value === sourceItemId));
      return message ? { id: message.id } : undefined;
    } catch (err) {
      if (graphStatus(err) === 404) this.#forgetFolder(userId, folderId);
      throw err;
    }
  }

  async listAttachments(userId: string, messageId: string): Promise<ExistingAttachment[]> {
    const attachments: ExistingAttachment[] = [];
    const path = `${userPath(userId)}/messages/${encodeURIComponent(messageId)}/attachments`;
    type Page = { value: ExistingAttachment[]; '@odata.nextLink'?: string };
    // $select keeps Graph from sending every attachment's content along.
    let page = (await this.#call(userId, () => this.#client.api(path).select('id,name,size').get())) as Page;
    for (;;) {
      attachments.push(...page.value.map((a) => ({ id: a.id, name: a.name, size: a.size })));
      const next = page['@odata.nextLink'];
      if (next === undefined) return attachments;
      page = (await this.#call(userId, () => this.#client.api(next).get())) as typeof page;
    }
  }

  async createMessage(userId: string, folderId: string, message: object): Promise<string> {
    const sourceItemId = sourceItemIdOf(message, this.options.sourceItemIdPropertyId);
    const cost = { uploadBytes: jsonBytes(message) };
    // One schedule for the whole create: its 429s, its lost answers and its look-ups share one budget.
    const retries = this.#retry.begin();
    for (;;) {
      try {
        const created = (await this.#call(userId, () =>
          this.#client
            .api(`${userPath(userId)}/mailFolders/${encodeURIComponent(folderId)}/messages`)
            .middlewareOptions([withoutRetries()])
            .post(message),
        cost, retries)) as { id: string };
        return created.id;
      } catch (err) {
        if (graphStatus(err) === 404) this.#forgetFolder(userId, folderId);
        // Without a source id a lost answer cannot be told from a refusal: nothing is repeated
        // (429s were already waited out and repeated by #call).
        if (sourceItemId === undefined || !isTransientGraphError(err) || !(await retries.backOff(graphRetryAfterMs(err)))) throw err;
        // The failed create may have taken effect before its answer was lost.
        const existing = await this.#findBySourceItemId(userId, folderId, sourceItemId, retries);
        if (existing) return existing.id;
      }
    }
  }

  async addAttachment(userId: string, messageId: string, attachment: AttachmentSource): Promise<void> {
    const base = `${userPath(userId)}/messages/${encodeURIComponent(messageId)}/attachments`;
    if (fitsInline(attachment)) {
      const bytes = await buffer(await attachment.open());
      if (bytes.length !== attachment.size) {
        throw new RangeError(`Attachment "${attachment.name}" has ${bytes.length} bytes where ${attachment.size} were declared`);
      }
      const body = inlineAttachmentBody(attachment, bytes.toString('base64'));
      const retries = this.#retry.begin();
      for (;;) {
        try {
          await this.#call(userId, () => this.#client.api(base).middlewareOptions([withoutRetries()]).post(body), { uploadBytes: jsonBytes(body) }, retries);
          break;
        } catch (err) {
          if (!isTransientGraphError(err) || !(await retries.backOff(graphRetryAfterMs(err)))) throw err;
          // Only a 429 is surely refused; after a 503, 504 or a lost answer the attachment may have
          // been added (names are unique within a message, so the name tells).
          if (graphStatus(err) !== 429 && (await this.#hasAttachmentNamed(userId, messageId, attachment.name))) break;
        }
      }
      return;
    }
    if (attachment.size > UPLOAD_SESSION_LIMIT) {
      throw new RangeError(`Attachment "${attachment.name}" is ${attachment.size} bytes, over Graph's ${UPLOAD_SESSION_LIMIT}-byte upload limit`);
    }
    const sessionBody = {
      AttachmentItem: {
        attachmentType: 'file', name: attachment.name, size: attachment.size, contentType: attachment.contentType, ...inlineFields(attachment),
      },
    };
    const session = (await this.#call(userId, () => this.#client.api(`${base}/createUploadSession`).post(sessionBody), { uploadBytes: jsonBytes(sessionBody) })) as {
      uploadUrl: string;
    };
    const source = await attachment.open();
    try {
      await uploadInChunks({
        uploadUrl: session.uploadUrl,
        size: attachment.size,
        source,
        chunkBytes: this.options.uploadChunkBytes,
        retry: this.#retry,
        // The upload URL counts against the same mailbox's concurrency and upload budget.
        schedule: (task, bodyBytes) => this.#limiter.run(userId, task, { uploadBytes: bodyBytes }),
        onThrottled: (retryAfterMs) => this.#limiter.backOff(userId, Date.now() + (retryAfterMs ?? 1000)),
      });
    } catch (err) {
      if (err instanceof UploadSessionError && err.possiblyComplete && (await this.#hasAttachmentNamed(userId, messageId, attachment.name))) return;
      throw err;
    } finally {
      source.destroy();
    }
  }

  async #hasAttachmentNamed(userId: string, messageId: string, name: string): Promise<boolean> {
    try {
      return (await this.listAttachments(userId, messageId)).some((a) => a.name === name);
    } catch {
      return false;
    }
  }

  /** One mailbox request under the mailbox's limits; its 429s count against `retries` (by default a schedule of its own). */
  #call<T>(userId: string, request: () => Promise<T>, cost?: MailboxRequestCost, retries: RetrySchedule = this.#retry.begin()): Promise<T> {
    return runWithinLimits(this.#limiter, userId, request, cost, retries);
  }
}

function jsonBytes(body: object): number {
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}

function userPath(userId: string): string {
  return `/users/${encodeURIComponent(userId)}`;
}

function folderKey(userId: string, displayName: string): string {
  return `${userId}\n${displayName.toLowerCase()}`;
}

function inlineAttachmentBody(attachment: AttachmentSource, contentBytes: string): Record<string, string | boolean> {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment', name: attachment.name, contentType: attachment.contentType, ...inlineFields(attachment), contentBytes,
  };
}

/** `isInline` and `contentId` of an image the body shows; nothing for an ordinary attachment. */
function inlineFields(attachment: AttachmentSource): { isInline?: true; contentId?: string } {
  if (attachment.isInline !== true) return {};
  return { isInline: true, ...(attachment.contentId === undefined ? {} : { contentId: attachment.contentId }) };
}

/** Under 3 MB, and small enough that the base64 request stays within Graph's 4 MB body limit. */
function fitsInline(attachment: AttachmentSource): boolean {
  if (attachment.size >= INLINE_ATTACHMENT_LIMIT) return false;
  const envelope = Buffer.byteLength(JSON.stringify(inlineAttachmentBody(attachment, '')), 'utf8');
  return envelope + 4 * Math.ceil(attachment.size / 3) <= MAX_REQUEST_BODY_BYTES;
}

function sourceItemIdOf(message: object, propertyId: string): string | undefined {
  const properties = (message as { singleValueExtendedProperties?: unknown }).singleValueExtendedProperties;
  if (!Array.isArray(properties)) return undefined;
  for (const property of properties as unknown[]) {
    if (typeof property !== 'object' || property === null) continue;
    const { id, value } = property as { id?: unknown; value?: unknown };
    if (typeof id === 'string' && id.toLowerCase() === propertyId.toLowerCase() && typeof value === 'string') return value;
  }
  return undefined;
}
