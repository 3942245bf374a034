import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { DirectoryUser } from '../../scenario/directory-users';
import { writeFileAtomically } from './atomic-file';
import { derivedId, newItemId } from './graph-ids';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value';

export interface AttachmentRecord {
  '@odata.type': '#microsoft.graph.fileAttachment';
  id: string;
  lastModifiedDateTime: string;
  name: string;
  contentType: string;
  /** Bytes of the content (Graph's own figure adds some overhead; the simulator's does not). */
  size: number;
  isInline: boolean;
  contentId: string | null;
  contentLocation: string | null;
  /** Hex SHA-256 of the content; the bytes are in `attachments/<sha256>`. */
  sha256: string;
}

export interface ExtendedPropertyRecord {
  id: string;
  value: string;
}

export interface MultiValueExtendedPropertyRecord {
  id: string;
  value: string[];
}

export interface MessageRecord {
  /** The message as Graph returns it, every structural property included. */
  properties: JsonObject;
  singleValueExtendedProperties: ExtendedPropertyRecord[];
  multiValueExtendedProperties: MultiValueExtendedPropertyRecord[];
  attachments: AttachmentRecord[];
}

export interface FolderRecord {
  id: string;
  displayName: string;
  parentFolderId: string;
  isHidden: boolean;
  /** `inbox`, `drafts`… for the folders every mailbox has; usable in place of the id. */
  wellKnownName: string | null;
  messages: MessageRecord[];
}

/** `mailbox.json`: the user and every folder with its messages, each message flattened as Graph returns it. */
export interface MailboxExport {
  user: DirectoryUser;
  folders: ExportedFolder[];
}

export interface ExportedFolder {
  id: string;
  displayName: string;
  parentFolderId: string;
  isHidden: boolean;
  wellKnownName: string | null;
  messages: ExportedMessage[];
}

/** A message's Graph properties plus its extended properties, headers and attachment metadata. */
export type ExportedMessage = JsonObject & {
  id: string;
  singleValueExtendedProperties: ExtendedPropertyRecord[];
  multiValueExtendedProperties: MultiValueExtendedPropertyRecord[];
  attachments: (AttachmentRecord & JsonObject)[];
};

const WELL_KNOWN_FOLDERS: readonly [wellKnownName: string, displayName: string][] = [
  ['inbox', 'Inbox'],
  ['drafts', 'Drafts'],
  ['sentitems', 'Sent Items'],
  ['deleteditems', 'Deleted Items'],
  ['junkemail', 'Junk Email'],
  ['outbox', 'Outbox'],
  ['archive', 'Archive'],
];

/** One user's mailbox: folders, messages and attachment files, persisted under `mailboxes/<upn>/`. */
export class Mailbox {
  readonly user: DirectoryUser;
  readonly directory: string;
  readonly rootFolderId: string;
  readonly #folders: FolderRecord[];
  readonly #messages = new Map<string, { folder: FolderRecord; message: MessageRecord }>();
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;
  #nextWriteAt = 0;
  #failure: Error | undefined;

