import type {
  ArchivedItem,
  ArchivedItemFields,
  AttachmentRef,
  CallDetails,
  Conversation,
  Participant,
  RecallDetails,
} from './archived-item';
import { isKindOf, isProduct, PRODUCT_KINDS, type Product } from './item-catalog';
import { ItemValidationError } from './item-validation-error';
import { parseUtcTimestamp, utcTimestampMillis } from './utc-timestamp';
import { capDisplayText } from './display-text';

export interface ParseArchivedItemOptions {
  /** Refuse an item of any other product (a connector archives one product). */
  expectedProduct?: Product;
}

/** Longest id (item, conversation, attachment) accepted; ids end up in blob names and headers. */
export const MAX_SOURCE_ID_LENGTH = 256;

/** Longest participant identifier (phone, email, WeChat or WeCom id) accepted. */
export const MAX_IDENTIFIER_LENGTH = 320;

const CONTROL_CHARACTERS = /\p{Cc}/u;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(?:\s*;\P{Cc}*)?$/u;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:".]+(?:\.[^\s@<>()[\]\\,;:".]+)+$/;
const IDENTIFIER_FIELDS = ['phone', 'email', 'wechatId', 'wecomUserId'] as const;

/**
 * Validates one archived item (as the source returned it, or as the fetch stage stored it) and
 * returns the typed model. Only what the pipeline relies on is checked; unknown fields are
 * dropped. Throws {@link ItemValidationError} naming the item, the field and the cause.
 */
export function parseArchivedItem(value: unknown, options: ParseArchivedItemOptions = {}): ArchivedItem {
  const root = asRecord(value);
  if (root === undefined) {
    throw new ItemValidationError({ itemId: undefined, field: '$', reason: 'must be a JSON object' });
  }
  const id = readItemId(root.id);
  return new ItemReader(id).read(root, options);
}

type JsonRecord = Record<string, unknown>;

function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

function readItemId(value: unknown): string {
  const problem = sourceIdProblem(value);
  if (problem !== undefined) {
    // A string id is known even when it cannot be used: show it, cut and escaped.
    throw new ItemValidationError({
      itemId: undefined, field: 'id', reason: problem,
      ...(typeof value === 'string' && value.trim() !== '' ? { shownId: ItemValidationError.showId(value) } : {}),
    });
  }
  return value as string;
}

function sourceIdProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) {
    return 'is missing';
  }
  if (typeof value !== 'string') {
    return `must be a string, not ${jsonType(value)}`;
  }
  if (value.trim().length === 0) {
    return 'must not be empty';
  }
  if (value.length > MAX_SOURCE_ID_LENGTH) {
    return `must be at most ${MAX_SOURCE_ID_LENGTH} characters`;
  }
  if (CONTROL_CHARACTERS.test(value)) {
    return 'must not contain control characters';
  }
  return undefined;
}

/** Why an identifier the source sent cannot be used, or undefined when it can. */
function identifierProblem(field: (typeof IDENTIFIER_FIELDS)[number], value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return `must be a string, not ${jsonType(value)}`;
  }
  if (value.trim().length === 0) {
    return 'must not be empty';
  }
  if (value.length > MAX_IDENTIFIER_LENGTH) {
    return `must be at most ${MAX_IDENTIFIER_LENGTH} characters`;
  }
  if (CONTROL_CHARACTERS.test(value)) {
    return 'must not contain control characters';
  }
  if (field === 'email' && !EMAIL.test(value)) {
    return 'must be an email address such as name@example.com';
  }
  return undefined;
}

