import { CsvError, parse, type InfoRecord } from 'csv-parse/sync';
import { mapWithConcurrency } from '../platform/concurrency/bounded-map';
import { CUSTOM_MAPPING_VERSION, type CustomMapping } from './custom-mapping';
import { describeLookupFailure, type DirectoryLookupFailure, type UserDirectory } from './directory';
import { addressKey, isValidAddress, normalizeAddress } from './email-address';
import { readWrittenNumber, type BareDigitsConvention } from './digits-only-number';
import { decodeMappingFile, type MappingFileEncoding } from './mapping-file-encoding';
import { formatPhoneNumberForDisplay, type RegionCode } from './phone-number';

export type { MappingFileEncoding } from './mapping-file-encoding';

/** The separators a mapping file may use: comma, semicolon (decimal-comma locales), tab (Excel's "Unicode Text"). */
export type MappingFileDelimiter = ',' | ';' | '\t';

/**
 * Header names accepted for the mobile number column, in order of preference. The last is the
 * column of TeleMessage's own custom mapping file for Microsoft 365, where the TeleMessage login
 * name is the mobile number in international form, digits only.
 */
export const ACCEPTED_NUMBER_HEADERS: readonly string[] = ['Mobile Number', 'Mobile', 'Mobile Phone', 'Phone Number', 'Phone', 'External User ID'];
const TELEMESSAGE_NUMBER_HEADER = 'External User ID';
/** Header names accepted for the Microsoft 365 address column, in order of preference (the last is TeleMessage's). */
export const ACCEPTED_ADDRESS_HEADERS: readonly string[] = ['UserPrincipalName', 'UPN', 'Email Address', 'Email', 'Microsoft 365 User Mailbox'];

export const DEFAULT_MAX_MAPPING_FILE_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_MAPPING_FILE_ROWS = 100_000;
export const DEFAULT_MAX_REPORTED_PROBLEMS = 1_000;
const DIRECTORY_CONCURRENCY = 8;

export interface MappingFileOptions {
  /** Region of numbers written without a country code. */
  readonly defaultRegion: RegionCode;
  /**
   * When given, every mapped address is looked up and one that cannot receive items is reported
   * as a warning (the row stays). A directory that cannot answer makes the parse reject.
   */
  readonly directory?: UserDirectory;
  /** Files larger than this are refused unread. Default 5 MiB. */
  readonly maxBytes?: number;
  /** Files with more data rows than this are refused. Default 100,000. */
  readonly maxRows?: number;
  /** The report lists at most this many problems; stats count them all. Default 1,000. */
  readonly maxReportedProblems?: number;
  readonly abortSignal?: AbortSignal;
}

export type ProblemSeverity = 'error' | 'warning';

export type MappingFileProblemCode =
  | 'file-too-large'
  | 'too-many-rows'
  | 'unsupported-encoding'
  | 'not-utf8'
  | 'empty-file'
  | 'missing-columns'
  | 'several-columns'
  | 'csv-syntax'
  | 'missing-number'
  | 'unreadable-number'
  | 'ambiguous-number'
  | 'missing-address'
  | 'invalid-address'
  | 'conflicting-address'
  | 'duplicate-row'
  | 'address-not-found'
  | 'address-ambiguous'
  | 'address-account-disabled'
  | 'address-no-mailbox';

export interface MappingFileProblem {
  /** Physical line of the file, from 1 (blank lines count); null for the file as a whole. */
  readonly line: number | null;
  readonly severity: ProblemSeverity;
  readonly code: MappingFileProblemCode;
  readonly message: string;
}

export interface MappingFileStats {
  readonly bytes: number;
  /** Physical lines in the file (0 when it was refused before being read). */
  readonly lines: number;
  /** Data rows read (blank rows not counted). */
  readonly rows: number;
  /** Distinct numbers mapped. */
  readonly entries: number;
  readonly errors: number;
  readonly warnings: number;
  /** Problems counted but left out of `problems` because of `maxReportedProblems`. */
  readonly problemsOmitted: number;
  readonly delimiter: MappingFileDelimiter | null;
  /** True when the separator was named by a leading `sep=` line, as Excel reads it. */
  readonly separatorLine: boolean;
  /** The encoding the file was read in (null when it was refused before being decoded). */
  readonly encoding: MappingFileEncoding | null;
  readonly byteOrderMark: boolean;
  /** The header cells used, as written in the file. */
  readonly numberColumn: string | null;
  readonly addressColumn: string | null;
}

/**
 * The outcome of reading a mapping file. A file with any error yields no mapping: the caller
 * keeps the mapping already in force. Problems are ordered by line.
 */