  constructor(user: DirectoryUser, directory: string, folders: FolderRecord[] | undefined) {
    this.user = user;
    this.directory = directory;
    this.rootFolderId = derivedId(user.id, 'msgfolderroot');
    this.#folders = folders ?? WELL_KNOWN_FOLDERS.map(([wellKnownName, displayName]) => ({
      id: derivedId(user.id, wellKnownName),
      displayName,
      parentFolderId: this.rootFolderId,
      isHidden: false,
      wellKnownName,
      messages: [],
    }));
    for (const folder of this.#folders) {
      for (const message of folder.messages) this.#messages.set(messageId(message), { folder, message });
    }
  }

  get folders(): readonly FolderRecord[] {
    return this.#folders;
  }

  /** By id, or by well-known name (`inbox`) as Graph allows. */
  findFolder(idOrWellKnownName: string): FolderRecord | undefined {
    const lower = idOrWellKnownName.toLowerCase();
    return this.#folders.find((f) => f.id === idOrWellKnownName || f.wellKnownName === lower);
  }

  /** Exchange folder names are unique among siblings regardless of case. */
  findFolderByName(displayName: string): FolderRecord | undefined {
    const lower = displayName.toLowerCase();
    return this.#folders.find((f) => f.displayName.toLowerCase() === lower);
  }

  addFolder(displayName: string, isHidden: boolean): FolderRecord {
    const folder: FolderRecord = {
      id: newItemId(),
      displayName,
      parentFolderId: this.rootFolderId,
      isHidden,
      wellKnownName: null,
      messages: [],
    };
    this.#folders.push(folder);
    return folder;
  }

  addMessage(folder: FolderRecord, message: MessageRecord): void {
    folder.messages.push(message);
    this.#messages.set(messageId(message), { folder, message });
  }

  findMessage(id: string): { folder: FolderRecord; message: MessageRecord } | undefined {
    return this.#messages.get(id);
  }

  /** Removes a message, as a user deleting it for good would; false when there is none. */
  removeMessage(id: string): boolean {
    const found = this.#messages.get(id);
    if (found === undefined) return false;
    found.folder.messages.splice(found.folder.messages.indexOf(found.message), 1);
    this.#messages.delete(id);
    this.changed();
    return true;
  }

  attachmentPath(sha256: string): string {
    return path.join(this.directory, 'attachments', sha256);
  }

  /** Stores attachment bytes under their SHA-256 (identical content is kept once). */
  async storeAttachmentBytes(bytes: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = this.attachmentPath(sha256);
    if (!existsSync(file)) await writeFileAtomically(file, bytes);
    return sha256;
  }

  /** Moves a fully uploaded file (on the same volume) into the attachment store. */
  async adoptAttachmentFile(uploadedFile: string, sha256: string): Promise<void> {
    const file = this.attachmentPath(sha256);
    if (existsSync(file)) {
      await rm(uploadedFile, { force: true });
      return;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await rename(uploadedFile, file);
  }

  /**
   * `JSON.stringify(this.toExport(), null, 2)`, built a few hundred messages at a time with the
   * event loop free in between: a mailbox of thousands of messages takes tens of milliseconds to
   * serialise, and doing that in one go would hold every request in flight (and every answer due)
   * that much longer than its drawn latency, which no client can help.
   */
  async exportJson(): Promise<string> {
    const folders = this.#folders.map((folder) => ({ folder, messages: folder.messages.slice() }));
    const marker = (i: number): string => `\u0000messages of folder ${i}`;
    const skeleton: MailboxExport = {
      user: structuredClone(this.user),
      folders: folders.map(({ folder }, i) => ({
        id: folder.id,
        displayName: folder.displayName,
        parentFolderId: folder.parentFolderId,
        isHidden: folder.isHidden,
        wellKnownName: folder.wellKnownName,
        messages: marker(i) as unknown as ExportedMessage[],
      })),
    };
    let json = JSON.stringify(skeleton, null, 2);
    for (const [i, { messages }] of folders.entries()) {
      const quoted = JSON.stringify(marker(i));
      const at = json.indexOf(quoted);
      const lineStart = json.lastIndexOf('\n', at) + 1;
      const indent = json.slice(lineStart, lineStart + (json.slice(lineStart).search(/\S/)));
      const parts: string[] = [];
      for (let first = 0; first < messages.length; first += MESSAGES_PER_SLICE) {
        if (first > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        for (const message of messages.slice(first, first + MESSAGES_PER_SLICE)) {
          parts.push(`${indent}  ${JSON.stringify(exportMessage(message), null, 2).replaceAll('\n', `\n${indent}  `)}`);
        }
      }
      const array = parts.length === 0 ? '[]' : `[\n${parts.join(',\n')}\n${indent}]`;
      json = json.slice(0, at) + array + json.slice(at + quoted.length);
    }
    return json;
  }

  toExport(): MailboxExport {
    return {
      user: structuredClone(this.user),
      folders: this.#folders.map((folder) => ({
        id: folder.id,
        displayName: folder.displayName,
        parentFolderId: folder.parentFolderId,
        isHidden: folder.isHidden,
        wellKnownName: folder.wellKnownName,
        messages: folder.messages.map(exportMessage),
      })),
    };
  }

  /**
   * Records a change. `mailbox.json` is rewritten (atomically) soon after, off the request path:
   * changes made while a write runs are folded into the next one, and after a write that took
   * d ms the next waits about 2·d, so a large mailbox costs a bounded share of the CPU instead of
   * one whole-file write per request. {@link flush} writes at once.
   */
  changed(): void {
    this.#dirty = true;
    this.#schedule();
  }

  /** Writes any pending change now and waits until `mailbox.json` holds it; rethrows a failed write. */
  async flush(): Promise<void> {
    this.#nextWriteAt = 0;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#writing !== undefined || this.#dirty) {
      if (this.#writing === undefined) this.#startWrite();
      await this.#writing;
    }
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure;
    }
  }

  #schedule(): void {
    if (this.#writing !== undefined || this.#timer !== undefined || !this.#dirty) return;
    const wait = this.#nextWriteAt - Date.now();
    if (wait <= 0) {
      this.#startWrite();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#startWrite();
    }, wait);
  }

  #startWrite(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#dirty = false;
    const started = Date.now();
    this.#writing = this.exportJson()
      .then((json) => writeFileAtomically(path.join(this.directory, 'mailbox.json'), `${json}\n`))
      .catch((error: unknown) => {
        // Kept for flush() (and so stop()) to report; the next change tries again.
        this.#failure = error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        const took = Date.now() - started;
        this.#nextWriteAt = Date.now() + 2 * took;
        this.#writing = undefined;
        this.#schedule();
      });
  }
}

