import type { DirectoryUser } from '../../scenario/directory-users';
import { GraphError, badRequest, notFound, payloadTooLarge } from './graph-error';
import { graphInstant, newItemId } from './graph-ids';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value';
import type { AttachmentRecord, FolderRecord, Mailbox, MailboxStore, MessageRecord } from './mailbox-store';
import type { MailSchema } from './mail-schema';
import { attachmentView, createMessageRecord, filterSubject, messageView, touchMessage } from './message-representation';
import { matchesFilter } from './odata-filter';
import {
  checkQueryOptions,
  parseExpand,
  parseQueryFilter,
  parseSelect,
  parseSkip,
  parseTop,
} from './odata-query';
import {
  parseFileAttachment,
  parseFolderCreate,
  parseMessageCreate,
  parseUploadSessionRequest,
  type FileAttachmentInput,
} from './request-bodies';
import type { UploadSession, UploadSessions } from './upload-sessions';
import { UserDirectory } from './user-directory';

const MiB = 1024 * 1024;
/** Inline `contentBytes` must stay under this; bigger files go through an upload session. */
export const MAX_INLINE_ATTACHMENT_BYTES = 3 * MiB;
export const MIN_UPLOAD_SESSION_BYTES = 3 * MiB;
export const MAX_UPLOAD_SESSION_BYTES = 150 * MiB;

/** A Graph request after the HTTP layer: path below `/v1.0` (still percent-encoded), parsed JSON body. */
export interface GraphRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: JsonValue | undefined;
}

export interface GraphResponse {
  status: number;
  headers?: Record<string, string>;
  body?: JsonObject;
}

export interface GraphRoutesOptions {
  schema: MailSchema;
  directory: UserDirectory;
  store: MailboxStore;
  uploads: UploadSessions;
  /** `http://host:port/v1.0`, for `@odata.context` and `@odata.nextLink`. */
  serviceRoot: string;
  /** `http://host:port`, for upload URLs. */
  origin: string;
  now: () => number;
}

/** The Graph endpoints mailbox import uses, over the scenario's directory and the simulated mailboxes. */
export class GraphRoutes {
  readonly #o: GraphRoutesOptions;
  readonly #messageProperties: ReadonlySet<string>;
  readonly #messageFilterProperties: ReadonlySet<string>;
  readonly #messageExpandable: ReadonlyMap<string, ReadonlySet<string>>;
  readonly #folderProperties: ReadonlySet<string>;
  readonly #userProperties: ReadonlySet<string>;

