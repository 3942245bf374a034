import iconv from 'iconv-lite';

/** The encodings a mapping file is read in, as spreadsheet programs save text files. */
export type MappingFileEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export type DecodedMappingFile =
  | {
      readonly ok: true;
      readonly text: string;
      readonly encoding: MappingFileEncoding;
      readonly byteOrderMark: boolean;
      /**
       * For a file that is not UTF-8 and was read as Windows-1252: the physical line (from 1) of
       * the first byte that is not UTF-8, so that the report can point at it.
       */
      readonly firstNonUtf8Line?: number;
    }
  | { readonly ok: false; readonly reason: string };

/** How much of the file is looked at to tell UTF-16 without a byte order mark. */
const UTF16_SNIFF_BYTES = 4096;

/**
 * Decodes a mapping file the way the program that saved it meant it:
 * - UTF-16 with a byte order mark: Excel's "Unicode Text" (little-endian), and the big-endian
 *   variant some editors write;
 * - UTF-8, with or without a byte order mark ("CSV UTF-8");
 * - anything else is Windows-1252, which is what Excel's plain "CSV" writes in Western locales.
 *   Every byte decodes in it, so the file is read whole; a damaged character in a number or an
 *   address fails that cell's own checks.
 * UTF-16 without a byte order mark cannot be told from Windows-1252 reliably by every tool, but
 * its zero bytes give it away; it is refused with that reason rather than read as gibberish.
 * UTF-8 and UTF-16 are decoded with the platform's TextDecoder; Windows-1252 with iconv-lite,
 * because Node's TextDecoder reads 'windows-1252' as ISO-8859-1 and turns € ‘ ’ “ ” – (0x80 to
 * 0x9F) into control characters.
 */
export function decodeMappingFile(bytes: Uint8Array): DecodedMappingFile {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeStrict(bytes, 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeStrict(bytes, 'utf-16be');
  const utf16 = sniffUtf16WithoutBom(bytes);
  if (utf16 !== undefined) {
    return {
      ok: false,
      reason:
        `This looks like UTF-16 without a BOM (byte order mark): every other byte is zero (${utf16 === 'utf-16le' ? 'little' : 'big'}-endian). ` +
        'Save it again as "CSV UTF-8 (Comma delimited)", or as "Unicode Text", which writes the byte order mark.',
    };
  }
  const byteOrderMark = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  try {
    // TextDecoder drops a leading byte order mark.
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8', byteOrderMark };
  } catch {
    const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'windows-1252');
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const firstNonUtf8Line = lenient.slice(0, lenient.indexOf('\uFFFD')).split(/\r\n|\r|\n/).length;
    return { ok: true, text, encoding: 'windows-1252', byteOrderMark: false, firstNonUtf8Line };
  }
}

function decodeStrict(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): DecodedMappingFile {
  try {
    return { ok: true, text: new TextDecoder(encoding, { fatal: true }).decode(bytes), encoding, byteOrderMark: true };
  } catch {
    return {
      ok: false,
      reason: `The file starts with a UTF-16 byte order mark but is not valid ${encoding === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE'} (an odd number of bytes or a broken character); save it again.`,
    };
  }
}

/**
 * Text in UTF-16 has a zero byte beside nearly every ASCII character, always on the same side;
 * UTF-8 and Windows-1252 text has none. Returns the byte order when the start of the file looks so.
 */
function sniffUtf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const length = Math.min(bytes.byteLength, UTF16_SNIFF_BYTES) & ~1;
  if (length < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < length; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = length / 2;
  if (oddZeros >= pairs * 0.3 && evenZeros <= pairs * 0.05) return 'utf-16le';
  if (evenZeros >= pairs * 0.3 && oddZeros <= pairs * 0.05) return 'utf-16be';
  return undefined;
}