export type MappingFileReport =
  | {
      readonly ok: true;
      readonly mapping: CustomMapping;
      readonly problems: readonly MappingFileProblem[];
      readonly stats: MappingFileStats;
    }
  | {
      readonly ok: false;
      readonly mapping?: undefined;
      readonly problems: readonly MappingFileProblem[];
      readonly stats: MappingFileStats;
    };

/**
 * Reads and validates a mapping file as spreadsheet programs save it: CSV or tab-separated text
 * (comma, semicolon or tab, from a leading `sep=` line or detected from the header row), in UTF-8
 * with or without byte order mark, UTF-16 with one, or Windows-1252; a header row naming a mobile
 * number column and an address column (ours, or TeleMessage's "External User ID" and "Microsoft
 * 365 User Mailbox"; other columns ignored), one row per number.
 */
export async function parseMappingFile(bytes: Uint8Array, options: MappingFileOptions): Promise<MappingFileReport> {
  options.abortSignal?.throwIfAborted();
  const reading = new MappingFileReading(bytes, options);
  reading.read();
  if (options.directory !== undefined && !reading.refused) {
    await reading.checkAddresses(options.directory, options.abortSignal);
  }
  return reading.report();
}

interface AcceptedRow {
  readonly line: number;
  readonly e164: string;
  readonly address: string;
}

interface ParsedRecord {
  readonly cells: readonly string[];
  /** Byte offset just past the record and its line break. */
  readonly end: number;
}