  constructor(options: GraphRoutesOptions) {
    this.#o = options;
    const schema = options.schema;
    this.#messageProperties = new Set(schema.entityProperties('message').keys());
    this.#messageFilterProperties = new Set([
      ...this.#messageProperties,
      'singleValueExtendedProperties',
      'multiValueExtendedProperties',
    ]);
    const extended = new Set(['id', 'value']);
    this.#messageExpandable = new Map([
      ['singleValueExtendedProperties', extended],
      ['multiValueExtendedProperties', extended],
      ['attachments', new Set(schema.entityProperties('fileAttachment').keys())],
    ]);
    this.#folderProperties = new Set(schema.entityProperties('mailFolder').keys());
    this.#userProperties = new Set(schema.entityProperties('user').keys());
  }

  /** The user whose mailbox a path addresses; requests on mailbox resources count against its limits. */
  mailboxOwner(path: string): DirectoryUser | undefined {
    let segments: string[];
    try {
      segments = splitPath(path);
    } catch {
      return undefined;
    }
    if (segments[0] !== 'users' || segments.length < 3) return undefined;
    if (!['mailFolders', 'messages', 'mailboxSettings'].includes(segments[2])) return undefined;
    return this.#o.directory.find(segments[1]);
  }

  async handle(request: GraphRequest): Promise<GraphResponse> {
    const segments = splitPath(request.path);
    if (segments[0] === 'me') {
      throw badRequest('/me request is only valid with delegated authentication flow; the simulator serves applications.');
    }
    if (segments[0] !== 'users') throw badRequest(`Resource not found for the segment '${segments[0] ?? ''}'.`);
    if (segments.length === 1) return this.#only(request, 'GET', () => this.#listUsers(request));
    const userKey = segments[1];
    if (segments.length === 2) return this.#only(request, 'GET', () => this.#getUser(request, userKey));

    const user = this.#o.directory.find(userKey);
    if (user === undefined) throw notFound(`The requested user '${userKey}' is invalid.`, 'ErrorInvalidUser');
    if (!user.hasMailbox) {
      throw notFound('The mailbox is either inactive, soft-deleted, or is hosted on-premise.', 'MailboxNotEnabledForRESTAPI');
    }
    const mailbox = this.#o.store.get(user);
    const rest = segments.slice(2);
    const at = (...pattern: (string | null)[]): boolean =>
      rest.length === pattern.length && pattern.every((p, i) => p === null || p === rest[i]);

    if (at('mailboxSettings')) return this.#only(request, 'GET', () => this.#mailboxSettings(request, mailbox));
    if (at('mailFolders')) {
      return this.#methods(request, {
        GET: () => this.#listFolders(request, mailbox),
        POST: () => this.#createFolder(request, mailbox),
      });
    }
    if (at('mailFolders', null)) return this.#only(request, 'GET', () => this.#getFolder(request, mailbox, rest[1]));
    if (at('mailFolders', null, 'messages')) {
      return this.#methods(request, {
        GET: () => this.#listMessages(request, this.#folder(mailbox, rest[1]).messages),
        POST: () => this.#createMessage(request, mailbox, this.#folder(mailbox, rest[1])),
      });
    }
    if (at('mailFolders', null, 'messages', null)) {
      return this.#only(request, 'GET', () => this.#getMessage(request, mailbox, rest[3], this.#folder(mailbox, rest[1])));
    }
    if (at('messages')) {
      return this.#only(request, 'GET', () => this.#listMessages(request, mailbox.folders.flatMap((f) => f.messages)));
    }
    if (at('messages', null)) return this.#only(request, 'GET', () => this.#getMessage(request, mailbox, rest[1]));
    if (at('messages', null, 'attachments')) {
      return this.#methods(request, {
        GET: () => this.#listAttachments(request, this.#message(mailbox, rest[1])),
        POST: () => this.#addAttachment(request, mailbox, this.#message(mailbox, rest[1])),
      });
    }
    if (at('messages', null, 'attachments', 'createUploadSession')) {
      return this.#only(request, 'POST', () => this.#createUploadSession(request, user, this.#message(mailbox, rest[1])));
    }
    if (at('messages', null, 'attachments', null)) {
      return this.#only(request, 'GET', () => this.#getAttachment(request, this.#message(mailbox, rest[1]), rest[3]));
    }
    throw badRequest(`Resource not found for the segment '${rest[rest.length - 1]}'.`);
  }

  /** Adds the file of a finished upload session to its message. */
  async attachUploadedFile(session: UploadSession, partFile: string, sha256: string): Promise<AttachmentRecord> {
    const user = this.#o.directory.find(session.userId);
    const mailbox = user === undefined ? undefined : this.#o.store.get(user);
    const found = mailbox?.findMessage(session.messageId);
    if (mailbox === undefined || found === undefined) {
      throw notFound('The message of this upload session no longer exists.');
    }
    await mailbox.adoptAttachmentFile(partFile, sha256);
    return this.#attach(mailbox, found.message, {
      name: session.name,
      contentType: session.contentType,
      isInline: session.isInline,
      contentId: session.contentId,
      contentLocation: null,
      size: session.size,
      sha256,
    });
  }

  // ---- users ----------------------------------------------------------------------------------

  #getUser(request: GraphRequest, key: string): GraphResponse {
    checkQueryOptions(request.query, ['$select'], 'a user');
    const select = parseSelect(request.query, this.#userProperties, 'microsoft.graph.user');
    const user = this.#o.directory.find(key);
    if (user === undefined) {
      throw notFound(
        `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
        'Request_ResourceNotFound',
      );
    }
    const context = `${this.#o.serviceRoot}/$metadata#users${select ? `(${select.join(',')})` : ''}/$entity`;
    return ok({ '@odata.context': context, ...UserDirectory.toGraph(user, select) });
  }

  #listUsers(request: GraphRequest): GraphResponse {
    checkQueryOptions(request.query, ['$filter', '$select', '$top', '$skiptoken'], 'users');
    const select = parseSelect(request.query, this.#userProperties, 'microsoft.graph.user');
    const filter = parseQueryFilter(request.query, this.#userProperties, 'microsoft.graph.user');
    const matching = this.#o.directory.users.filter(
      (user) => filter === undefined || matchesFilter(filter, UserDirectory.fullView(user)),
    );
    return this.#page(request, matching, 100, 999, '$skiptoken', (user) => UserDirectory.toGraph(user, select), 'users');
  }

  #mailboxSettings(request: GraphRequest, mailbox: Mailbox): GraphResponse {
    checkQueryOptions(request.query, [], 'mailboxSettings');
    return ok({
      '@odata.context': `${this.#o.serviceRoot}/$metadata#users('${mailbox.user.id}')/mailboxSettings`,
      archiveFolder: mailbox.findFolder('archive')?.id ?? null,
      timeZone: 'UTC',
      language: { locale: 'en-US', displayName: 'English (United States)' },
      dateFormat: 'M/d/yyyy',
      timeFormat: 'h:mm tt',
      userPurpose: 'user',
      delegateMeetingMessageDeliveryOptions: 'sendToDelegateOutlookAndDelegates',
      automaticRepliesSetting: { status: 'disabled', externalAudience: 'all', internalReplyMessage: '', externalReplyMessage: '' },
    });
  }

  // ---- folders --------------------------------------------------------------------------------

  #listFolders(request: GraphRequest, mailbox: Mailbox): GraphResponse {
    checkQueryOptions(request.query, ['$filter', '$select', '$top', '$skip'], 'mailFolders');
    const select = parseSelect(request.query, this.#folderProperties, 'microsoft.graph.mailFolder');
    const filter = parseQueryFilter(request.query, this.#folderProperties, 'microsoft.graph.mailFolder');
    const matching = mailbox.folders.filter((f) => filter === undefined || matchesFilter(filter, folderView(f)));
    return this.#page(request, matching, 10, 999, '$skip', (f) => folderView(f, select), `users('${mailbox.user.id}')/mailFolders`);
  }

  #getFolder(request: GraphRequest, mailbox: Mailbox, folderId: string): GraphResponse {
    checkQueryOptions(request.query, ['$select'], 'a mailFolder');
    const select = parseSelect(request.query, this.#folderProperties, 'microsoft.graph.mailFolder');
    const folder = this.#folder(mailbox, folderId);
    return ok({
      '@odata.context': `${this.#o.serviceRoot}/$metadata#users('${mailbox.user.id}')/mailFolders/$entity`,
      ...folderView(folder, select),
    });
  }

  async #createFolder(request: GraphRequest, mailbox: Mailbox): Promise<GraphResponse> {
    checkQueryOptions(request.query, [], 'mailFolders');
    const input = parseFolderCreate(this.#o.schema, requireBody(request));
    if (mailbox.findFolderByName(input.displayName) !== undefined) {
      throw new GraphError(
        409,
        'ErrorFolderExists',
        `A folder with the specified name already exists., Could not create folder '${input.displayName}'.`,
      );
    }
    const folder = mailbox.addFolder(input.displayName, input.isHidden);
    mailbox.changed();
    return created({
      '@odata.context': `${this.#o.serviceRoot}/$metadata#users('${mailbox.user.id}')/mailFolders/$entity`,
      ...folderView(folder),
    });
  }

  // ---- messages -------------------------------------------------------------------------------

  #listMessages(request: GraphRequest, messages: readonly MessageRecord[]): GraphResponse {
    checkQueryOptions(request.query, ['$filter', '$select', '$top', '$skip', '$expand'], 'messages');
    const select = parseSelect(request.query, this.#messageProperties, 'microsoft.graph.message');
    const expand = parseExpand(request.query, this.#messageExpandable, 'microsoft.graph.message');
    const filter = parseQueryFilter(request.query, this.#messageFilterProperties, 'microsoft.graph.message');
    // Outlook lists newest first; items received in the same second keep their reverse creation order.
    const ordered = messages
      .map((message, index) => ({ message, index }))
      .sort(
        (a, b) =>
          String(b.message.properties.receivedDateTime).localeCompare(String(a.message.properties.receivedDateTime)) ||
          b.index - a.index,
      )
      .map((entry) => entry.message)
      .filter((m) => filter === undefined || matchesFilter(filter, filterSubject(m)));
    return this.#page(request, ordered, 10, 1000, '$skip', (m) => messageView(m, { select, expand }), 'messages');
  }

  #getMessage(request: GraphRequest, mailbox: Mailbox, messageId: string, folder?: FolderRecord): GraphResponse {
    checkQueryOptions(request.query, ['$select', '$expand'], 'a message');
    const select = parseSelect(request.query, this.#messageProperties, 'microsoft.graph.message');
    const expand = parseExpand(request.query, this.#messageExpandable, 'microsoft.graph.message');
    const message = this.#message(mailbox, messageId, folder);
    return ok({
      '@odata.context': `${this.#o.serviceRoot}/$metadata#users('${mailbox.user.id}')/messages/$entity`,
      ...messageView(message, { select, expand }),
    });
  }

  async #createMessage(request: GraphRequest, mailbox: Mailbox, folder: FolderRecord): Promise<GraphResponse> {
    checkQueryOptions(request.query, [], 'messages');
    const input = parseMessageCreate(this.#o.schema, requireBody(request));
    input.attachments.forEach((a, i) => checkInlineSize(a, `attachments[${i}]`));
    const now = new Date(this.#o.now());
    const message = createMessageRecord(input, folder, now);
    for (const attachment of input.attachments) {
      message.attachments.push(await this.#attachmentRecord(mailbox, attachment, now));
    }
    mailbox.addMessage(folder, message);
    mailbox.changed();
    return created({
      '@odata.context': `${this.#o.serviceRoot}/$metadata#users('${mailbox.user.id}')/mailFolders('${folder.id}')/messages/$entity`,
      ...messageView(message),
    });
  }

  // ---- attachments ----------------------------------------------------------------------------

  #listAttachments(request: GraphRequest, message: MessageRecord): GraphResponse {
    checkQueryOptions(request.query, ['$select'], 'attachments');
    const select = parseSelect(request.query, this.#messageExpandable.get('attachments')!, 'microsoft.graph.attachment');
    return ok({
      '@odata.context': `${this.#o.serviceRoot}/$metadata#attachments`,
      value: message.attachments.map((a) => selectProperties(attachmentView(a), select)),
    });
  }

  #getAttachment(request: GraphRequest, message: MessageRecord, attachmentId: string): GraphResponse {
    checkQueryOptions(request.query, [], 'an attachment');
    const attachment = message.attachments.find((a) => a.id === attachmentId);
    if (attachment === undefined) throw notFound('The specified object was not found in the store.');
    return ok({ '@odata.context': `${this.#o.serviceRoot}/$metadata#attachments/$entity`, ...attachmentView(attachment) });
  }

  async #addAttachment(request: GraphRequest, mailbox: Mailbox, message: MessageRecord): Promise<GraphResponse> {
    checkQueryOptions(request.query, [], 'attachments');
    const input = parseFileAttachment(this.#o.schema, requireBody(request));
    checkInlineSize(input, 'attachment');
    const now = new Date(this.#o.now());
    const attachment = await this.#attachmentRecord(mailbox, input, now);
    message.attachments.push(attachment);
    touchMessage(message, now);
    mailbox.changed();
    return created({
      '@odata.context': `${this.#o.serviceRoot}/$metadata#attachments/$entity`,
      ...attachmentView(attachment),
      contentBytes: input.bytes.toString('base64'),
    });
  }

  async #createUploadSession(request: GraphRequest, user: DirectoryUser, message: MessageRecord): Promise<GraphResponse> {
    checkQueryOptions(request.query, [], 'createUploadSession');
    const input = parseUploadSessionRequest(this.#o.schema, requireBody(request));
    if (input.size < MIN_UPLOAD_SESSION_BYTES) {
      throw new GraphError(
        400,
        'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
        `Attachment size should not be less than 3 MB (AttachmentItem.size is ${input.size}); POST it to attachments instead.`,
      );
    }
    if (input.size > MAX_UPLOAD_SESSION_BYTES) {
      throw new GraphError(
        400,
        'ErrorMessageSizeExceeded',
        `The attachment of ${input.size} bytes is over the 150 MB limit of an upload session.`,
      );
    }
    const messageId = String(message.properties.id);
    const session = await this.#o.uploads.create({ ...input, userId: user.id, messageId });
    return created({
      '@odata.context': `${this.#o.serviceRoot}/$metadata#microsoft.graph.uploadSession`,
      uploadUrl: uploadUrl(this.#o.origin, session),
      expirationDateTime: graphInstant(new Date(session.expiresAt)),
      nextExpectedRanges: ['0-'],
    });
  }

  async #attachmentRecord(mailbox: Mailbox, input: FileAttachmentInput, now: Date): Promise<AttachmentRecord> {
    const sha256 = await mailbox.storeAttachmentBytes(input.bytes);
    return newAttachmentRecord({ ...input, size: input.bytes.length, sha256 }, now);
  }

  async #attach(
    mailbox: Mailbox,
    message: MessageRecord,
    fields: Omit<AttachmentRecord, '@odata.type' | 'id' | 'lastModifiedDateTime'>,
  ): Promise<AttachmentRecord> {
    const now = new Date(this.#o.now());
    const attachment = newAttachmentRecord(fields, now);
    message.attachments.push(attachment);
    touchMessage(message, now);
    mailbox.changed();
    return attachment;
  }

  // ---- helpers --------------------------------------------------------------------------------

  #folder(mailbox: Mailbox, folderId: string): FolderRecord {
    const folder = mailbox.findFolder(folderId);
    if (folder === undefined) throw notFound('The specified folder could not be found in the store.');
    return folder;
  }

  #message(mailbox: Mailbox, messageId: string, folder?: FolderRecord): MessageRecord {
    const found = mailbox.findMessage(messageId);
    if (found === undefined || (folder !== undefined && found.folder !== folder)) {
      throw notFound('The specified object was not found in the store.');
    }
    return found.message;
  }

  async #only(request: GraphRequest, method: string, run: () => GraphResponse | Promise<GraphResponse>): Promise<GraphResponse> {
    return this.#methods(request, { [method]: run });
  }

  async #methods(
    request: GraphRequest,
    handlers: Record<string, () => GraphResponse | Promise<GraphResponse>>,
  ): Promise<GraphResponse> {
    const handler = handlers[request.method];
    if (handler === undefined) {
      throw new GraphError(405, 'BadRequest', `${request.method} is not supported on this resource (allowed: ${Object.keys(handlers).join(', ')}).`);
    }
    return handler();
  }

  /** One page of a collection, with `@odata.nextLink` carrying the offset of the next one. */
  #page<T>(
    request: GraphRequest,
    items: readonly T[],
    defaultTop: number,
    maxTop: number,
    skipParameter: '$skip' | '$skiptoken',
    view: (item: T) => JsonObject,
    contextPath: string,
  ): GraphResponse {
    const top = parseTop(request.query, defaultTop, maxTop);
    const skip = parseSkip(request.query);
    const body: JsonObject = {
      '@odata.context': `${this.#o.serviceRoot}/$metadata#${contextPath}`,
      value: items.slice(skip, skip + top).map(view),
    };
    if (skip + top < items.length) {
      const parameters: string[] = [];
      for (const [key, value] of request.query) {
        if (key.toLowerCase() !== '$skip' && key.toLowerCase() !== '$skiptoken') parameters.push(`${key}=${encodeURIComponent(value)}`);
      }
      parameters.push(`${skipParameter}=${skip + top}`);
      body['@odata.nextLink'] = `${this.#o.serviceRoot}${request.path}?${parameters.join('&')}`;
    }
    return ok(body);
  }
}

/** The upload URL, shaped like Outlook's (`…/AttachmentSessions('id')?authtoken=…`), on the simulator. */
export function uploadUrl(origin: string, session: UploadSession): string {
  return (
    `${origin}/api/v2.0/Users('${encodeURIComponent(session.userId)}')/Messages('${encodeURIComponent(session.messageId)}')` +
    `/AttachmentSessions('${session.id}')?authtoken=${session.token}`
  );
}

/** Where the final upload response points: the new attachment, in Outlook's URL form. */
export function attachmentLocation(origin: string, session: UploadSession, attachmentId: string): string {
  return (
    `${origin}/api/v2.0/Users('${encodeURIComponent(session.userId)}')/Messages('${encodeURIComponent(session.messageId)}')` +
    `/Attachments('${encodeURIComponent(attachmentId)}')`
  );
}

function newAttachmentRecord(
  fields: Omit<AttachmentRecord, '@odata.type' | 'id' | 'lastModifiedDateTime'>,
  now: Date,
): AttachmentRecord {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    id: newItemId(),
    lastModifiedDateTime: graphInstant(now),
    name: fields.name,
    contentType: fields.contentType,
    size: fields.size,
    isInline: fields.isInline,
    contentId: fields.contentId,
    contentLocation: fields.contentLocation,
    sha256: fields.sha256,
  };
}

function folderView(folder: FolderRecord, select?: readonly string[]): JsonObject {
  const full: JsonObject = {
    id: folder.id,
    displayName: folder.displayName,
    parentFolderId: folder.parentFolderId,
    childFolderCount: 0,
    unreadItemCount: folder.messages.filter((m) => m.properties.isRead === false).length,
    totalItemCount: folder.messages.length,
    isHidden: folder.isHidden,
  };
  if (select === undefined) return full;
  const view: JsonObject = { id: folder.id };
  for (const key of select) view[key] = full[key] ?? null;
  return view;
}

function checkInlineSize(attachment: FileAttachmentInput, where: string): void {
  if (attachment.bytes.length >= MAX_INLINE_ATTACHMENT_BYTES) {
    throw payloadTooLarge(
      `${where} '${attachment.name}' has ${attachment.bytes.length} bytes; inline contentBytes must stay under 3 MB — use createUploadSession.`,
    );
  }
}

function requireBody(request: GraphRequest): JsonObject {
  if (request.body === undefined) throw badRequest('The request needs a JSON body.', 'ErrorInvalidRequest');
  if (!isJsonObject(request.body)) throw badRequest('The request body must be a JSON object.', 'ErrorInvalidRequest');
  return request.body;
}

function splitPath(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw badRequest(`The path segment '${segment}' is not valid percent-encoding.`);
      }
    });
}

function ok(body: JsonObject): GraphResponse {
  return { status: 200, body };
}

function created(body: JsonObject): GraphResponse {
  return { status: 201, body };
}

/** The properties `$select` names, plus the ones Graph always returns (`@odata.type`, `id`). */
function selectProperties(view: JsonObject, select: readonly string[] | undefined): JsonObject {
  if (!select) return view;
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(view)) {
    if (key === '@odata.type' || key === 'id' || select.includes(key)) kept[key] = value;
  }
  return kept;
}
