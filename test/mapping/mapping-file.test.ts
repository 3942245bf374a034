import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { customMappingFromJson, lookupMappedAddress } from '../../shared/mapping/custom-mapping';
import type { UserDirectory } from '../../shared/mapping/directory';
import {
  ACCEPTED_ADDRESS_HEADERS,
  ACCEPTED_NUMBER_HEADERS,
  parseMappingFile,
  type MappingFileProblem,
  type MappingFileReport,
} from '../../shared/mapping/mapping-file';
import { directoryUser, InMemoryUserDirectory } from './in-memory-user-directory';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const US = { defaultRegion: 'US' } as const;

/** The problems as "line severity code" strings, for compact assertions. */
function summary(report: MappingFileReport): string[] {
  return report.problems.map((p) => `${p.line ?? '-'} ${p.severity} ${p.code}`);
}

function problemAt(report: MappingFileReport, line: number, code: MappingFileProblem['code']): MappingFileProblem {
  const problem = report.problems.find((p) => p.line === line && p.code === code);
  assert.ok(problem, `expected ${code} on line ${line}, got ${JSON.stringify(summary(report))}`);
  return problem;
}

describe('parseMappingFile: a messy file from a spreadsheet', () => {
  // Line numbers are given in the comments; the file is what Excel writes in a semicolon locale,
  // edited by hand afterwards.
  const lines = [
    '\uFEFF"Display Name";"Mobile Number";"E-mail Address";Department', //   1 header (BOM, quoted)
    '', //                                                                   2 blank
    '"Diaz; Ana";(202) 555-0143;ana.diaz@contoso.com;Sales', //              3
    '"Lee, Bob";"+1 310 555 0199";" Bob.Lee@Contoso.com ";"R&D"', //        4 quoted, spaces
    ';;;', //                                                                5 empty row
    'Carol;="0012125550111";carol@contoso.com;', //                          6 Excel text formula, 00
    '', //                                                                   7 blank
    'Dan;202.555.0143;dan@contoso.com;Sales', //                             8 conflict with 3
    'Bob again;1 310 555 0199;BOB.LEE@contoso.com;', //                      9 duplicate of 4
    'Eve;1.20256E+10;eve@contoso.com;', //                                   10 scientific notation
    'Fay;555-0100;fay@contoso;', //                                          11 short number, bad address
    'Gus;"+44 20 7946 0958";ghost@contoso.com;', //                          12 not in directory
    '"Hal ""the boss""";+1-646-555-0100;hal@contoso.com;', //                13 escaped quotes
    'Ida;6465550177;ida@contoso.com', //                                     14 disabled, short row
    'Jo;+16465550178;;', //                                                  15 missing address
    'Lou;;lou@contoso.com;', //                                              16 missing number
    'Kim;+1 646 555 0179;kim@contoso.com;', //                               17 no mailbox
  ];
  const file = utf8(lines.join('\r\n') + '\r\n');
  const directory = new InMemoryUserDirectory([
    directoryUser('u-ana', 'ana.diaz@contoso.com'),
    directoryUser('u-bob', 'bob.lee@contoso.com'),
    directoryUser('u-carol', 'carol@contoso.com'),
    directoryUser('u-dan', 'dan@contoso.com'),
    directoryUser('u-hal', 'hal@contoso.com'),
    directoryUser('u-ida', 'ida@contoso.com', { accountEnabled: false }),
    directoryUser('u-kim', 'kim@contoso.com', { hasMailbox: false }),
  ]);

  test('names every problem by its physical line', async () => {
    const report = await parseMappingFile(file, { ...US, directory });
    assert.deepEqual(summary(report), [
      '8 error conflicting-address',
      '9 warning duplicate-row',
      '10 error unreadable-number',
      '11 error unreadable-number',
      '11 error invalid-address',
      '12 warning address-not-found',
      '14 warning address-account-disabled',
      '15 error missing-address',
      '16 error missing-number',
      '17 warning address-no-mailbox',
    ]);
    assert.equal(report.ok, false);
    assert.equal(report.mapping, undefined);
  });

  test('says what is wrong in words that name the values and both lines of a conflict', async () => {
    const report = await parseMappingFile(file, { ...US, directory });
    assert.match(problemAt(report, 8, 'conflicting-address').message, /\+1 202 555 0143 .*dan@contoso\.com on line 8.*ana\.diaz@contoso\.com on line 3/);
    assert.match(problemAt(report, 9, 'duplicate-row').message, /Repeats line 4/);
    assert.match(problemAt(report, 10, 'unreadable-number').message, /1\.20256E\+10.*scientific notation/);
    assert.match(problemAt(report, 11, 'unreadable-number').message, /"555-0100" is not a readable phone number: it has too few digits/);
    assert.match(problemAt(report, 11, 'invalid-address').message, /"fay@contoso" is not a valid/);
    assert.match(problemAt(report, 12, 'address-not-found').message, /ghost@contoso\.com: not found in the directory\. The row is kept/);
    assert.match(problemAt(report, 14, 'address-account-disabled').message, /ida@contoso\.com: account disabled/);
    assert.match(problemAt(report, 17, 'address-no-mailbox').message, /kim@contoso\.com: no mailbox/);
  });

  test('reports what it read', async () => {
    const report = await parseMappingFile(file, { ...US, directory });
    assert.deepEqual(report.stats, {
      bytes: file.byteLength,
      lines: 17,
      rows: 13,
      entries: 7, // Ana, Bob, Carol, Gus, Hal, Ida, Kim
      errors: 6,
      warnings: 4,
      problemsOmitted: 0,
      delimiter: ';',
      separatorLine: false,
      encoding: 'utf-8',
      byteOrderMark: true,
      numberColumn: 'Mobile Number',
      addressColumn: 'E-mail Address',
    });
  });

  test('once the errors are fixed, yields the mapping, warnings and all', async () => {
    const fixed = [...lines];
    fixed[7] = 'Dan;202.555.0144;dan@contoso.com;Sales';
    fixed[9] = 'Eve;+1 202 556 0100;eve@contoso.com;';
    fixed[10] = 'Fay;+1 202 555 0100;fay@contoso.com;';
    fixed[14] = 'Jo;+16465550178;jo@contoso.com;';
    fixed[15] = '';
    const report = await parseMappingFile(utf8(fixed.join('\r\n')), { ...US, directory });
    assert.equal(report.ok, true, JSON.stringify(summary(report)));
    assert.deepEqual(summary(report), [
      '9 warning duplicate-row',
      '10 warning address-not-found', // eve
      '11 warning address-not-found', // fay
      '12 warning address-not-found',
      '14 warning address-account-disabled',
      '15 warning address-not-found', // jo
      '17 warning address-no-mailbox',
    ]);
    assert.ok(report.ok);
    const { mapping } = report;
    assert.equal(lookupMappedAddress(mapping, '+12025550143'), 'ana.diaz@contoso.com');
    assert.equal(lookupMappedAddress(mapping, '+13105550199'), 'Bob.Lee@Contoso.com', 'trimmed, spelling kept');
    assert.equal(lookupMappedAddress(mapping, '+12125550111'), 'carol@contoso.com');
    assert.equal(lookupMappedAddress(mapping, '+442079460958'), 'ghost@contoso.com', 'a warned row stays');
    assert.equal(lookupMappedAddress(mapping, '+16465550100'), 'hal@contoso.com');
    assert.equal(lookupMappedAddress(mapping, '+12025550144'), 'dan@contoso.com');
    assert.equal(Object.keys(mapping.entries).length, 11);
    assert.deepEqual(customMappingFromJson(JSON.parse(JSON.stringify(mapping))), mapping, 'survives JSON');
  });
});