class MappingFileReading {
  private readonly problems: MappingFileProblem[] = [];
  private readonly entries = new Map<string, AcceptedRow>();
  private readonly defaultRegion: RegionCode;
  private readonly maxBytes: number;
  private readonly maxRows: number;
  private lineStarts: number[] = [0];
  private lineCount = 0;
  private rows = 0;
  private delimiter: MappingFileDelimiter | null = null;
  private separatorLine = false;
  private encoding: MappingFileEncoding | null = null;
  private byteOrderMark = false;
  private numberColumn: string | null = null;
  private addressColumn: string | null = null;
  /** TeleMessage's file writes bare digits as international numbers; ours as national ones. */
  private bareDigits: BareDigitsConvention = 'national';
  /** True when the file was refused as a whole and its rows are not to be trusted. */
  refused = false;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: MappingFileOptions,
  ) {
    this.defaultRegion = options.defaultRegion;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_MAPPING_FILE_BYTES;
    this.maxRows = options.maxRows ?? DEFAULT_MAX_MAPPING_FILE_ROWS;
  }

  read(): void {
    if (this.bytes.byteLength > this.maxBytes) {
      this.refuse(null, 'file-too-large', `The file is ${formatBytes(this.bytes.byteLength)}; the limit is ${formatBytes(this.maxBytes)}.`);
      return;
    }
    const decoded = this.decode();
    if (decoded === undefined) return;
    const { text, named } = takeSeparatorLine(decoded);
    if (named !== undefined && !isAcceptedDelimiter(named)) {
      this.refuse(1, 'csv-syntax', `The first line asks for ${JSON.stringify(named)} as the separator; comma, semicolon and tab are accepted.`);
      return;
    }
    const buffer = Buffer.from(text, 'utf8');
    this.lineStarts = lineStartOffsets(buffer);
    // A final line break ends the last line rather than starting an empty one.
    this.lineCount = buffer.length === 0 ? 0 : this.lineStarts.length - (this.lineStarts.at(-1) === buffer.length ? 1 : 0);

    const headerLine = firstNonBlankLine(text);
    if (headerLine === undefined) {
      this.refuse(null, 'empty-file', 'The file is empty: it needs a header row naming a mobile number column and an address column.');
      return;
    }
    this.separatorLine = named !== undefined;
    this.delimiter = named ?? detectDelimiter(headerLine.text);

    const { records, syntaxError } = parseRecords(buffer, this.delimiter);
    // Lines of spaces or bare separators before the header are records to the parser but blank
    // to people.
    const headerIndex = records.findIndex((record) => !isBlankRecord(record));
    const header = headerIndex < 0 ? undefined : (records[headerIndex] as ParsedRecord);
    if (header === undefined) {
      // Only possible when the header row itself is malformed.
      if (syntaxError !== undefined) this.reportSyntaxError(syntaxError, headerLine.line);
      else this.add(headerLine.line, 'error', 'empty-file', 'The file has no header row.');
      this.refused = true;
      return;
    }
    const rows = records.slice(headerIndex + 1);
    const headerStart = startOfRecord(buffer, headerIndex === 0 ? 0 : (records[headerIndex - 1] as ParsedRecord).end);
    const columns = this.findColumns(header.cells, this.lineAt(headerStart));
    if (columns === undefined) {
      this.refused = true;
      return;
    }
    let previousEnd = header.end;
    for (const row of rows) {
      const line = this.lineAt(startOfRecord(buffer, previousEnd));
      previousEnd = row.end;
      const number = cleanNumberCell(row.cells[columns.number]);
      const address = cleanCell(row.cells[columns.address]);
      if (number === '' && address === '') continue; // a blank row, e.g. ";;" left by a spreadsheet
      this.rows += 1;
      if (this.rows > this.maxRows) {
        this.refuse(null, 'too-many-rows', `The file has more than ${this.maxRows.toLocaleString('en-US')} rows; the limit is ${this.maxRows.toLocaleString('en-US')}.`);
        return;
      }
      this.acceptRow(line, number, address);
    }
    if (syntaxError !== undefined) this.reportSyntaxError(syntaxError, this.lineAt(startOfRecord(buffer, previousEnd)));
  }

  async checkAddresses(directory: UserDirectory, abortSignal: AbortSignal | undefined): Promise<void> {
    const byAddress = new Map<string, AcceptedRow[]>();
    for (const row of this.entries.values()) {
      const key = addressKey(row.address);
      const list = byAddress.get(key);
      if (list === undefined) byAddress.set(key, [row]);
      else list.push(row);
    }
    const groups = [...byAddress.values()];
    const lookups = await mapWithConcurrency(
      groups,
      DIRECTORY_CONCURRENCY,
      (group) => directory.resolve((group[0] as AcceptedRow).address, { abortSignal }),
      abortSignal,
    );
    groups.forEach((group, index) => {
      const lookup = lookups[index];
      if (lookup === undefined || lookup.status === 'valid') return;
      for (const row of group) this.warnAboutAddress(row, lookup.status);
    });
  }

  report(): MappingFileReport {
    const limit = this.options.maxReportedProblems ?? DEFAULT_MAX_REPORTED_PROBLEMS;
    const sorted = [...this.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const errors = sorted.filter((p) => p.severity === 'error').length;
    const problems = sorted.slice(0, limit);
    const stats: MappingFileStats = {
      bytes: this.bytes.byteLength,
      lines: this.lineCount,
      rows: this.rows,
      entries: this.entries.size,
      errors,
      warnings: sorted.length - errors,
      problemsOmitted: sorted.length - problems.length,
      delimiter: this.delimiter,
      separatorLine: this.separatorLine,
      encoding: this.encoding,
      byteOrderMark: this.byteOrderMark,
      numberColumn: this.numberColumn,
      addressColumn: this.addressColumn,
    };
    if (errors > 0 || this.refused) return { ok: false, problems, stats };
    const entries: Record<string, string> = {};
    for (const [e164, row] of this.entries) entries[e164] = row.address;
    const mapping: CustomMapping = { version: CUSTOM_MAPPING_VERSION, defaultRegion: this.defaultRegion, entries };
    return { ok: true, mapping, problems, stats };
  }

  private decode(): string | undefined {
    const decoded = decodeMappingFile(this.bytes);
    if (!decoded.ok) {
      this.refuse(null, 'unsupported-encoding', decoded.reason);
      return undefined;
    }
    this.encoding = decoded.encoding;
    this.byteOrderMark = decoded.byteOrderMark;
    if (decoded.firstNonUtf8Line !== undefined) {
      this.add(
        decoded.firstNonUtf8Line,
        'warning',
        'not-utf8',
        'The file is not UTF-8 from this line on, so it was read as Windows-1252 (what Excel\'s plain "CSV" writes in Western locales). ' +
          'If a name or address looks wrong, save it as "CSV UTF-8 (Comma delimited)".',
      );
    }
    return decoded.text;
  }

  private findColumns(cells: readonly string[], line: number): { number: number; address: number } | undefined {
    const normalized = cells.map(normalizeHeader);
    const number = findColumn(normalized, ACCEPTED_NUMBER_HEADERS);
    const address = findColumn(normalized, ACCEPTED_ADDRESS_HEADERS);
    if (number.index === undefined || address.index === undefined) {
      const missing = [
        number.index === undefined ? 'mobile number column' : undefined,
        address.index === undefined ? 'address column' : undefined,
      ].filter((part) => part !== undefined);
      const found = cells.filter((cell) => cell.trim() !== '').map((cell) => JSON.stringify(cell.trim()));
      this.add(
        line,
        'error',
        'missing-columns',
        `The header row has no ${missing.join(' and no ')}. Headers found: ${found.length > 0 ? found.join(', ') : 'none'}. ` +
          `Accepted for the mobile number: ${ACCEPTED_NUMBER_HEADERS.join(', ')}. ` +
          `Accepted for the address: ${ACCEPTED_ADDRESS_HEADERS.join(', ')}. Case and spaces do not matter.`,
      );
      return undefined;
    }
    this.numberColumn = (cells[number.index] as string).trim();
    if (normalizeHeader(this.numberColumn) === normalizeHeader(TELEMESSAGE_NUMBER_HEADER)) this.bareDigits = 'international';
    this.addressColumn = (cells[address.index] as string).trim();
    for (const [role, column] of [
      ['mobile number', number],
      ['address', address],
    ] as const) {
      if (column.others.length > 0) {
        this.add(
          line,
          'warning',
          'several-columns',
          `Several columns can hold the ${role}: ${[column.index as number, ...column.others].map((i) => JSON.stringify((cells[i] as string).trim())).join(', ')}; using ${JSON.stringify((cells[column.index as number] as string).trim())}.`,
        );
      }
    }
    return { number: number.index, address: address.index };
  }

  private acceptRow(line: number, number: string, address: string): void {
    let e164: string | undefined;
    if (number === '') {
      this.add(line, 'error', 'missing-number', `No mobile number (the address is ${address}).`);
    } else if (SCIENTIFIC_NOTATION.test(number)) {
      this.add(
        line,
        'error',
        'unreadable-number',
        `"${number}" is a spreadsheet's scientific notation, which has lost digits; format the column as text, correct the numbers and save again.`,
      );
    } else {
      const result = readWrittenNumber(number, this.defaultRegion, this.bareDigits);
      if (result.ok) e164 = result.e164;
      else if ('ambiguous' in result) this.add(line, 'error', 'ambiguous-number', `${result.message}.`);
      else this.add(line, 'error', 'unreadable-number', `${result.error.message}.`);
    }
    const addressOk = address !== '' && isValidAddress(address);
    if (address === '') this.add(line, 'error', 'missing-address', `No address for ${number}.`);
    else if (!addressOk) this.add(line, 'error', 'invalid-address', `"${address}" is not a valid email address or user principal name.`);
    if (e164 === undefined || !addressOk) return;

    const accepted: AcceptedRow = { line, e164, address: normalizeAddress(address) };
    const earlier = this.entries.get(e164);
    if (earlier === undefined) {
      this.entries.set(e164, accepted);
    } else if (addressKey(earlier.address) === addressKey(accepted.address)) {
      this.add(line, 'warning', 'duplicate-row', `Repeats line ${earlier.line} (${this.display(e164)} → ${earlier.address}); the repeat is ignored.`);
    } else {
      this.add(
        line,
        'error',
        'conflicting-address',
        `${this.display(e164)} is mapped to ${accepted.address} on line ${line} and to ${earlier.address} on line ${earlier.line}; a number can map to one address only.`,
      );
    }
  }

  private warnAboutAddress(row: AcceptedRow, status: DirectoryLookupFailure): void {
    const code: MappingFileProblemCode =
      status === 'not-found' ? 'address-not-found'
        : status === 'ambiguous' ? 'address-ambiguous'
          : status === 'account-disabled' ? 'address-account-disabled' : 'address-no-mailbox';
    this.add(
      row.line,
      'warning',
      code,
      `${row.address}: ${describeLookupFailure(status)}. The row is kept, but items of ${this.display(row.e164)} are not imported through it until this is fixed.`,
    );
  }

  private reportSyntaxError(error: CsvError | undefined, line: number): void {
    if (error === undefined) return;
    this.add(line, 'error', 'csv-syntax', `${describeCsvError(error)} The rest of the file from this line on was not read.`);
  }

  private refuse(line: number | null, code: MappingFileProblemCode, message: string): void {
    this.refused = true;
    this.add(line, 'error', code, message);
  }

  private add(line: number | null, severity: ProblemSeverity, code: MappingFileProblemCode, message: string): void {
    this.problems.push({ line, severity, code, message });
  }

  private display(e164: string): string {
    return formatPhoneNumberForDisplay(e164, { defaultRegion: this.defaultRegion });
  }

  private lineAt(offset: number): number {
    // The last line start at or before the offset; lines are numbered from 1.
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }
}

