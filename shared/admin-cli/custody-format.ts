import type { DayVerification } from '../custody/copy-verifier';
import type { DayReconciliation } from '../custody/day-reconciliation';
import { plural } from './cli-format';

/** One line per day for `items days`. */
export function formatDayLine(record: DayReconciliation): string {
  const c = record.counts;
  const state = record.reconciled ? 'reconciled' : `NOT reconciled (${plural(record.problemCount, 'problem')})`;
  return `${record.day}  ${state}  listed ${c.listed}, stored ${c.stored}, copies ${c.copiesImported}/${c.copiesExpected}, unmapped ${c.unmapped}, quarantined ${c.quarantined}, failed ${c.failed}, pending ${c.pending}  (checked ${record.checkedAt})`;
}

export function formatDayReconciliation(record: DayReconciliation): string[] {
  const c = record.counts;
  const lines = [
    `Connector "${record.connectorId}", ${record.day} (UTC): ${record.reconciled ? 'reconciled' : 'NOT reconciled'}`,
    `  TeleMessage listed ${plural(c.listed, 'item')}; stored ${c.stored}; copies imported ${c.copiesImported} of ${c.copiesExpected} expected`,
    `  unmapped ${c.unmapped}, quarantined ${c.quarantined}, failed ${c.failed}, not yet imported ${c.pending}`,
  ];
  for (const p of record.problems) lines.push(`  ${p.itemId}${p.mailbox ? ` in ${p.mailbox}` : ''}: ${p.problem}`);
  if (record.problemCount > record.problems.length) lines.push(`  … and ${record.problemCount - record.problems.length} more`);
  if (record.manifest) lines.push(`  manifest archive-manifests/${record.manifest.blobName} sha256 ${record.manifest.sha256}${record.manifest.signed ? ', signed' : ''}`);
  return lines;
}

export function formatDayVerification(result: DayVerification): string[] {
  const lines = [
    `Connector "${result.connectorId}", ${result.day} (UTC): checked ${result.checked} of ${`${result.copies} cop${result.copies === 1 ? 'y' : 'ies'}`} against archive-manifests/${result.manifestBlob} (sha256 ${result.manifestSha256})`,
  ];
  for (const d of result.differences) lines.push(`  ${d.itemId} in ${d.mailbox} (message ${d.messageId}): ${d.problem}`);
  lines.push(result.differences.length === 0 ? 'Every copy checked is as imported.' : `${plural(result.differences.length, 'difference')} found.`);
  return lines;
}
