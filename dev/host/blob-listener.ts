import { buffer } from 'node:stream/consumers';
import { BlobServiceClient, type BlobDownloadResponseParsed, type ContainerClient, } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { BlobPathPattern } from './blob-path-pattern';
import { BlobReceiptStore, HOSTS_CONTAINER, quoteEtag, type BlobVersion, type LeasedBlobReceipt } from './blob-receipts';
import type { HostLogger, InvocationRequest, ListenerContext, RegisteredFunction, TriggerListener, TypedData } from './contracts';
import { HOST_ID_SETTING, resolveHostId } from './host-id';
import { PollSleeper } from './poll-sleeper';
import { encodeQueueMessage } from './queue-message-codec';
import { resolveQueuesOptions, type QueuesOptions } from './queues-options';
import { describeError, isStorageError } from './storage-errors';
import { LISTENER_STORAGE_RETRY, TriggerConfigurationError, optionalStringOption } from './trigger-configuration';
import { dotNetDateTimeOffset, jsonData, stringData, systemMetadata } from './trigger-metadata';

export interface BlobTriggerListenerOptions {
  /** Pause between container scans. Default 1 s. */
  pollIntervalMs?: number;
  /**
   * Blob versions processed at once across all blob-triggered functions. Default: host.json
   * `extensions.blobs.maxDegreeOfParallelism`, else 8.
   */
  maxDegreeOfParallelism?: number;
  /** The host id the receipts are kept under. Default: `ctx.hostId`, else setting `AzureFunctionsWebHost__hostid`, else machine and app root. */
  hostId?: string;
  /** Lease on a receipt while its version is processed (15-60 s, renewed at half). Default 30 s, as the host. */
  receiptLeaseSeconds?: number;
}

const BLOB_TRIGGER_POISON_QUEUE = 'webjobs-blobtrigger-poison';
const DEFAULT_POLL_INTERVAL_MS = 1_000;
const DEFAULT_PARALLELISM = 8;
const DEFAULT_LEASE_SECONDS = 30;

/** One blob-triggered function being served by container scans. */
interface BlobWatch {
  functionName: string;
  /** The id the host uses in receipts and poison notices (`Host.Functions.<name>`). */
  functionId: string;
  pattern: BlobPathPattern;
  container: ContainerClient;
  receipts: BlobReceiptStore;
  poisonQueue: QueueClient;
  /** Versions settled (completed or poisoned) by any host, keyed by {@link versionKey}. */
  settled: Set<string>;
  settledLoaded: boolean;
  /** Failed versions and when they may be retried (after `visibilityTimeout`, like the host). */
  retryAt: Map<string, number>;
}

/**
 * Blob triggers with the polling source (`LogsAndContainerScan`, what Core Tools uses with
 * Azurite): containers are scanned every poll interval, and each blob version (ETag) runs once
 * per function, guarded by a leased receipt in `azure-webjobs-hosts`. A failing version is retried
 * after `extensions.queues.visibilityTimeout`; after `maxDequeueCount` attempts (5) a notice goes
 * to `webjobs-blobtrigger-poison` and the version is not tried again. `source: 'EventGrid'` needs
 * an Event Grid subscription that cannot reach a local host, so such functions are not served.
 */
export class BlobTriggerListener implements TriggerListener {
  readonly kind = 'blobTrigger';
  readonly #functions: RegisteredFunction[];
  readonly #ctx: ListenerContext;
  readonly #options: BlobTriggerListenerOptions;
  readonly #sleeper = new PollSleeper();
  readonly #inFlight = new Map<string, Promise<void>>();
  #watches: BlobWatch[] = [];
  #queues: QueuesOptions | undefined;
  #maxParallel = DEFAULT_PARALLELISM;
  #leaseSeconds = DEFAULT_LEASE_SECONDS;
  #pollIntervalMs = DEFAULT_POLL_INTERVAL_MS;
  #backlog = false;
  #scanStart = 0;
  #loop: Promise<void> | undefined;

  constructor(functions: RegisteredFunction[], ctx: ListenerContext, options: BlobTriggerListenerOptions = {}) {
    this.#functions = functions.filter((f) => f.trigger.type.toLowerCase() === 'blobtrigger');
    this.#ctx = ctx;
    this.#options = options;
  }

