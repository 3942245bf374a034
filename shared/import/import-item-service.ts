import { createHash } from 'node:crypto';
import { CachingUserDirectory } from '../mapping/caching-user-directory';
import type { CustomMapping } from '../mapping/custom-mapping';
import type { UserDirectory } from '../mapping/directory';
import { mapItemParticipants, type ItemMapping, type MappedMailbox } from '../mapping/participant-mapper';
import { parseRegionCode } from '../mapping/phone-number';
import { mapWithConcurrency } from '../platform/concurrency/bounded-map';
import type { ArchiveMetadata } from '../archive/stored-item';
import type { ConnectorStore } from '../connectors/connector-store';
import type { Connector } from '../connectors/connector';
import { bodyTextSha256, toGraphMessage, type ConvertedMessage, type ToGraphMessageOptions } from '../conversion';
import { ItemValidationError, parseArchivedItem, type ArchivedItem, type Participant } from '../items';
import { participantFullLabel } from '../products';
import type { AttachmentSource, MailboxWriter } from '../graph/mailbox-writer';
import { describeGraphError, graphErrorCode, graphStatus } from '../graph/graph-errors';
import type { ImportStore } from '../outcomes/import-store';
import { DeliveryClaims, type HeldDelivery } from '../outcomes/delivery-claim';
import type { ItemOutcome, MailboxOutcome } from '../outcomes/item-outcome';
import type { Telemetry } from '../platform/telemetry/telemetry';
import { itemOfBlobName, readArchiveMetadata, type StoredItemReader } from '../archive/stored-item-reader';
import type { QuarantineStore } from '../outcomes/quarantine-store';
import type { ImportReplayRequest } from './import-replay-queue';
import { uniqueAttachmentNames } from './unique-names';
import { Readable } from 'node:stream';

export interface MappingSource {
  /** `fresh`: read the mapping in force now, past any cache (a replay follows a mapping fix at once). */
  getCurrentMapping(connectorId: string, options?: { fresh?: boolean }): Promise<CustomMapping | undefined>;
}

export interface ImportItemServiceOptions {
  connectors: ConnectorStore;
  imports: ImportStore;
  writer: MailboxWriter;
  directory: UserDirectory;
  mappings: MappingSource;
  storage: StoredItemReader;
  quarantine: QuarantineStore;
  telemetry: Telemetry;
  /**
   * Replays an item that is not in the archive because the fetch stage quarantined it: stores it
   * from its quarantined copy as the fetch stage would, which starts its import. Undefined when the
   * item is not in quarantine either. Without it such a replay fails.
   */
  restoreQuarantined?: (request: ImportReplayRequest) => Promise<{ status: 'stored' | 'alreadyStored' | 'quarantined'; reason?: string } | undefined>;
  /** How long directory answers are reused: one "run" of the import stage. */
  directoryCacheMs?: number;
  /**
   * How long a connector's row is reused between items (default 30 s, as the mapping file is
   * for 60 s): one table read per item saved. A changed folder name or auto-mapping setting
   * reaches the import stage within this time; a missing connector is never remembered.
   */
  connectorCacheMs?: number;
  /**
   * How long an invocation's claim on one copy holds without renewal (default 60 s): a copy whose
   * holder died is taken over after it. See docs/architecture.md, "Guarantees".
   */
  deliveryLeaseMs?: number;
  /** How long an invocation waits for another one's claim on a copy before failing (default 2 × the lease). */
  deliveryWaitMs?: number;
  /** Mailboxes of one item written in parallel (Graph's per-mailbox limit is kept by the writer). */
  mailboxConcurrency?: number;
  /** Limits of the conversion: attachment sizes that stay in storage, body text length, images shown in the body. */
  conversion?: Pick<ToGraphMessageOptions, 'maxAttachmentBytes' | 'maxTotalAttachmentBytes' | 'maxBodyTextBytes' | 'maxInlineImageBytes'>;
  clock?: () => Date;
}

