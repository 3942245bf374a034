import { connectorTransport, type Connector } from '../connectors/connector';
import { emlDropFolder } from '../eml-drop/drop-zone';
import type { ItemOutcome } from '../outcomes/item-outcome';
import type { MappingFileProblem, MappingFileReport } from '../mapping/mapping-file';
import type { FetchRun } from '../schedule/fetch-run';
import type { CurrentMappingFile, MappingFileVersion } from '../mapping/mapping-file-store';

/** Plain-text output for people; `--json` prints the records themselves instead. */

/**
 * What a terminal must not be sent raw: control characters (C0 with CR, LF, TAB and ESC, DEL, C1
 * with the 8-bit CSI), the line and paragraph separators, and the bidirectional formatting
 * characters (embeddings, overrides, isolates, marks), which reorder what a person reads.
 */
const UNSAFE_FOR_TERMINAL = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** What JSON.stringify leaves raw inside strings (it escapes C0 itself; its own line breaks stay). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function escapeCode(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * One line fit for a person's terminal: every character of {@link UNSAFE_FOR_TERMINAL} shown as an
 * escape (`\x1b`, `\u202e`), so that text from TeleMessage, a mapping file or an error message
 * cannot clear the screen, set the title, reorder the line or forge another line. Every text the
 * commands print goes through it (the command line's `out` and `stderr`); applying it twice
 * changes nothing.
 */
export function forTerminal(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, escapeCode);
}

/**
 * JSON for `--json`, as `JSON.stringify` writes it (which escapes C0 only), with DEL, C1, the
 * separators and the bidirectional characters written as `\uXXXX` too: the same JSON to a parser,
 * harmless on a terminal.
 */
export function jsonForTerminal(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'null').replace(UNSAFE_IN_JSON, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** Columns padded to their widest cell; the last column is not padded. Cells are escaped first, so columns stay aligned. */
export function formatTable(headers: readonly string[], unsafeRows: readonly (readonly string[])[]): string[] {
  const rows = unsafeRows.map((row) => row.map(forTerminal));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

const dash = '-';

export function formatConnectorList(connectors: readonly Connector[]): string[] {
  return formatTable(
    ['ID', 'PRODUCT', 'ENABLED', 'FOLDER', 'CHECKPOINT', 'LAST RUN', 'LAST SUCCESS', 'MAPPING FILE'],
    connectors.map((c) => [
      c.id,
      c.product,
      c.enabled ? 'yes' : 'no',
      c.folderName,
      c.checkpoint,
      c.lastRun === undefined ? dash : `${c.lastRun.status} ${c.lastRun.at}`,
      c.lastSuccessAt ?? dash,
      c.mappingFile?.version ?? dash,
    ]),
  );
}

export function formatConnector(c: Connector): string[] {
  const rows: [string, string][] = [
    ['id', c.id],
    ['product', c.product],
    ['enabled', c.enabled ? 'yes' : 'no'],
    ['folder', c.folderName],
    ...(connectorTransport(c) === 'eml-drop'
      ? ([['transport', `eml-drop: TeleMessage's EML export ZIPs over SFTP into ${emlDropFolder(c.id)}/`]] as [string, string][])
      : ([
          ['base URL', c.baseUrl],
          ['username', c.username],
          ['password secret', c.passwordSecretName],
        ] as [string, string][])),
    ['automatic mapping', c.autoMapping ? 'on' : 'off'],
    ['default region', c.defaultRegion],
    ['checkpoint', c.checkpoint],
    ['scheduled through', c.scheduledThrough],
    ['mapping file', c.mappingFile === undefined ? 'none' : `${c.mappingFile.version} (${c.mappingFile.rows} rows, applied ${c.mappingFile.appliedAt})`],
    ['last run', c.lastRun === undefined ? 'none' : `${c.lastRun.status} at ${c.lastRun.at}, window ${c.lastRun.from} to ${c.lastRun.to}`],
    ...(c.lastRun?.error === undefined ? [] : [['last run error', c.lastRun.error] as [string, string]]),
    ['last success', c.lastSuccessAt ?? 'never'],
    ['created', c.createdAt],
    ['updated', c.updatedAt],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}  ${v}`);
}

export function formatRuns(runs: readonly FetchRun[]): string[] {
  return formatTable(
    ['FROM', 'TO', 'STATUS', 'ATTEMPTS', 'FETCHED', 'STORED', 'QUEUED', 'FINISHED', 'ERROR'],
    runs.map((r) => [
      r.from,
      r.to,
      r.status,
      String(r.attempts),
      String(r.fetched),
      String(r.stored),
      r.queuedAt,
      r.finishedAt ?? dash,
      r.error ?? '',
    ]),
  );
}

export function formatProblem(p: MappingFileProblem): string {
  return `${p.line === null ? 'file' : `line ${p.line}`}: ${p.severity}: ${p.message}`;
}

/** The problems by line, then one summary line. */
export function formatMappingReport(report: MappingFileReport): string[] {
  const s = report.stats;
  const lines = report.problems.map(formatProblem);
  if (s.problemsOmitted > 0) lines.push(`… and ${s.problemsOmitted} more problem${s.problemsOmitted === 1 ? '' : 's'} not listed`);
  lines.push(
    `${plural(s.rows, 'row')}, ${plural(s.entries, 'number')} mapped; ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}.` +
      (report.ok ? ' The file can be applied.' : ' The file cannot be applied.'),
  );
  return lines;
}

export function formatVersions(current: string | undefined, versions: readonly MappingFileVersion[]): string[] {
  return formatTable(
    ['', 'VERSION', 'APPLIED', 'ROWS', 'BYTES', 'FILE'],
    versions.map((v) => [
      v.version === current ? '*' : '',
      v.version,
      v.appliedAt,
      Number.isNaN(v.rows) ? dash : String(v.rows),
      String(v.bytes),
      v.fileName ?? '',
    ]),
  );
}

export function formatCurrentMapping(current: CurrentMappingFile): string[] {
  const entries = Object.entries(current.mapping.entries).sort(([a], [b]) => a.localeCompare(b));
  return [
    `version:        ${current.version}`,
    `applied:        ${current.appliedAt}`,
    `sha256:         ${current.sha256}`,
    `rows:           ${current.rows}`,
    `default region: ${current.mapping.defaultRegion}`,
    `numbers:        ${entries.length}`,
    '',
    ...formatTable(['NUMBER', 'ADDRESS'], entries),
  ];
}

export function formatUnmappedItems(outcomes: readonly ItemOutcome[]): string[] {
  const lines: string[] = [];
  for (const o of outcomes) {
    lines.push(`${o.itemId}  archived ${o.archivedAt ?? 'at an unknown time'}  (${o.blobName})`);
    if (o.unmapped.length === 0) lines.push('    no participants');
    for (const u of o.unmapped) lines.push(`    ${u.participant} — ${u.reason}`);
  }
  return lines;
}

export function formatFailedItems(outcomes: readonly ItemOutcome[]): string[] {
  return formatTable(
    ['ITEM', 'ATTEMPTS', 'UPDATED', 'ERROR'],
    outcomes.map((o) => [o.itemId, String(o.attempts), o.updatedAt, o.error ?? o.reason ?? '']),
  );
}

export function formatQuarantinedItems(outcomes: readonly ItemOutcome[]): string[] {
  return formatTable(
    ['ITEM', 'ATTEMPTS', 'UPDATED', 'REASON'],
    outcomes.map((o) => [o.itemId, String(o.attempts), o.updatedAt, o.reason ?? o.error ?? '']),
  );
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