describe('parseMappingFile: format', () => {
  test('accepts every documented header name, in any case and spacing', async () => {
    for (const numberHeader of ACCEPTED_NUMBER_HEADERS) {
      for (const addressHeader of ACCEPTED_ADDRESS_HEADERS) {
        for (const spell of [(h: string) => h, (h: string) => h.toUpperCase(), (h: string) => ` ${h.toLowerCase().replace(/ /g, '')} `]) {
          const report = await parseMappingFile(utf8(`${spell(numberHeader)},${spell(addressHeader)}\n+12025550143,ana@contoso.com\n`), US);
          assert.ok(report.ok, `${spell(numberHeader)} / ${spell(addressHeader)}: ${JSON.stringify(report.problems)}`);
          assert.equal(report.mapping.entries['+12025550143'], 'ana@contoso.com');
        }
      }
    }
  });

  test('names the headers found and those accepted when a column is missing', async () => {
    const report = await parseMappingFile(utf8('\n\nName,Tel,Email\nAna,+12025550143,ana@contoso.com\n'), US);
    assert.equal(report.ok, false);
    assert.deepEqual(summary(report), ['3 error missing-columns']);
    const { message } = report.problems[0] as MappingFileProblem;
    assert.match(message, /^The header row has no mobile number column\. /);
    assert.match(message, /Headers found: "Name", "Tel", "Email"/);
    for (const accepted of [...ACCEPTED_NUMBER_HEADERS, ...ACCEPTED_ADDRESS_HEADERS]) assert.ok(message.includes(accepted), accepted);
  });

  test('prefers the user principal name when a file has several address columns, and says so', async () => {
    const report = await parseMappingFile(utf8('Email,Phone,UserPrincipalName\nana@mail.contoso.com,+12025550143,ana@contoso.com\n'), US);
    assert.ok(report.ok);
    assert.equal(report.mapping.entries['+12025550143'], 'ana@contoso.com');
    assert.deepEqual(summary(report), ['1 warning several-columns']);
    assert.match(report.problems[0]?.message ?? '', /using "UserPrincipalName"/);
  });

  test('counts lines inside quoted fields, CR, LF and CRLF alike, and skips blank lines', async () => {
    const text = 'Note,Phone,UPN\r"two\r\nline note",+12025550143,ana@contoso.com\n\n\r\n"three\nline\nnote",+12025550144,bad address\r\n';
    const report = await parseMappingFile(utf8(text), US);
    // Line 1 header; 2-3 first row; 4, 5 blank; 6-8 second row.
    assert.deepEqual(summary(report), ['6 error invalid-address']);
    assert.equal(report.stats.lines, 8);
    assert.equal(report.stats.delimiter, ',');
  });

  test('treats a quoted separator as text when detecting the separator', async () => {
    const report = await parseMappingFile(utf8('"Name, Given, Family";Phone;Email\n"Diaz, Ana, Maria";+1 202 555 0143;ana@contoso.com\n'), US);
    assert.equal(report.stats.delimiter, ';');
    assert.ok(report.ok, JSON.stringify(report.problems));
    assert.deepEqual(report.mapping.entries, { '+12025550143': 'ana@contoso.com' });
  });

  test('reports a quote that is never closed at the line where its row begins', async () => {
    const report = await parseMappingFile(utf8('Phone,Email\n+12025550143,ana@contoso.com\n\n"+12025550144,bob@contoso.com\n+12025550145,cy@contoso.com\n'), US);
    assert.equal(report.ok, false);
    assert.deepEqual(summary(report), ['4 error csv-syntax']);
    assert.match(report.problems[0]?.message ?? '', /never closed.*not read/);
    assert.equal(report.stats.entries, 1, 'rows before the error are still checked');
  });

  test('refuses a file above the byte limit unread, naming the limit', async () => {
    const report = await parseMappingFile(utf8(`Phone,Email\n${'+12025550143,ana@contoso.com\n'.repeat(100)}`), { ...US, maxBytes: 1024 });
    assert.equal(report.ok, false);
    assert.deepEqual(summary(report), ['- error file-too-large']);
    assert.match(report.problems[0]?.message ?? '', /the limit is 1 KB/);
  });

  test('refuses a file above the row limit, naming the limit; blank rows do not count', async () => {
    const rows = (n: number): string => Array.from({ length: n }, (_, i) => `+1202555${String(1000 + i)},u${i}@contoso.com\n\n,\n`).join('');
    const atLimit = await parseMappingFile(utf8(`Phone,Email\n${rows(50)}`), { ...US, maxRows: 50 });
    assert.ok(atLimit.ok, JSON.stringify(atLimit.problems));
    assert.equal(atLimit.stats.rows, 50);
    const over = await parseMappingFile(utf8(`Phone,Email\n${rows(51)}`), { ...US, maxRows: 50 });
    assert.equal(over.ok, false);
    assert.deepEqual(summary(over), ['- error too-many-rows']);
    assert.match(over.problems[0]?.message ?? '', /more than 50 rows/);
  });

  test('applies sane default limits', async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 1).fill(0x20);
    assert.deepEqual(summary(await parseMappingFile(big, US)), ['- error file-too-large']);
  });

  test('refuses an empty file, and UTF-16 without a byte order mark with that reason', async () => {
    assert.deepEqual(summary(await parseMappingFile(new Uint8Array(0), US)), ['- error empty-file']);
    assert.deepEqual(summary(await parseMappingFile(utf8('\uFEFF\r\n  \r\n'), US)), ['- error empty-file']);
    for (const encoding of ['utf16le', 'utf16be'] as const) {
      const text = Buffer.from('Phone,Email\r\n+12025550143,ana@contoso.com\r\n', 'utf16le');
      const bytes = encoding === 'utf16le' ? text : Buffer.from(text).swap16();
      const report = await parseMappingFile(bytes, US);
      assert.deepEqual(summary(report), ['- error unsupported-encoding']);
      assert.match(report.problems[0]?.message ?? '', /looks like UTF-16 without a BOM/);
    }
  });

  test('reads a Windows code page file, warning at the first line that is not UTF-8', async () => {
    const latin1 = Buffer.from('Name,Phone,Email\nAna,+12025550143,ana@contoso.com\nJos\xe9,+12025550144,jose@contoso.com\n', 'latin1');
    const report = await parseMappingFile(latin1, US);
    assert.ok(report.ok);
    assert.deepEqual(summary(report), ['3 warning not-utf8']);
    assert.equal(report.stats.entries, 2);
  });

  test('compares addresses without regard to case or surrounding spaces', async () => {
    const report = await parseMappingFile(utf8('Phone,Email\n+12025550143, Ana@Contoso.com\n(202) 555-0143,ana@contoso.COM \n'), US);
    assert.ok(report.ok);
    assert.deepEqual(summary(report), ['3 warning duplicate-row']);
    assert.equal(report.mapping.entries['+12025550143'], 'Ana@Contoso.com');
  });

  test('lists at most maxReportedProblems problems but counts them all', async () => {
    const text = `Phone,Email\n${'bad,ana@contoso.com\n'.repeat(30)}`;
    const report = await parseMappingFile(utf8(text), { ...US, maxReportedProblems: 10 });
    assert.equal(report.problems.length, 10);
    assert.equal(report.stats.errors, 30);
    assert.equal(report.stats.problemsOmitted, 20);
  });

  test('asks the directory once per distinct address, and lets its failures through', async () => {
    const directory = new InMemoryUserDirectory([directoryUser('u-ana', 'ana@contoso.com')]);
    const text = 'Phone,Email\n+12025550143,ana@contoso.com\n+12025550144,ANA@contoso.com\n+12025550145,bob@contoso.com\n';
    const report = await parseMappingFile(utf8(text), { ...US, directory });
    assert.deepEqual(summary(report), ['4 warning address-not-found']);
    assert.equal(directory.asked.length, 2);

    const down: UserDirectory = { resolve: () => Promise.reject(new Error('directory unavailable')) };
    await assert.rejects(parseMappingFile(utf8(text), { ...US, directory: down }), /directory unavailable/);
  });

  test('honours an aborted signal', async () => {
    await assert.rejects(parseMappingFile(utf8('Phone,Email\n'), { ...US, abortSignal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});

describe('parseMappingFile: files as customers already have them', () => {
  test("reads TeleMessage's custom mapping file for Microsoft 365: international numbers as bare digits", async () => {
    // The columns and number form TeleMessage documents ("External User ID" is the login name,
    // the mobile number in international form without "+").
    const file = utf8('External User ID,Microsoft 365 User Mailbox\r\n447911123456,susan@contoso.com\r\n12025550143,jeff@contoso.com\r\n8613800138000,chen.wei@contoso.com\r\n');
    const report = await parseMappingFile(file, US);
    assert.ok(report.ok, JSON.stringify(report.problems));
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.mapping.entries, {
      '+447911123456': 'susan@contoso.com',
      '+12025550143': 'jeff@contoso.com',
      '+8613800138000': 'chen.wei@contoso.com',
    });
    assert.equal(report.stats.numberColumn, 'External User ID');
    assert.equal(report.stats.addressColumn, 'Microsoft 365 User Mailbox');
  });

  test("reports a bare-digit number of TeleMessage's file that is valid both ways, naming both readings", async () => {
    const file = utf8('External User ID,Microsoft 365 User Mailbox\n6465550177,ida@contoso.com\n2025550143,ana@contoso.com\n');
    const report = await parseMappingFile(file, US);
    assert.equal(report.ok, false);
    assert.deepEqual(summary(report), ['2 error ambiguous-number']);
    const message = problemAt(report, 2, 'ambiguous-number').message;
    assert.match(message, /"6465550177" is ambiguous/);
    assert.match(message, /\+1 646 555 0177/);
    assert.match(message, /\+64 /, 'the international reading (New Zealand) is named too');
    assert.equal(report.stats.entries, 1, '2025550143 is valid only as a US number, so it is one');
  });

  test('reads a bare-digit number as international in our format when it is no national number of the region', async () => {
    const report = await parseMappingFile(utf8('Mobile,Email\n447911123456,susan@contoso.com\n6465550177,ida@contoso.com\n4930123456,hans@contoso.com\n'), US);
    assert.ok(report.ok, JSON.stringify(report.problems));
    assert.deepEqual(report.mapping.entries, {
      '+447911123456': 'susan@contoso.com',
      '+16465550177': 'ida@contoso.com', // our format: bare digits have always meant a national number
      '+4930123456': 'hans@contoso.com',
    });
  });

  test('reads Excel\'s "Unicode Text": UTF-16 LE with a byte order mark, tab-separated, and names lines as written', async () => {
    const text = 'Name\tMobile Number\tEmail Address\r\nJos\u00e9 \u00c1lvarez\t+1 202 555 0143\tjose@contoso.com\r\n"Note on\r\ntwo lines"\t555\tx@contoso.com\r\n\u674e\u4f1f\t+86 138 0013 8000\tli.wei@contoso.com\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const report = await parseMappingFile(bytes, US);
    assert.deepEqual(summary(report), ['3 error unreadable-number']);
    assert.equal(report.stats.encoding, 'utf-16le');
    assert.equal(report.stats.byteOrderMark, true);
    assert.equal(report.stats.delimiter, '\t');
    assert.equal(report.stats.lines, 5);
    assert.equal(report.stats.entries, 2);
    const big = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    const bigReport = await parseMappingFile(big, US);
    assert.equal(bigReport.stats.encoding, 'utf-16be');
    assert.deepEqual(summary(bigReport), ['3 error unreadable-number']);
  });

  test('reads Windows-1252 as Windows-1252, so error messages quote the cells as written', async () => {
    // 0xB0 is "°" and 0x80 "€" in Windows-1252; neither is valid UTF-8 on its own.
    const bytes = Buffer.concat([
      Buffer.from('Name;Phone;Email\r\nAna;+12025550143;ana@contoso.com\r\nJos', 'latin1'),
      Buffer.from([0xe9]),
      Buffer.from(';n', 'latin1'),
      Buffer.from([0xb0]),
      Buffer.from(' 12 ', 'latin1'),
      Buffer.from([0x80]),
      Buffer.from(';jose@contoso.com\r\n', 'latin1'),
    ]);
    const report = await parseMappingFile(bytes, US);
    assert.deepEqual(summary(report), ['3 warning not-utf8', '3 error unreadable-number']);
    assert.equal(report.stats.encoding, 'windows-1252');
    assert.match(problemAt(report, 3, 'unreadable-number').message, /"n\u00b0 12 \u20ac"/);
    assert.match(problemAt(report, 3, 'not-utf8').message, /Windows-1252/);
  });

  test("takes the separator from Excel's leading sep= line, which is not a row", async () => {
    const report = await parseMappingFile(utf8('sep=;\r\nMobile;Email\r\n+1 202 555 0143;ana@contoso.com\r\n12;bob@contoso.com\r\n'), US);
    assert.deepEqual(summary(report), ['4 error unreadable-number']);
    assert.equal(report.stats.delimiter, ';');
    assert.equal(report.stats.separatorLine, true);
    assert.equal(report.stats.rows, 2);
    // The line wins over detection: the header has more semicolons than commas.
    const comma = await parseMappingFile(utf8('\uFEFFsep=,\nMobile,Email,"a;b;c"\n+12025550143,ana@contoso.com,x\n'), US);
    assert.ok(comma.ok, JSON.stringify(comma.problems));
    assert.equal(comma.stats.delimiter, ',');
    const pipe = await parseMappingFile(utf8('sep=|\nMobile|Email\n'), US);
    assert.deepEqual(summary(pipe), ['1 error csv-syntax']);
    assert.match(pipe.problems[0]?.message ?? '', /"\|".*comma, semicolon and tab/);
  });

  test("accepts Excel's leading apostrophe and trailing empty columns", async () => {
    const report = await parseMappingFile(utf8("Mobile,Email,,,\n'+12025550143,ana@contoso.com,,,\n'0044 20 7946 0958,bob@contoso.com,,,\n,,,,\n"), US);
    assert.ok(report.ok, JSON.stringify(report.problems));
    assert.deepEqual(report.mapping.entries, { '+12025550143': 'ana@contoso.com', '+442079460958': 'bob@contoso.com' });
    assert.equal(report.stats.rows, 2);
  });

  test('refuses a number in scientific notation with the reason, and reads the other rows', async () => {
    const report = await parseMappingFile(utf8('Mobile,Email\n1.2025E+10,ana@contoso.com\n+12025550144,bob@contoso.com\n'), US);
    assert.deepEqual(summary(report), ['2 error unreadable-number']);
    assert.match(report.problems[0]?.message ?? '', /"1\.2025E\+10" is a spreadsheet's scientific notation, which has lost digits/);
    assert.equal(report.stats.entries, 1);
  });
});

describe('parseMappingFile: any well-formed file (property)', () => {
  test('yields exactly its rows, whatever the separator, quoting, line breaks and blank lines', async () => {
    const row = fc.record({
      number: fc.integer({ min: 2_000_000, max: 9_999_999 }),
      user: fc.constantFrom('ana', 'bob', 'cy', 'dee', 'eli'),
      spelling: fc.constantFrom('e164', 'national', 'dotted', 'double-zero', 'formula'),
      upper: fc.boolean(),
      quote: fc.boolean(),
      blankBefore: fc.nat({ max: 2 }),
    });
    const file = fc.record({
      rows: fc.array(row, { maxLength: 12 }),
      delimiter: fc.constantFrom(',', ';'),
      lineBreak: fc.constantFrom('\n', '\r\n', '\r'),
      bom: fc.boolean(),
      extraColumn: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(file, async ({ rows, delimiter, lineBreak, bom, extraColumn }) => {
        const lines = [['Mobile', 'UPN', ...(extraColumn ? ['Note'] : [])].join(delimiter)];
        const expected = new Map<string, { address: string; line: number }>();
        const expectedProblems: string[] = [];
        for (const r of rows) {
          for (let i = 0; i < r.blankBefore; i++) lines.push('');
          const digits = `212${r.number}`;
          const spelled = {
            e164: `+1${digits}`,
            national: `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`,
            dotted: `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6)}`,
            'double-zero': `001 ${digits}`,
            formula: `="+1${digits}"`,
          }[r.spelling];
          const address = `${r.upper ? r.user.toUpperCase() : r.user}@contoso.com`;
          const cells = [spelled, address, ...(extraColumn ? [`note ${delimiter} "x"`] : [])];
          lines.push(cells.map((cell) => (r.quote || cell.includes(delimiter) || cell.includes('"') ? `"${cell.replace(/"/g, '""')}"` : cell)).join(delimiter));
          const line = lines.length;
          const key = `+1${digits}`;
          const earlier = expected.get(key);
          if (earlier === undefined) expected.set(key, { address, line });
          else expectedProblems.push(`${line} ${earlier.address.toLowerCase() === address.toLowerCase() ? 'warning duplicate-row' : 'error conflicting-address'}`);
        }
        const text = (bom ? '\uFEFF' : '') + lines.join(lineBreak) + lineBreak;
        const report = await parseMappingFile(utf8(text), US);
        assert.deepEqual(summary(report), expectedProblems);
        assert.equal(report.stats.delimiter, delimiter);
        assert.equal(report.stats.lines, lines.length);
        assert.equal(report.ok, !expectedProblems.some((p) => p.includes('error')));
        if (report.ok) {
          assert.deepEqual(report.mapping.entries, Object.fromEntries([...expected].map(([k, v]) => [k, v.address])));
        }
      }),
      { numRuns: 200 },
    );
  });
});
