import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { DropRefusedError } from './drop-errors';
import type { DropLimits } from './drop-limits';

/** One file of a ZIP, as its central directory describes it (after every check). */
export interface ZipEntryInfo {
  readonly name: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly isDirectory: boolean;
}

/** The bit of the general purpose flag saying the name is UTF-8 (otherwise it is code page 437). */
const UTF8_NAME_FLAG = 0x800;

/**
 * A delivered ZIP, opened with yauzl from memory. Every entry of the central directory is
 * checked before any is read: the count, each declared size, the compression ratio, encryption,
 * and names that would leave the folder (absolute, drive letters, `..`, backslashes, control
 * characters). Reading an entry streams it and stops at its declared size (yauzl checks the
 * actual size against it), so a lying header cannot inflate past the limits either.
 */
export class ZipArchive {
  private constructor(
    private readonly zip: ZipFile,
    readonly entries: readonly ZipEntryInfo[],
    private readonly raw: ReadonlyMap<string, Entry>,
  ) {}

  static async open(bytes: Buffer, limits: DropLimits): Promise<ZipArchive> {
    const zip = await new Promise<ZipFile>((resolve, reject) => {
      yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false }, (error, file) => {
        if (error !== null || file === undefined) reject(new DropRefusedError('not-a-zip', `The file is not a readable ZIP (${error?.message ?? 'no central directory'}).`));
        else resolve(file);
      });
    });
    try {
      if (zip.entryCount > limits.maxEntries) {
        throw new DropRefusedError('too-many-entries', `The ZIP has ${zip.entryCount} entries; the limit is ${limits.maxEntries}.`);
      }
      const raw = new Map<string, Entry>();
      const entries: ZipEntryInfo[] = [];
      let total = 0;
      for (const entry of await readCentralDirectory(zip)) {
        const info = checkEntry(entry, limits);
        if (raw.has(info.name)) throw new DropRefusedError('duplicate-name', 'The ZIP holds two entries of this name.', info.name);
        total += info.uncompressedSize;
        if (total > limits.maxTotalBytes) {
          throw new DropRefusedError('too-large', `The ZIP unpacks to more than ${limits.maxTotalBytes} bytes, the limit.`);
        }
        raw.set(info.name, entry);
        entries.push(info);
      }
      return new ZipArchive(zip, entries, raw);
    } catch (error) {
      zip.close();
      throw error;
    }
  }

  /** Streams one entry's uncompressed bytes. */
  async openEntry(name: string): Promise<Readable> {
    const entry = this.raw.get(name);
    if (entry === undefined) throw new RangeError(`No entry ${JSON.stringify(name)} in the ZIP`);
    return new Promise<Readable>((resolve, reject) => {
      this.zip.openReadStream(entry, (error, stream) => {
        if (error !== null || stream === undefined) reject(new DropRefusedError('not-a-zip', `The entry cannot be read (${error?.message ?? 'no data'}).`, name));
        else resolve(stream);
      });
    });
  }

  close(): void {
    this.zip.close();
  }
}

function readCentralDirectory(zip: ZipFile): Promise<Entry[]> {
  return new Promise<Entry[]>((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (error: Error) => reject(new DropRefusedError('not-a-zip', `The ZIP's directory is damaged (${error.message}).`)));
    zip.readEntry();
  });
}

function checkEntry(entry: Entry, limits: DropLimits): ZipEntryInfo {
  const rawName = entry.fileName as unknown as Buffer;
  const name = (entry.generalPurposeBitFlag & UTF8_NAME_FLAG) !== 0 ? rawName.toString('utf8') : iconv.decode(rawName, 'cp437');
  const unsafe = unsafeNameReason(name);
  if (unsafe !== undefined) throw new DropRefusedError('unsafe-name', `The entry name ${unsafe}; nothing in the ZIP is imported.`, JSON.stringify(name));
  if (entry.isEncrypted()) throw new DropRefusedError('encrypted', 'The entry is encrypted.', name);
  const isDirectory = name.endsWith('/');
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    throw new DropRefusedError('entry-too-large', `The entry unpacks to ${entry.uncompressedSize} bytes; the limit is ${limits.maxEntryBytes}.`, name);
  }
  if (entry.uncompressedSize >= limits.ratioFloorBytes) {
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (ratio > limits.maxCompressionRatio) {
      throw new DropRefusedError(
        'compression-ratio',
        `The entry unpacks ${Math.round(ratio)} times its packed size (${entry.compressedSize} to ${entry.uncompressedSize} bytes); more than ${limits.maxCompressionRatio} times is refused as a zip bomb.`,
        name,
      );
    }
  }
  return { name, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize, isDirectory };
}

/** Why an entry name could write outside the folder it is extracted to, if it could. */
export function unsafeNameReason(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (/\p{Cc}/u.test(name)) return 'contains control characters';
  if (name.includes('\\')) return 'contains a backslash, which Windows reads as a folder separator';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  if (name.split('/').some((segment) => segment === '..')) return 'climbs out of the folder with ".."';
  return undefined;
}