function jsonType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** A short, safe rendering of an enumeration value the source sent, for error messages. */
function shown(value: unknown): string {
  if (typeof value !== 'string') {
    return jsonType(value);
  }
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function child(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path.length === 0 ? key : `${path}.${key}`;
}

/** Reads fields of one item, failing with that item's id and the field's JSON path. */
class ItemReader {
  constructor(private readonly itemId: string) {}

  read(root: JsonRecord, options: ParseArchivedItemOptions): ArchivedItem {
    const product = this.product(root.product, options.expectedProduct);
    const kind = root.kind;
    if (!isKindOf(product, kind)) {
      const expected = PRODUCT_KINDS[product].join(', ');
      const reason =
        kind === undefined || kind === null
          ? `is missing (one of ${expected})`
          : `${shown(kind)} is not a kind of ${product} (one of ${expected})`;
      this.fail('kind', reason);
    }
    // Read in the spec's field order, so the first problem reported is the first one in the item.
    const archivedAt = this.timestamp(root.archivedAt, 'archivedAt');
    if (utcTimestampMillis(archivedAt) < Date.parse('1601-01-02T00:00:00Z')) {
      // FILETIME, which Exchange keeps times in, starts in 1601 (see conversion/mailbox-time.ts).
      this.fail('archivedAt', 'must not be before 1601-01-02, the earliest time a mailbox holds');
    }
    const sentAt = this.timestamp(root.sentAt, 'sentAt');
    const direction = this.oneOf(root.direction, 'direction', ['inbound', 'outbound'] as const);
    const account = this.participant(root.account, 'account');
    const conversation = this.conversation(root.conversation, 'conversation');
    const from = this.participant(root.from, 'from');
    const to = this.array(root.to, 'to').map((entry, index) => this.participant(entry, child('to', index)));
    const text = this.optionalString(root.text, 'text') ?? '';
    const subject = this.optionalString(root.subject, 'subject');
    const attachments = this.attachments(root.attachments, 'attachments');
    const fields: ArchivedItemFields = {
      id: this.itemId,
      product,
      kind,
      archivedAt,
      sentAt,
      direction,
      account,
      conversation,
      from,
      to,
      text,
      ...(subject === undefined ? {} : { subject }),
      attachments,
    };
    switch (fields.kind) {
      case 'call':
        return { ...fields, kind: 'call', call: this.call(root.call, 'call') };
      case 'recall':
        return { ...fields, kind: 'recall', recall: this.recall(root.recall, 'recall') };
      case 'file':
        if (attachments.length !== 1) {
          this.fail('attachments', `must hold exactly one attachment for a file item, not ${attachments.length}`);
        }
        return { ...fields, kind: fields.kind };
      default:
        return { ...fields, kind: fields.kind };
    }
  }

  private fail(field: string, reason: string): never {
    throw new ItemValidationError({ itemId: this.itemId, field, reason });
  }

  private product(value: unknown, expected: Product | undefined): Product {
    if (!isProduct(value)) {
      const reason =
        value === undefined || value === null ? 'is missing' : `${shown(value)} is not a known product`;
      this.fail('product', reason);
    }
    if (expected !== undefined && value !== expected) {
      this.fail('product', `is ${shown(value)} but ${shown(expected)} was expected`);
    }
    return value;
  }

  private record(value: unknown, path: string): JsonRecord {
    const record = asRecord(value);
    if (record === undefined) {
      this.fail(path, value === undefined || value === null ? 'is missing' : `must be an object, not ${jsonType(value)}`);
    }
    return record;
  }

  private array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) {
      this.fail(path, value === undefined || value === null ? 'is missing' : `must be an array, not ${jsonType(value)}`);
    }
    return value;
  }

  private string(value: unknown, path: string): string {
    if (typeof value !== 'string') {
      this.fail(path, value === undefined || value === null ? 'is missing' : `must be a string, not ${jsonType(value)}`);
    }
    return value;
  }

  /** A string that may be absent or null (both read as undefined). */
  private optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path);
  }

  private nonEmptyString(value: unknown, path: string, maxLength: number): string {
    const text = this.string(value, path);
    if (text.trim().length === 0) {
      this.fail(path, 'must not be empty');
    }
    if (text.length > maxLength) {
      this.fail(path, `must be at most ${maxLength} characters`);
    }
    return text;
  }

  private sourceId(value: unknown, path: string): string {
    const problem = sourceIdProblem(value);
    if (problem !== undefined) {
      this.fail(path, problem);
    }
    return value as string;
  }

  private oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      const received = value === undefined || value === null ? 'is missing' : `${shown(value)} is not allowed`;
      this.fail(path, `${received} (one of ${allowed.join(', ')})`);
    }
    return value as T;
  }

  private timestamp(value: unknown, path: string): string {
    const text = this.string(value, path);
    const canonical = parseUtcTimestamp(text);
    if (canonical === undefined) {
      this.fail(path, 'must be an RFC 3339 UTC time such as 2026-11-20T14:02:55Z');
    }
    return canonical;
  }

  private participant(value: unknown, path: string): Participant {
    const record = this.record(value, path);
    const participant: { -readonly [K in keyof Participant]: Participant[K] } = {};
    const unusable: string[] = [];
    let sent = false;
    for (const field of IDENTIFIER_FIELDS) {
      const raw = record[field];
      if (raw === undefined || raw === null) {
        continue;
      }
      sent = true;
      // A bad identifier is this participant's problem, not the item's: it is left out and
      // becomes the participant's unmapped reason, and the item goes to everyone else.
      const problem = identifierProblem(field, raw);
      if (problem !== undefined) {
        // The value is not quoted: it may be personal data (a phone number, an address).
        unusable.push(`${child(path, field)}: ${problem}`);
        continue;
      }
      participant[field] = raw as string;
    }
    if (!sent) {
      this.fail(path, `must have at least one of ${IDENTIFIER_FIELDS.join(', ')}`);
    }
    if (unusable.length > 0) {
      participant.unusableIdentifiers = unusable;
    }
    const displayName = this.optionalString(record.displayName, child(path, 'displayName'));
    if (displayName !== undefined && displayName.trim().length > 0) {
      participant.displayName = capDisplayText(displayName);
    }
    return participant;
  }

  private conversation(value: unknown, path: string): Conversation {
    const record = this.record(value, path);
    const title = this.optionalString(record.title, child(path, 'title'));
    return {
      id: this.sourceId(record.id, child(path, 'id')),
      type: this.oneOf(record.type, child(path, 'type'), ['direct', 'group'] as const),
      ...(title === undefined || title.trim().length === 0 ? {} : { title: capDisplayText(title) }),
    };
  }

  private attachments(value: unknown, path: string): AttachmentRef[] {
    if (value === undefined || value === null) {
      return [];
    }
    const seen = new Map<string, number>();
    return this.array(value, path).map((entry, index) => {
      const entryPath = child(path, index);
      const attachment = this.attachment(entry, entryPath);
      const earlier = seen.get(attachment.id);
      if (earlier !== undefined) {
        this.fail(child(entryPath, 'id'), `repeats the id of ${child(path, earlier)}`);
      }
      seen.set(attachment.id, index);
      return attachment;
    });
  }

  private attachment(value: unknown, path: string): AttachmentRef {
    const record = this.record(value, path);
    const id = this.sourceId(record.id, child(path, 'id'));
    const fileName = this.nonEmptyString(record.fileName, child(path, 'fileName'), 1024);
    const contentType = this.string(record.contentType, child(path, 'contentType'));
    if (contentType.length > 255 || !MEDIA_TYPE.test(contentType)) {
      this.fail(child(path, 'contentType'), 'must be a media type such as image/jpeg');
    }
    const size = record.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      const reason = size === undefined || size === null ? 'is missing' : 'must be a whole number of bytes, 0 or more';
      this.fail(child(path, 'size'), reason);
    }
    const sha256 = this.string(record.sha256, child(path, 'sha256'));
    if (!SHA256_HEX.test(sha256)) {
      this.fail(child(path, 'sha256'), 'must be 64 hexadecimal digits (a SHA-256 digest)');
    }
    return { id, fileName, contentType, size, sha256: sha256.toLowerCase() };
  }

  private call(value: unknown, path: string): CallDetails {
    const record = this.record(value, path);
    const media = this.oneOf(record.media, child(path, 'media'), ['voice', 'video'] as const);
    const outcome = this.oneOf(record.outcome, child(path, 'outcome'), [
      'answered',
      'missed',
      'declined',
      'cancelled',
    ] as const);
    const startedAt = this.timestamp(record.startedAt, child(path, 'startedAt'));
    const endedAt =
      record.endedAt === undefined || record.endedAt === null
        ? undefined
        : this.timestamp(record.endedAt, child(path, 'endedAt'));
    if (endedAt !== undefined && utcTimestampMillis(endedAt) < utcTimestampMillis(startedAt)) {
      this.fail(child(path, 'endedAt'), 'must not be earlier than call.startedAt');
    }
    const duration = record.durationSeconds;
    if (duration !== undefined && duration !== null && (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)) {
      this.fail(child(path, 'durationSeconds'), 'must be a number of seconds, 0 or more');
    }
    return {
      media,
      outcome,
      startedAt,
      ...(endedAt === undefined ? {} : { endedAt }),
      ...(typeof duration === 'number' ? { durationSeconds: duration } : {}),
    };
  }

  private recall(value: unknown, path: string): RecallDetails {
    const record = this.record(value, path);
    return {
      targetItemId: this.sourceId(record.targetItemId, child(path, 'targetItemId')),
      recalledAt: this.timestamp(record.recalledAt, child(path, 'recalledAt')),
    };
  }
}
