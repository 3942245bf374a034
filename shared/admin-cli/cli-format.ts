import { connectorTransport, type Connector } from '../connectors/connector';
import { emlDropFolder } from '../eml-drop/drop-zone';
import type { ItemOutcome } from '../outcomes/item-outcome';
import type { MappingFileProblem, MappingFileReport } from '../mapping/mapping-file';
import type { FetchRun } from '../schedule/fetch-run';
import type { CurrentMappingFile, MappingFileVersion } from '../mapping/mapping-file-store';

/** Plain-text output for people; `--json` prints the records themselves instead. */

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
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

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
