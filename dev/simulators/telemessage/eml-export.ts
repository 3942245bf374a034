import { buffer } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import yazl from 'yazl';
import type { Participant, TeleMessageItem } from '../../scenario/telemessage-item';

/**
 * TeleMessage's EML export as it arrives over SFTP (docs.smarsh.com, "Summarizing fields in
 * exported EML format"): a ZIP named `YYYYMMDD0000-TeleMessage_<file#>_<TimeZipped>.zip` holding
 * one EML file per message and a `.mf` manifest whose `Count:` is the number of EML files and
 * which lists each by name. Participants are written in TeleMessage's default display format,
 * `First Last Mobile <email>`; a participant without a mailbox gets an address made of the
 * number, as carrier gateways write them.
 */

/** Where an attachment's bytes come from. */
export type AttachmentBytes = (item: TeleMessageItem, attachmentId: string) => Buffer | Readable;

export interface EmlExportEntry {
  /** The name in the ZIP. */
  name: string;
  /** The bytes, or a stream of them. */
  content: Buffer | Readable;
}

/** Made-up domain for participants without a mailbox: `.invalid` is reserved never to resolve. */
export const NUMBER_ADDRESS_DOMAIN = 'mobile.telemessage.invalid';

/** `20260310` + `0000-TeleMessage_` + file number + `_` + time zipped (`HHmmss`). */
export function emlExportZipName(zippedAt: Date, fileNumber: number): string {
  const iso = zippedAt.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}0000-TeleMessage_${fileNumber}_${iso.slice(11, 19).replace(/:/g, '')}.zip`;
}

/** The EML file of one item, streamed (attachments are read as the message is written). */
export function itemEml(item: TeleMessageItem, attachmentBytes: AttachmentBytes): Readable {
  const composer = new MailComposer({
    messageId: `<${item.id}@archive.telemessage.invalid>`,
    date: new Date(item.sentAt),
    from: address(item.from),
    to: item.to.map(address),
    // Only an MMS subject line the sender gave; the archive API has no other.
    ...(item.subject === undefined ? {} : { subject: item.subject }),
    text: item.text ?? '',
    attachments: (item.attachments ?? []).map((attachment) => ({
      filename: attachment.fileName,
      contentType: attachment.contentType,
      content: attachmentBytes(item, attachment.id),
    })),
    headers: { 'X-TeleMessage-Product': item.product },
  });
  return composer.compile().createReadStream();
}

/** The manifest's text: `Count:` and one EML name a line. */
export function emlManifest(names: readonly string[], zippedAt: Date): string {
  return [`Created: ${zippedAt.toISOString()}`, `Count: ${names.length}`, ...names].join('\r\n') + '\r\n';
}

/** The entries of an export of `items`, in the order TeleMessage writes them: the EML files, then the manifest. */
export function emlExportEntries(items: readonly TeleMessageItem[], attachmentBytes: AttachmentBytes, zippedAt: Date): EmlExportEntry[] {
  const names = items.map((_, index) => `${String(index + 1).padStart(6, '0')}.eml`);
  return [
    ...items.map((item, index) => ({ name: names[index] as string, content: itemEml(item, attachmentBytes) })),
    { name: 'TeleMessage.mf', content: Buffer.from(emlManifest(names, zippedAt), 'utf8') },
  ];
}

/** Packs entries into a ZIP in memory: deflated, or stored when `compress` is false (faster for large random data). */
export async function zipEntries(entries: readonly EmlExportEntry[], options: { compress?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const compress = options.compress ?? true;
  for (const entry of entries) {
    if (Buffer.isBuffer(entry.content)) zip.addBuffer(entry.content, entry.name, { compress });
    else zip.addReadStream(entry.content, entry.name, { compress });
  }
  zip.end();
  return buffer(zip.outputStream);
}

/** One export ZIP of `items`: its name and bytes. */
export async function writeEmlExportZip(
  items: readonly TeleMessageItem[],
  attachmentBytes: AttachmentBytes,
  options: { zippedAt?: Date; fileNumber?: number; compress?: boolean } = {},
): Promise<{ name: string; bytes: Buffer }> {
  const zippedAt = options.zippedAt ?? new Date();
  const bytes = await zipEntries(emlExportEntries(items, attachmentBytes, zippedAt), options.compress === undefined ? {} : { compress: options.compress });
  return { name: emlExportZipName(zippedAt, options.fileNumber ?? 1), bytes };
}

/** TeleMessage's default display format: `First Last Mobile <email>`. */
function address(participant: Participant): { name: string; address: string } {
  const name = [participant.displayName ?? '', participant.phone ?? ''].join(' ').trim();
  const mailbox = participant.email ?? `${(participant.phone ?? participant.wechatId ?? participant.wecomUserId ?? 'unknown').replace(/[^\w.-]/g, '')}@${NUMBER_ADDRESS_DOMAIN}`;
  return { name, address: mailbox };
}
