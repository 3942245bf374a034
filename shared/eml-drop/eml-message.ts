import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MailParser, type AddressObject, type AttachmentStream, type EmailAddress, type MessageText } from 'mailparser';

/** An address of a From/To/Cc header, as mailparser decoded it (encoded words and charsets included). */
export interface EmlAddress {
  readonly name: string;
  readonly address: string | undefined;
}

/** One attachment of an EML, with what its bytes turned out to be. */
export interface EmlAttachment {
  /** From 1, in the order of the message. */
  readonly index: number;
  readonly fileName: string;
  readonly contentType: string;
  readonly contentId: string | undefined;
  readonly size: number;
  /** Lower-case hex SHA-256 of the decoded bytes. */
  readonly sha256: string;
}

export interface EmlMessage {
  readonly messageId: string | undefined;
  readonly date: Date | undefined;
  readonly subject: string | undefined;
  readonly from: readonly EmlAddress[];
  readonly to: readonly EmlAddress[];
  readonly cc: readonly EmlAddress[];
  /** Every header, lower-case name to its decoded text (the first occurrence). */
  readonly headers: ReadonlyMap<string, string>;
  readonly text: string;
  readonly attachments: readonly EmlAttachment[];
}

/** What to do with one attachment's decoded bytes: consume `content` to its end. */
export type AttachmentSink = (attachment: { index: number; fileName: string; contentType: string }, content: Readable) => Promise<void>;

/** Discards the bytes (the attachment is still hashed and counted). */
export const discardAttachment: AttachmentSink = async (_attachment, content) => {
  content.resume();
  await new Promise<void>((resolve, reject) => {
    content.once('end', resolve);
    content.once('error', reject);
  });
};

/**
 * Parses one EML stream with mailparser, streaming: the text parts are kept, each attachment's
 * decoded bytes are handed to `sink` as they are decoded (hashed and counted on the way) and
 * never held whole in memory.
 */
export async function readEmlMessage(source: Readable, sink: AttachmentSink): Promise<EmlMessage> {
  const parser = new MailParser({ skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, maxHtmlLengthToParse: 4 * 1024 * 1024 });
  const attachments: EmlAttachment[] = [];
  let headers: Map<string, unknown> = new Map();
  let text = '';
  let html: string | undefined;
  const pending: Promise<void>[] = [];
  let attachmentCount = 0;
  parser.on('headers', (parsed: Map<string, unknown>) => {
    headers = parsed;
  });
  parser.on('data', (data: AttachmentStream | MessageText) => {
    if (data.type === 'text') {
      text = data.text ?? '';
      if (typeof data.html === 'string') html = data.html;
      return;
    }
    attachmentCount += 1;
    const index = attachmentCount;
    const fileName = data.filename ?? `attachment-${index}`;
    const contentType = data.contentType || 'application/octet-stream';
    const counter = new HashingCounter();
    const work = (async () => {
      try {
        await Promise.all([pipeline(data.content as Readable, counter), sink({ index, fileName, contentType }, counter)]);
        attachments.push({ index, fileName, contentType, contentId: data.contentId, size: counter.bytes, sha256: counter.digest() });
      } finally {
        data.release?.();
      }
    })();
    work.catch((error: unknown) => parser.destroy(error instanceof Error ? error : new Error(String(error))));
    pending.push(work);
  });
  await pipeline(source, parser);
  await Promise.all(pending);
  attachments.sort((a, b) => a.index - b.index);
  if (text === '' && html !== undefined) text = html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return {
    messageId: headerText(headers.get('message-id')),
    date: headers.get('date') instanceof Date ? (headers.get('date') as Date) : undefined,
    subject: headerText(headers.get('subject')),
    from: addresses(headers.get('from')),
    to: addresses(headers.get('to')),
    cc: addresses(headers.get('cc')),
    headers: new Map([...headers].map(([key, value]) => [key, headerText(value) ?? ''])),
    text,
    attachments,
  };
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null && 'text' in value && typeof (value as { text: unknown }).text === 'string') return (value as { text: string }).text;
  if (typeof value === 'object' && value !== null && 'value' in value && typeof (value as { value: unknown }).value === 'string') return (value as { value: string }).value;
  return undefined;
}

function addresses(value: unknown): EmlAddress[] {
  if (value === undefined || value === null) return [];
  const objects = (Array.isArray(value) ? value : [value]) as AddressObject[];
  const flat: EmlAddress[] = [];
  const visit = (entry: EmailAddress): void => {
    if (entry.group !== undefined) entry.group.forEach(visit);
    else flat.push({ name: entry.name ?? '', address: entry.address === undefined || entry.address === '' ? undefined : entry.address });
  };
  for (const object of objects) object.value?.forEach(visit);
  return flat;
}

/** Passes bytes through while counting and hashing them. */
class HashingCounter extends Transform {
  readonly #hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}