// "1.20256E+10": how a spreadsheet shows a long number it has stored as a number.
const SCIENTIFIC_NOTATION = /^\d+(?:[.,]\d+)?E\+?\d+$/i;

function isBlankRecord(record: ParsedRecord): boolean {
  return record.cells.every((cell) => cell.trim() === '');
}

function cleanCell(cell: string | undefined): string {
  const value = (cell ?? '').trim();
  // ="+12025550143" is the formula people type to stop a spreadsheet from turning a number
  // into a numeric value; CSV keeps the formula text.
  const formula = /^="(.*)"$/.exec(value);
  return formula === null ? value : (formula[1] as string).trim();
}

/**
 * A number cell: as {@link cleanCell}, and without the apostrophe a spreadsheet user types before
 * a number to keep it as text ('+12025550143), which some programs write out with the value.
 */
function cleanNumberCell(cell: string | undefined): string {
  const value = cleanCell(cell);
  return value.startsWith("'") ? value.slice(1).trim() : value;
}

/**
 * Excel reads a first line `sep=;` as the separator to use, and writes one when asked to; it is
 * not a row. The line is blanked (its line break kept, so that line numbers stay physical).
 */
function takeSeparatorLine(text: string): { text: string; named?: string } {
  const match = /^sep=(.?)[ \t]*(?=\r\n|\r|\n|$)/i.exec(text.replace(/^\uFEFF/, ''));
  if (match === null || match[1] === undefined || match[1] === '') return { text };
  const start = text.startsWith('\uFEFF') ? 1 : 0;
  return { text: text.slice(start + match[0].length), named: match[1] };
}