  /** A function whose binding cannot be resolved is logged as in error and skipped, as the real host does; bad host.json or options throw. */
  async start(): Promise<void> {
    if (this.#loop) return;
    this.#queues = resolveQueuesOptions(this.#ctx.hostJson);
    this.#maxParallel = positiveInteger(
      this.#options.maxDegreeOfParallelism ?? this.#ctx.hostJson.extensions?.blobs?.maxDegreeOfParallelism ?? DEFAULT_PARALLELISM,
      'maxDegreeOfParallelism',
    );
    this.#leaseSeconds = positiveInteger(this.#options.receiptLeaseSeconds ?? DEFAULT_LEASE_SECONDS, 'receiptLeaseSeconds');
    if (this.#leaseSeconds < 15 || this.#leaseSeconds > 60) throw new RangeError(`receiptLeaseSeconds must be 15-60, got ${this.#leaseSeconds}`);
    this.#pollIntervalMs = positiveInteger(this.#options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, 'pollIntervalMs');
    const hostId = this.#options.hostId ?? this.#ctx.hostId ?? resolveHostId({ configured: tryResolveSetting(this.#ctx, HOST_ID_SETTING) });
    const hostStorage = BlobServiceClient.fromConnectionString(this.#ctx.storageConnectionString(), { retryOptions: LISTENER_STORAGE_RETRY });
    const receipts = new BlobReceiptStore(hostStorage.getContainerClient(HOSTS_CONTAINER), hostId);

    for (const fn of this.#functions) {
      try {
        const watch = this.#watchFor(fn, receipts);
        if (watch) this.#watches.push(watch);
      } catch (err) {
        this.#ctx.log.error(`The '${fn.name}' function is in error and will not run: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.#loop = this.#run();
  }

  /** Stops scanning and waits for the versions in flight to finish. */
  async stop(): Promise<void> {
    this.#sleeper.close();
    await this.#loop;
    await Promise.all(this.#inFlight.values());
  }

  async isDrained(): Promise<boolean> {
    if (this.#inFlight.size > 0) return false;
    for (const watch of this.#watches) {
      if (!watch.settledLoaded) return false;
      try {
        for await (const item of watch.container.listBlobsFlat({ prefix: watch.pattern.prefix })) {
          if (!watch.pattern.match(item.name)) continue;
          const key = versionKey({ container: watch.pattern.container, blobName: item.name, etag: quoteEtag(item.properties.etag ?? '') });
          if (!watch.settled.has(key)) return false;
        }
      } catch (err) {
        if (!isStorageError(err, 404)) throw err;
      }
    }
    return this.#inFlight.size === 0;
  }

  #watchFor(fn: RegisteredFunction, receipts: BlobReceiptStore): BlobWatch | undefined {
    const source = optionalString(fn, 'source') ?? 'LogsAndContainerScan';
    if (source.toLowerCase() === 'eventgrid') {
      this.#ctx.log.warn(
        `The '${fn.name}' function uses blob trigger source 'EventGrid', which the local host does not serve ` +
          `(Event Grid cannot deliver to it); it will not be triggered. Register it with source 'LogsAndContainerScan' to run it locally.`,
      );
      return undefined;
    }
    if (source.toLowerCase() !== 'logsandcontainerscan') {
      throw new TriggerConfigurationError(fn.name, 'blob', `'source' "${source}"`, "is not supported (use 'LogsAndContainerScan' or 'EventGrid')");
    }
    const path = optionalString(fn, 'path');
    if (path === undefined) throw new TriggerConfigurationError(fn.name, 'blob', "'path'", 'is missing');
    const pattern = BlobPathPattern.parse(this.#ctx.resolveSettings(path));
    const connectionString = this.#ctx.storageConnectionString(optionalString(fn, 'connection'));
    const blobs = BlobServiceClient.fromConnectionString(connectionString, { retryOptions: LISTENER_STORAGE_RETRY });
    const queues = QueueServiceClient.fromConnectionString(connectionString, { retryOptions: LISTENER_STORAGE_RETRY });
    return {
      functionName: fn.name,
      functionId: `Host.Functions.${fn.name}`,
      pattern,
      container: blobs.getContainerClient(pattern.container),
      receipts,
      poisonQueue: queues.getQueueClient(BLOB_TRIGGER_POISON_QUEUE),
      settled: new Set(),
      settledLoaded: false,
      retryAt: new Map(),
    };
  }

  async #run(): Promise<void> {
    while (!this.#sleeper.closed) {
      await this.#scan();
      await this.#sleeper.sleep(this.#pollIntervalMs);
    }
  }

  /** One pass over every watched container, dispatching unsettled versions while slots are free. */
  async #scan(): Promise<void> {
    this.#backlog = false;
    const count = this.#watches.length;
    // Rotate the starting function so a large container cannot starve the others.
    this.#scanStart = count === 0 ? 0 : (this.#scanStart + 1) % count;
    for (let i = 0; i < count && !this.#sleeper.closed; i++) {
      const watch = this.#watches[(this.#scanStart + i) % count]!;
      try {
        if (!watch.settledLoaded) {
          for (const version of await watch.receipts.listSettled(watch.functionId)) watch.settled.add(versionKey(version));
          watch.settledLoaded = true;
        }
        for await (const item of watch.container.listBlobsFlat({ prefix: watch.pattern.prefix })) {
          if (this.#sleeper.closed) return;
          const bindings = watch.pattern.match(item.name);
          if (!bindings) continue;
          const version: BlobVersion = { container: watch.pattern.container, blobName: item.name, etag: quoteEtag(item.properties.etag ?? '') };
          const key = versionKey(version);
          const flightKey = `${watch.functionName}\n${key}`;
          if (watch.settled.has(key) || this.#inFlight.has(flightKey) || (watch.retryAt.get(key) ?? 0) > Date.now()) continue;
          if (this.#inFlight.size >= this.#maxParallel) {
            this.#backlog = true;
            return;
          }
          this.#dispatch(flightKey, watch, version, bindings, item.properties.blobType ?? 'BlockBlob');
        }
      } catch (err) {
        // A container that does not exist yet simply has no blobs.
        if (!isStorageError(err, 404)) {
          this.#ctx.log.warn(`Blob trigger '${watch.functionName}' could not scan '${watch.pattern.path}': ${describeError(err)}`);
        }
      }
    }
  }

  #dispatch(flightKey: string, watch: BlobWatch, version: BlobVersion, bindings: Record<string, string>, blobType: string): void {
    const processing = this.#process(watch, version, bindings, blobType)
      .catch((err: unknown) => {
        this.#ctx.log.error(
          `Blob trigger '${watch.functionName}': handling '${version.container}/${version.blobName}' (${version.etag}) failed: ${describeError(err)}`,
        );
      })
      .finally(() => {
        this.#inFlight.delete(flightKey);
        if (this.#backlog) this.#sleeper.wake();
      });
    this.#inFlight.set(flightKey, processing);
  }

  async #process(watch: BlobWatch, version: BlobVersion, bindings: Record<string, string>, blobType: string): Promise<void> {
    const queues = this.#queues!;
    const key = versionKey(version);
    const receipt = watch.receipts.receipt(watch.functionId, version);
    await receipt.ensureExists();
    const held = await receipt.tryLease(this.#leaseSeconds);
    if (!held) return; // Another scan or host is on it; its receipt will tell the next scan.

    const renewal = new LeaseRenewal(held, this.#ctx.log);
    try {
      const state = await held.readState();
      if (state.status !== 'incomplete') {
        watch.settled.add(key);
        return;
      }
      if (state.attempts >= queues.maxDequeueCount) {
        // Attempts ran out in an earlier run (e.g. the host stopped mid-invocation): poison, do not invoke.
        await this.#poison(watch, version, blobType, held, state.attempts);
        return;
      }

      const blob = watch.container.getBlobClient(version.blobName);
      let download: BlobDownloadResponseParsed;
      let content: Buffer;
      try {
        download = await blob.download(0, undefined, { conditions: { ifMatch: version.etag } });
        content = await readAll(download.readableStreamBody);
      } catch (err) {
        if (isStorageError(err, 404) || isStorageError(err, 412)) {
          // This version is gone; the next scan sees the blob's current version, if any.
          await held.delete();
          return;
        }
        throw err;
      }

      const attempts = state.attempts + 1;
      await held.recordAttempt(attempts);
      let succeeded = false;
      try {
        const outcome = await this.#ctx.invoker.invoke(this.#request(watch, version, bindings, blob.url, download, content));
        succeeded = outcome.succeeded;
      } catch (err) {
        this.#ctx.log.error(`Blob trigger '${watch.functionName}': the invoker failed for '${version.container}/${version.blobName}': ${describeError(err)}`);
      }

      if (succeeded) {
        await held.markCompleted(attempts);
        watch.settled.add(key);
        watch.retryAt.delete(key);
      } else if (attempts >= queues.maxDequeueCount) {
        await this.#poison(watch, version, blobType, held, attempts);
      } else {
        watch.retryAt.set(key, Date.now() + queues.visibilityTimeoutMs);
      }
    } finally {
      await renewal.stop();
      await held.release();
    }
  }

  /** Writes the host's poison notice for a version and settles its receipt. */
  async #poison(watch: BlobWatch, version: BlobVersion, blobType: string, held: LeasedBlobReceipt, attempts: number): Promise<void> {
    const queues = this.#queues!;
    this.#ctx.log.warn(
      `Blob '${version.container}/${version.blobName}' (${version.etag}) failed ${attempts} times in '${watch.functionName}' ` +
        `(maxDequeueCount ${queues.maxDequeueCount}); adding it to '${BLOB_TRIGGER_POISON_QUEUE}'.`,
    );
    const notice = {
      Type: 'BlobTrigger',
      FunctionId: watch.functionId,
      BlobType: blobType,
      ContainerName: version.container,
      BlobName: version.blobName,
      ETag: version.etag,
    };
    await watch.poisonQueue.createIfNotExists();
    await watch.poisonQueue.sendMessage(encodeQueueMessage(JSON.stringify(notice), queues.messageEncoding));
    await held.markPoisoned(attempts);
    const key = versionKey(version);
    watch.settled.add(key);
    watch.retryAt.delete(key);
  }

  #request(
    watch: BlobWatch,
    version: BlobVersion,
    bindings: Record<string, string>,
    uri: string,
    download: BlobDownloadResponseParsed,
    content: Buffer,
  ): InvocationRequest {
    const metadata: Record<string, TypedData> = {};
    for (const [name, value] of Object.entries(bindings)) metadata[name] = stringData(value);
    Object.assign(metadata, {
      BlobTrigger: stringData(`${version.container}/${version.blobName}`),
      Uri: stringData(uri),
      Properties: jsonData(blobProperties(download, version.etag)),
      Metadata: jsonData(download.metadata ?? {}),
      sys: systemMetadata(watch.functionName),
    });
    return {
      functionName: watch.functionName,
      triggerData: { bytes: content },
      triggerMetadata: metadata,
      reason: `New blob detected(LogsAndContainerScan): ${version.container}/${version.blobName}`,
    };
  }
}

/**
 * The blob's properties under the names of .NET's `BlobProperties`, which is what the real host
 * serialises (the library camel-cases them, so a function reads `properties.contentLength`).
 */
function blobProperties(d: BlobDownloadResponseParsed, etag: string): Record<string, unknown> {
  const date = (value: Date | undefined): string | null => (value ? dotNetDateTimeOffset(value) : null);
  const md5 = d.blobContentMD5 ?? d.contentMD5;
  return {
    LastModified: date(d.lastModified),
    CreatedOn: date(d.createdOn),
    Metadata: d.metadata ?? {},
    BlobType: (d.blobType ?? 'BlockBlob').replace(/Blob$/, ''),
    ContentLength: d.contentLength ?? 0,
    ContentType: d.contentType ?? null,
    ETag: etag,
    ContentHash: md5 ? Buffer.from(md5).toString('base64') : null,
    ContentEncoding: d.contentEncoding ?? null,
    ContentDisposition: d.contentDisposition ?? null,
    ContentLanguage: d.contentLanguage ?? null,
    CacheControl: d.cacheControl ?? null,
    LeaseState: capitalize(d.leaseState),
    LeaseStatus: capitalize(d.leaseStatus),
    IsServerEncrypted: d.isServerEncrypted ?? false,
  };
}

/** Keeps a receipt's lease alive while a long invocation runs. */
class LeaseRenewal {
  readonly #timer: NodeJS.Timeout;
  #chain: Promise<void> = Promise.resolve();

  constructor(held: LeasedBlobReceipt, log: HostLogger) {
    this.#timer = setInterval(() => {
      this.#chain = this.#chain.then(() =>
        held.renew().catch((err: unknown) => log.warn(`Could not renew a blob receipt lease: ${describeError(err)}`)),
      );
    }, (held.durationSeconds * 1000) / 2);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#chain;
  }
}

function versionKey(version: BlobVersion): string {
  return `${version.container}/${version.blobName}\n${version.etag}`;
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  return stream ? buffer(stream) : Buffer.alloc(0);
}

function optionalString(fn: RegisteredFunction, option: string): string | undefined {
  return optionalStringOption(fn, 'blob', option);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`Blob trigger listener: ${name} must be a positive integer, got ${value}`);
  return value;
}

function tryResolveSetting(ctx: ListenerContext, name: string): string | undefined {
  try {
    return ctx.resolveSettings(`%${name}%`);
  } catch {
    return undefined;
  }
}

function capitalize(value: string | undefined): string | null {
  return value ? value.charAt(0).toUpperCase() + value.slice(1) : null;
}