/** All mailboxes under `<dataDir>/mailboxes/`, created on first use and reloaded on restart. */
export class MailboxStore {
  readonly #root: string;
  readonly #mailboxes = new Map<string, Mailbox>();

  private constructor(dataDir: string) {
    this.#root = path.join(dataDir, 'mailboxes');
  }

  /** Opens the store, reloading the mailboxes of the given users that an earlier run persisted. */
  static async open(dataDir: string, users: readonly DirectoryUser[]): Promise<MailboxStore> {
    const store = new MailboxStore(dataDir);
    for (const user of users) {
      if (!user.hasMailbox) continue;
      const directory = store.#directoryOf(user);
      const file = path.join(directory, 'mailbox.json');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      store.#mailboxes.set(user.id, new Mailbox(user, directory, parseFolders(JSON.parse(text) as unknown, file)));
    }
    return store;
  }

  /** The user's mailbox; the caller has checked that the user has one. */
  get(user: DirectoryUser): Mailbox {
    let mailbox = this.#mailboxes.get(user.id);
    if (mailbox === undefined) {
      mailbox = new Mailbox(user, this.#directoryOf(user), undefined);
      this.#mailboxes.set(user.id, mailbox);
    }
    return mailbox;
  }

  /** Writes every pending change to its `mailbox.json`. */
  async flush(): Promise<void> {
    await Promise.all([...this.#mailboxes.values()].map((m) => m.flush()));
  }

  #directoryOf(user: DirectoryUser): string {
    return path.join(this.#root, user.userPrincipalName);
  }
}

function messageId(message: MessageRecord): string {
  return message.properties.id as string;
}

/** Messages serialised between two turns of the event loop when `mailbox.json` is written. */
const MESSAGES_PER_SLICE = 200;

function exportMessage(message: MessageRecord): ExportedMessage {
  return {
    ...structuredClone(message.properties),
    id: messageId(message),
    singleValueExtendedProperties: message.singleValueExtendedProperties.map((p) => ({ ...p })),
    multiValueExtendedProperties: message.multiValueExtendedProperties.map((p) => ({ id: p.id, value: [...p.value] })),
    attachments: message.attachments.map((a) => ({ ...a })),
  };
}

/** Reads the folders of a persisted `mailbox.json`, failing with the file and the field at fault. */
function parseFolders(document: unknown, file: string): FolderRecord[] {
  const fail = (where: string, cause: string): never => {
    throw new Error(`${file}: ${where} ${cause}`);
  };
  if (!isJsonObject(document) || !Array.isArray(document.folders)) return fail('folders', 'is missing or not an array');
  return document.folders.map((raw, i): FolderRecord => {
    const where = `folders[${i}]`;
    if (!isJsonObject(raw)) return fail(where, 'is not an object');
    const text = (key: string): string =>
      typeof raw[key] === 'string' ? (raw[key] as string) : fail(`${where}.${key}`, 'is not a string');
    if (!Array.isArray(raw.messages)) return fail(`${where}.messages`, 'is not an array');
    return {
      id: text('id'),
      displayName: text('displayName'),
      parentFolderId: text('parentFolderId'),
      isHidden: raw.isHidden === true,
      wellKnownName: typeof raw.wellKnownName === 'string' ? raw.wellKnownName : null,
      messages: raw.messages.map((m, j) => parseMessage(m, `${where}.messages[${j}]`, fail)),
    };
  });
}

function parseMessage(raw: JsonValue, where: string, fail: (where: string, cause: string) => never): MessageRecord {
  if (!isJsonObject(raw) || typeof raw.id !== 'string') return fail(where, 'is not a message with an id');
  const { singleValueExtendedProperties, multiValueExtendedProperties, attachments, ...properties } = raw;
  const list = (value: JsonValue | undefined, key: string): JsonObject[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every(isJsonObject)) return fail(`${where}.${key}`, 'is not an array of objects');
    return value as JsonObject[];
  };
  return {
    properties,
    singleValueExtendedProperties: list(singleValueExtendedProperties, 'singleValueExtendedProperties').map((p) => ({
      id: String(p.id),
      value: String(p.value),
    })),
    multiValueExtendedProperties: list(multiValueExtendedProperties, 'multiValueExtendedProperties').map((p) => ({
      id: String(p.id),
      value: Array.isArray(p.value) ? p.value.map(String) : [],
    })),
    attachments: list(attachments, 'attachments') as unknown as AttachmentRecord[],
  };
}
