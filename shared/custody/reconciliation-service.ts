import { itemBlobName } from '../archive/blob-names';
import type { StoredItemReader } from '../archive/stored-item-reader';
import type { Connector } from '../connectors/connector';
import type { ConnectorStore } from '../connectors/connector-store';
import type { ImportStore } from '../outcomes/import-store';
import { mapWithConcurrency } from '../platform/concurrency/bounded-map';
import type { Telemetry } from '../platform/telemetry/telemetry';
import type { RunStore } from '../schedule/run-store';
import type { ArchiveItem, ArchiveSource } from '../telemessage/archive-source';
import type { ArchiveProduct } from '../telemessage/archive-source';
import { manifestBytes, MANIFEST_FORMAT, sha256Hex, type DayManifest } from './day-manifest';
import {
  accountFor,
  countDay,
  dayOf,
  dayStart,
  MAX_RECORDED_PROBLEMS,
  nextDay,
  type CustodyProblem,
  type DayReconciliation,
  type ReconciledItem,
  type UtcDay,
} from './day-reconciliation';
import type { ManifestSigner } from './manifest-signer';
import type { BlobManifestStore } from './manifest-store';
import type { ReconciliationStore } from './reconciliation-store';

export interface ReconciliationServiceOptions {
  connectors: ConnectorStore;
  runs: RunStore;
  imports: ImportStore;
  archive: Pick<StoredItemReader, 'readItem'>;
  reconciliations: ReconciliationStore;
  manifests: BlobManifestStore;
  /** Signs each manifest when a signing key is configured. */
  signer?: ManifestSigner;
  sourceFor: (connector: Connector) => Promise<ArchiveSource>;
  telemetry: Telemetry;
  /** A day not reconciled this many hours after it ended counts as overdue (the alert). */
  graceHours: number;
  /** Days reconciled per connector and run, so a long back-fill is caught up over several runs. */
  maxDaysPerRun?: number;
  clock?: () => Date;
}

/** What one scheduled run did for one connector. */
export interface ConnectorReconciliationSummary {
  connectorId: string;
  checked: DayReconciliation[];
  /** Days ended more than the grace period ago that are not reconciled (fetched or not). */
  overdueDays: UtcDay[];
}

/**
 * Proves per connector and UTC day that what TeleMessage lists is what the archive holds and that
 * every stored item went where it should: TeleMessage is asked again for the day (independently of
 * the fetch stage's bookkeeping), each listed item is looked up in the archive and its outcome,
 * and a reconciled day's manifest is written once into the immutable archive.
 */
export class ReconciliationService {
  readonly #clock: () => Date;

  constructor(private readonly options: ReconciliationServiceOptions) {
    this.#clock = options.clock ?? (() => new Date());
  }