/** What a replay did: imported the archived item again, or stored a quarantined one into the archive (which starts its import). */
export type ReplayResult =
  | { kind: 'imported'; outcome: ItemOutcome }
  | { kind: 'restored'; status: 'stored' | 'alreadyStored' | 'quarantined'; reason?: string };

export class ItemImportFailedError extends Error {
  override readonly name = 'ItemImportFailedError';
}

/**
 * The import stage for one stored item: validate, convert, map participants to mailboxes and
 * create the message in the connector's folder of each, exactly once per mailbox, recording
 * the outcome. An item that maps to nobody stays stored and is listed; a malformed one is
 * quarantined with the reason; a failure is recorded and rethrown so the host retries.
 */
export class ImportItemService {
  readonly #clock: () => Date;
  readonly #claims: DeliveryClaims;
  #directory: { cache: CachingUserDirectory; until: number } | undefined;
  readonly #connectors = new Map<string, { connector: Promise<Connector | undefined>; until: number }>();

  constructor(private readonly options: ImportItemServiceOptions) {
    this.#clock = options.clock ?? (() => new Date());
    this.#claims = new DeliveryClaims(options.imports, {
      clock: this.#clock,
      ...(options.deliveryLeaseMs === undefined ? {} : { leaseMs: options.deliveryLeaseMs }),
      ...(options.deliveryWaitMs === undefined ? {} : { maxWaitMs: options.deliveryWaitMs }),
    });
  }

  /**
   * Imports a stored item again on an administrator's request. Mailboxes that already hold it are
   * skipped, as on any second delivery, so a replay adds only the copies that are missing. An item
   * the fetch stage quarantined is not in the archive: it is stored from its quarantined copy
   * (`restoreQuarantined`), and its arrival in the archive starts its import as for any item.
   */
  async replay(request: ImportReplayRequest): Promise<ReplayResult> {
    const bytes = await this.options.storage.readItem(request.blobName);
    // An administrator replays right after fixing the mapping: the cached mapping may predate the fix.
    if (bytes !== undefined) return { kind: 'imported', outcome: await this.importBlob(request.blobName, bytes, { freshMapping: true }) };
    const restored = await this.options.restoreQuarantined?.(request);
    if (restored === undefined) {
      throw new ItemImportFailedError(`Replay of item ${request.itemId} of connector ${request.connectorId}: its blob ${request.blobName} is neither in the archive nor in quarantine`);
    }
    return { kind: 'restored', ...restored };
  }

  async importBlob(blobName: string, bytes: Uint8Array, options: { freshMapping?: boolean } = {}): Promise<ItemOutcome> {
    const started = this.#clock();
    const names = itemOfBlobName(blobName, bytes);
    if (!names) throw new ItemImportFailedError(`"${blobName}" is not an item blob name ({connectorId}/{itemId}.json)`);
    const { connectorId, itemId } = names;
    const previous = await this.options.imports.getOutcome(connectorId, itemId);
    const base: ItemOutcome = {
      connectorId, itemId, blobName, status: 'failed', mailboxes: [], unmapped: [],
      attempts: (previous?.attempts ?? 0) + 1,
      firstProcessedAt: previous?.firstProcessedAt ?? started.toISOString(),
      updatedAt: started.toISOString(),
    };

    const connector = await this.#connector(connectorId);
    if (!connector) return this.#quarantine(base, bytes, `connector "${connectorId}" does not exist`, started);

    let item: ArchivedItem;
    let archive: ArchiveMetadata | undefined;
    try {
      const json = parseJson(bytes, itemId);
      item = parseArchivedItem(json, { expectedProduct: connector.product as ArchivedItem['product'] });
      if (item.id !== itemId) throw new ItemValidationError({ itemId: item.id, field: 'id', reason: `does not match the blob name's item id "${itemId}"` });
      archive = readArchiveMetadata(json, itemId, connectorId);
    } catch (err) {
      if (!(err instanceof ItemValidationError)) throw err;
      return this.#quarantine(base, bytes, err.message, started);
    }
    base.archivedAt = item.archivedAt;
    base.kind = item.kind;
    const itemSha256 = createHash('sha256').update(bytes).digest('hex');
    base.itemSha256 = itemSha256;

    let mapping: ItemMapping<Participant>;
    try {
      mapping = await mapItemParticipants(participantsOf(item), {
        mapping: (await this.options.mappings.getCurrentMapping(connectorId, { fresh: options.freshMapping === true })) ?? null,
        autoMapping: connector.autoMapping,
        defaultRegion: parseRegionCode(connector.defaultRegion),
        directory: this.#runDirectory(),
      });
    } catch (err) {
      // The directory or the mapping file could not answer: record why, and let the host retry.
      await this.#finish({ ...base, status: 'failed', error: `participant mapping failed: ${describeGraphError(err)}` }, connector, started);
      // The host logs what is thrown to Application Insights: name no address (a directory error
      // can quote the one looked up); the outcome record keeps the detail for administrators.
      throw new ItemImportFailedError(`Item ${itemId} of connector ${connectorId}: participant mapping failed (${errorKind(err)}); see its outcome with "npm run items -- failed"`);
    }
    base.unmapped = mapping.unmapped.map((u) => ({ participant: participantFullLabel(u.participant), reason: u.reason }));
    if (mapping.status === 'unmapped') {
      return this.#finish({ ...base, status: 'unmapped' }, connector, started);
    }

    const missing = new Set((archive?.missingAttachments ?? []).map((m) => m.id));
    const converted = toGraphMessage(item, {
      ...this.options.conversion,
      folderName: connector.folderName,
      attachmentDisposition: (a) => (missing.has(a.id) ? 'unavailable' : undefined),
      storageLocation: (a) => `${connectorId}/${itemId}/${a.id}`,
      itemSha256,
    });
    base.bodySha256 = bodyTextSha256(converted.createBody.body.content);
    const uploads = this.#plannedUploads(connector.id, converted);

    // An item with one mailbox (most SMS): its `imported` delivery and its outcome are written in
    // one transaction of the connector's partition, one table request instead of two.
    const single: RecordTogether | undefined = mapping.mailboxes.length === 1
      ? { outcome: (mailbox) => ({ ...base, mailboxes: [mailbox], status: 'imported', updatedAt: this.#clock().toISOString() }), written: undefined }
      : undefined;
    const outcomes = await mapWithConcurrency(mapping.mailboxes, this.options.mailboxConcurrency ?? 4, (mailbox) =>
      this.#deliver(connector, converted, uploads, mailbox, previous === undefined, single),
    );
    if (single?.written !== undefined) {
      this.#emit(single.written, started);
      return single.written;
    }
    const failed = outcomes.filter((o) => o.status === 'failed');
    const outcome: ItemOutcome = {
      ...base,
      mailboxes: outcomes,
      status: failed.length > 0 ? 'failed' : 'imported',
      ...(failed.length > 0 ? { error: failed.map((f) => `${f.userPrincipalName}: ${f.error}`).join('; ') } : {}),
    };
    await this.#finish(outcome, connector, started);
    if (failed.length > 0) {
      // Directory object ids, not addresses, reach the host's logs; the outcome record has the rest.
      throw new ItemImportFailedError(
        `Item ${itemId} of connector ${connectorId} failed for ${failed.length} mailbox(es) (user ids ${failed.map((f) => f.userId).join(', ')}); see its outcome with "npm run items -- failed"`,
      );
    }
    return outcome;
  }

  /** The attachments each copy of the message gets, in order, with names unique within the message. */
  #plannedUploads(connectorId: string, converted: ConvertedMessage): AttachmentSource[] {
    const sources: AttachmentSource[] = converted.attachments
      .filter((a) => a.disposition === 'import')
      .map((a) => ({
        name: a.name,
        contentType: a.contentType,
        size: a.size,
        // Images the body shows keep their Content-ID, whichever way they are uploaded.
        ...(a.isInline ? { isInline: true, ...(a.contentId === undefined ? {} : { contentId: a.contentId }) } : {}),
        open: () => this.options.storage.openAttachment(connectorId, converted.itemId, a.attachmentId),
      }));
    const fullText = converted.fullTextAttachment;
    if (fullText) {
      const text = Buffer.from(fullText.text, 'utf8');
      sources.push({ name: fullText.name, contentType: fullText.contentType, size: text.length, open: async () => Readable.from([text]) });
    }
    const names = uniqueAttachmentNames(sources.map((s) => s.name));
    return sources.map((s, i) => ({ ...s, name: names[i] as string }));
  }

  /**
   * One copy in one mailbox, exactly once across invocations and instances: the copy is claimed
   * first (delivery-claim.ts), so no other invocation works on it meanwhile; a claim taken over
   * from an earlier one looks for the message by its source id before creating it, and adds only
   * the attachments it does not have yet. `fresh`: nothing was recorded for the item before.
   * `together`: the copy is the item's only one, and its outcome is recorded with it.
   */
  async #deliver(
    connector: Connector, converted: ConvertedMessage, uploads: readonly AttachmentSource[], mailbox: MappedMailbox<Participant>, fresh: boolean,
    together?: RecordTogether,
  ): Promise<MailboxOutcome> {
    const { writer } = this.options;
    const result: MailboxOutcome = { userId: mailbox.userId, userPrincipalName: mailbox.userPrincipalName, via: mailbox.via, status: 'failed' };
    let claim: HeldDelivery | undefined;
    try {
      const claimed = await this.#claims.claim({ connectorId: connector.id, itemId: converted.itemId, userId: mailbox.userId }, { fresh });
      if (claimed.kind === 'imported') {
        return { ...result, status: 'alreadyImported', ...(claimed.delivery.messageId ? { messageId: claimed.delivery.messageId } : {}) };
      }
      claim = claimed.claim;

      const folderId = await writer.ensureFolder(mailbox.userId, connector.folderName);
      let messageId: string | undefined;
      let present = new Set<string>();
      if (claim.mayExist) {
        // An earlier holder may have created the message before its outcome was recorded.
        const existing = await writer.findBySourceItemId(mailbox.userId, folderId, converted.itemId);
        if (existing) {
          messageId = existing.id;
          if (uploads.length > 0) present = new Set((await writer.listAttachments(mailbox.userId, existing.id)).map((a) => a.name));
        }
      }
      if (messageId === undefined) {
        await claim.confirm();
        messageId = await writer.createMessage(mailbox.userId, folderId, converted.createBody);
      }
      for (const upload of uploads) {
        if (present.has(upload.name)) continue;
        await claim.confirm();
        await writer.addAttachment(mailbox.userId, messageId, upload);
      }
      const done: MailboxOutcome = { ...result, status: 'imported', messageId };
      const outcome = together?.outcome(done);
      await claim.complete(messageId, outcome);
      if (together !== undefined) together.written = outcome;
      return done;
    } catch (err) {
      // Whoever waits for this copy goes on at once (and searches first); if even this write
      // fails, the claim runs out by itself.
      await claim?.release().catch(() => undefined);
      return { ...result, error: describeGraphError(err) };
    }
  }

  async #quarantine(base: ItemOutcome, bytes: Uint8Array, reason: string, started: Date): Promise<ItemOutcome> {
    await this.options.quarantine.quarantine(base.connectorId, base.itemId, bytes, reason);
    const outcome: ItemOutcome = { ...base, status: 'quarantined', reason };
    await this.options.imports.putOutcome(outcome);
    this.#emit(outcome, started);
    return outcome;
  }

  async #finish(outcome: ItemOutcome, _connector: Connector, started: Date): Promise<ItemOutcome> {
    const done: ItemOutcome = { ...outcome, updatedAt: this.#clock().toISOString() };
    await this.options.imports.putOutcome(done);
    this.#emit(done, started);
    return done;
  }

  #emit(outcome: ItemOutcome, started: Date): void {
    const now = this.#clock().getTime();
    const status = outcome.status === 'imported' && outcome.mailboxes.every((m) => m.status === 'alreadyImported') ? 'alreadyImported' : outcome.status;
    this.options.telemetry.event(
      'ItemImport',
      { connectorId: outcome.connectorId, itemId: outcome.itemId, outcome: status, ...(outcome.status === 'failed' ? { error: failureCategory(outcome) } : {}) },
      {
        mailboxes: outcome.mailboxes.filter((m) => m.status === 'imported').length,
        durationMs: now - started.getTime(),
        ...(outcome.archivedAt ? { lagSeconds: Math.round((now - Date.parse(outcome.archivedAt)) / 1000) } : {}),
      },
    );
  }

  /** The connector's row, read at most once per {@link ImportItemServiceOptions.connectorCacheMs}. */
  #connector(connectorId: string): Promise<Connector | undefined> {
    const now = this.#clock().getTime();
    const cached = this.#connectors.get(connectorId);
    if (cached !== undefined && cached.until > now) return cached.connector;
    const connector = this.options.connectors.tryGet(connectorId);
    const entry = { connector, until: now + (this.options.connectorCacheMs ?? 30_000) };
    this.#connectors.set(connectorId, entry);
    // A failed read, or a connector that does not exist (yet), is asked about again next time.
    connector.then(
      (found) => {
        if (found === undefined && this.#connectors.get(connectorId) === entry) this.#connectors.delete(connectorId);
      },
      () => {
        if (this.#connectors.get(connectorId) === entry) this.#connectors.delete(connectorId);
      },
    );
    return connector;
  }

  #runDirectory(): CachingUserDirectory {
    const now = this.#clock().getTime();
    if (!this.#directory || this.#directory.until < now) {
      this.#directory = { cache: new CachingUserDirectory(this.options.directory), until: now + (this.options.directoryCacheMs ?? 10 * 60_000) };
    }
    return this.#directory.cache;
  }
}

