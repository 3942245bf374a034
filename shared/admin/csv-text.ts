/**
 * CSV for spreadsheets: RFC 4180 quoting, CRLF lines, and no cell that a spreadsheet would run as a
 * formula (OWASP's CSV injection advice: a cell starting with = + - @ TAB or CR gets a leading ').
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | undefined | null): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | undefined | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