  async reconcileDay(connectorId: string, day: UtcDay): Promise<DayReconciliation> {
    const connector = await this.options.connectors.get(connectorId);
    const source = await this.options.sourceFor(connector);
    const listed: ArchiveItem[] = [];
    for await (const item of source.listItems(connector.product as ArchiveProduct, { from: dayStart(day), to: dayStart(nextDay(day)) })) listed.push(item);

    const accounted = await mapWithConcurrency(listed, 8, async (listedItem) => this.#account(connector, listedItem));
    const items = accounted.map((a) => a.item);
    const problems = accounted.flatMap((a) => a.problems);
    const counts = countDay(items);
    const record: DayReconciliation = {
      connectorId,
      day,
      counts,
      reconciled: problems.length === 0,
      problems: problems.slice(0, MAX_RECORDED_PROBLEMS),
      problemCount: problems.length,
      checkedAt: this.#clock().toISOString(),
    };
    if (record.reconciled) {
      const manifest: DayManifest = { format: MANIFEST_FORMAT, connectorId, product: connector.product, day, generatedAt: record.checkedAt, counts, items };
      const bytes = manifestBytes(manifest);
      const signed = this.options.signer === undefined ? undefined : await this.options.signer.sign(bytes);
      const stored = await this.options.manifests.writeOnce(
        connectorId,
        day,
        bytes,
        signed === undefined ? undefined : { keyId: signed.keyId, algorithm: signed.algorithm, signature: signed.signature.toString('base64') },
      );
      record.manifest = { blobName: stored.blobName, sha256: stored.sha256, signed: stored.signature !== undefined };
    }
    await this.options.reconciliations.put(record);
    this.options.telemetry.event(
      'DayReconciliation',
      { connectorId, day, reconciled: String(record.reconciled) },
      { listed: counts.listed, stored: counts.stored, copiesExpected: counts.copiesExpected, copiesImported: counts.copiesImported, problems: record.problemCount },
    );
    return record;
  }

  /**
   * Reconciles every connector's fetched days not yet reconciled (oldest first, a bounded number
   * per run) and reports, as the `UnreconciledDays` metric, the days overdue: ended more than the
   * grace period ago and not reconciled, whether or not they were fetched.
   */
  async reconcileDue(): Promise<ConnectorReconciliationSummary[]> {
    const summaries: ConnectorReconciliationSummary[] = [];
    for (const connector of await this.options.connectors.list()) {
      summaries.push(await this.#reconcileConnector(connector));
    }
    return summaries;
  }

  async #reconcileConnector(connector: Connector): Promise<ConnectorReconciliationSummary> {
    const now = this.#clock().getTime();
    const runs = await this.options.runs.list(connector.id);
    const summary: ConnectorReconciliationSummary = { connectorId: connector.id, checked: [], overdueDays: [] };
    if (runs.length > 0) {
      const known = new Map((await this.options.reconciliations.list(connector.id)).map((r) => [r.day, r]));
      const checkpoint = Date.parse(connector.checkpoint);
      let budget = this.options.maxDaysPerRun ?? 7;
      for (let day = dayOf(runs[0]!.from); dayStart(day).getTime() < now; day = nextDay(day)) {
        const end = dayStart(nextDay(day)).getTime();
        let record = known.get(day);
        // Only days the fetch stage has passed entirely can be checked; later ones wait for it.
        if (record?.reconciled !== true && end <= checkpoint && budget > 0) {
          budget -= 1;
          record = await this.reconcileDay(connector.id, day);
          summary.checked.push(record);
        }
        if (record?.reconciled !== true && end + this.options.graceHours * 3_600_000 <= now) summary.overdueDays.push(day);
      }
    }
    this.options.telemetry.metric('UnreconciledDays', summary.overdueDays.length, { connectorId: connector.id });
    return summary;
  }

  async #account(connector: Connector, listed: ArchiveItem): Promise<{ item: ReconciledItem; problems: CustodyProblem[] }> {
    let blobName: string;
    try {
      blobName = itemBlobName(connector.id, listed.id);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        item: { itemId: listed.id, blobName: '', attachments: [], status: 'notStored', copies: [], copiesExpected: 0, reason },
        problems: [{ itemId: listed.id, problem: `listed by TeleMessage but its id cannot be archived: ${reason}` }],
      };
    }
    const bytes = await this.options.archive.readItem(blobName);
    const attachments = attachmentHashes(bytes === undefined ? listed : parseJsonObject(bytes));
    const outcome = await this.options.imports.getOutcome(connector.id, listed.id);
    return accountFor({ itemId: listed.id, blobName, attachments, ...(bytes === undefined ? {} : { sha256: sha256Hex(bytes) }) }, outcome);
  }
}

function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function attachmentHashes(item: Record<string, unknown>): { id: string; sha256: string }[] {
  const list = Array.isArray(item['attachments']) ? (item['attachments'] as unknown[]) : [];
  return list.flatMap((a) => {
    const { id, sha256 } = (a ?? {}) as Record<string, unknown>;
    return typeof id === 'string' && typeof sha256 === 'string' ? [{ id, sha256 }] : [];
  });
}