/** The outcome of an item with one mailbox, written with that copy's `imported` record once it is made. */
interface RecordTogether {
  outcome: (mailbox: MailboxOutcome) => ItemOutcome;
  /** Set once both records are written. */
  written: ItemOutcome | undefined;
}

function participantsOf(item: ArchivedItem): Participant[] {
  return [item.account, item.from, ...item.to];
}

/** The stored item's JSON; a blob that is not JSON is refused without quoting it (it may hold message text). */
function parseJson(bytes: Uint8Array, itemId: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    const position = err instanceof SyntaxError ? /at position (\d+)/.exec(err.message)?.[1] : undefined;
    throw new ItemValidationError({
      itemId, field: '$', reason: `is not valid JSON${position === undefined ? '' : ` (at position ${position})`}`,
    });
  }
}


/**
 * What failed, in words fit for telemetry: Graph's own messages can name users and addresses,
 * which never go to Application Insights (the outcome record keeps the detail).
 */
function failureCategory(outcome: ItemOutcome): string {
  return outcome.mailboxes.some((m) => m.status === 'failed') ? 'mailbox write failed' : 'participant mapping failed';
}

/** What kind of failure, without its message (which may quote an address): `Graph 503 ServiceUnavailable`, `TypeError`. */
function errorKind(err: unknown): string {
  const status = graphStatus(err);
  if (status !== undefined) return `Graph ${status}${graphErrorCode(err) ? ` ${graphErrorCode(err)}` : ''}`;
  return err instanceof Error ? err.name : 'unknown error';
}