function isAcceptedDelimiter(value: string): value is MappingFileDelimiter {
  return value === ',' || value === ';' || value === '\t';
}

function normalizeHeader(cell: string): string {
  return cell.toLowerCase().replace(/[\s_-]+/g, '');
}

function findColumn(normalizedCells: readonly string[], accepted: readonly string[]): { index: number | undefined; others: number[] } {
  const matches: { index: number; rank: number }[] = [];
  normalizedCells.forEach((cell, index) => {
    const rank = accepted.findIndex((name) => normalizeHeader(name) === cell);
    if (rank >= 0) matches.push({ index, rank });
  });
  matches.sort((a, b) => a.rank - b.rank || a.index - b.index);
  const [best, ...others] = matches;
  return { index: best?.index, others: others.map((m) => m.index) };
}

function parseRecords(buffer: Buffer, delimiter: MappingFileDelimiter): { records: ParsedRecord[]; syntaxError?: CsvError } {
  const records: ParsedRecord[] = [];
  try {
    parse(buffer, {
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      // Records are collected here rather than returned so that those before a syntax error
      // are kept when the parser throws.
      on_record: (record: string[], context: InfoRecord) => {
        records.push({ cells: record, end: context.bytes });
        return null;
      },
    });
  } catch (error) {
    if (error instanceof CsvError) return { records, syntaxError: error };
    throw error;
  }
  return { records };
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'A field opened with a double quote (") is never closed.';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'A quoted field has text after its closing quote; a double quote inside a quoted field is written twice ("").';
    case 'CSV_MAX_RECORD_SIZE':
      return 'A row is too long to be a mapping row.';
    default:
      return `The row is not valid CSV (${error.code}).`;
  }
}

/** Byte offsets at which each physical line starts; CRLF, LF and CR each end a line. */
function lineStartOffsets(buffer: Buffer): number[] {
  const starts = [0];
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (byte === 0x0d) {
      if (buffer[i + 1] === 0x0a) i++;
      starts.push(i + 1);
    } else if (byte === 0x0a) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Where the record after `previousEnd` begins: past the blank lines the parser skipped. */
function startOfRecord(buffer: Buffer, previousEnd: number): number {
  let offset = previousEnd;
  while (offset < buffer.length && (buffer[offset] === 0x0d || buffer[offset] === 0x0a)) offset++;
  return offset;
}

function firstNonBlankLine(text: string): { line: number; text: string } | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  const index = lines.findIndex((line) => line.trim() !== '');
  return index < 0 ? undefined : { line: index + 1, text: lines[index] as string };
}

/**
 * Comma, semicolon or tab, whichever separates more fields of the header row (outside quotes);
 * a tie goes to the earlier of the three. Spreadsheets in locales whose decimal mark is a comma
 * write semicolons; Excel's "Unicode Text" writes tabs. csv-parse's own discovery weighs every
 * punctuation character and trips over quoted fields, so it is not used.
 */
function detectDelimiter(headerLine: string): MappingFileDelimiter {
  const counts = new Map<MappingFileDelimiter, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && isAcceptedDelimiter(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: MappingFileDelimiter = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}
