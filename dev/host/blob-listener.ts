import { buffer } from 'node:stream/consumers';
import { BlobServiceClient, type BlobDownloadResponseParsed, type ContainerClient, } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { BlobPathPattern } from './blob-path-pattern';
import { BlobReceiptStore, HOSTS_CONTAINER, quoteEtag, type BlobVersion, type LeasedBlobReceipt } from './blob-receipts';
import type { HostLogger, InvocationRequest, ListenerContext, RegisteredFunction, TriggerListener, TypedData } from './contracts';
import { HOST_ID_SETTING, resolveHostId } from './host-id';
import { PollSleeper } from './poll-sleeper';
import { encodeQueueMessage } from './queue-message-codec';
import { answerBlobWebhook, WebhookProcessingError, type BlobTriggerMessage } from './blob-webhook';
import type * as http from 'node:http';
import { QueueFunctionPoller } from './queue-listener';
import { MIN_POLLING_INTERVAL_MS, resolveBlobsOptions, type BlobsOptions } from './queues-options';
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
/** HostQueueNames.GetHostBlobTriggerQueueName: where the webhook queues blob trigger messages. */
const BLOB_TRIGGER_QUEUE_PREFIX = 'azure-webjobs-blobtrigger-';
/** The extension name in `/runtime/webhooks/blobs` and its key `blobs_extension`. */
export const BLOBS_WEBHOOK_EXTENSION = 'blobs';
const MAX_WEBHOOK_BODY_BYTES = 4 * 1024 * 1024;
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
  /** Failed versions and when they may be retried (at once: the blob queue's visibilityTimeout is 0). */
  retryAt: Map<string, number>;
}

/** One blob-triggered function with `source: 'EventGrid'`, fed by the webhook through the host's blob trigger queue. */
interface EventGridRegistration {
  functionName: string;
  pattern: BlobPathPattern;
  blobs: BlobServiceClient;
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
  readonly #eventGrid = new Map<string, EventGridRegistration>();
  #blobQueue: QueueFunctionPoller | undefined;
  #blobQueueClient: QueueClient | undefined;
  #blobQueueReady: Promise<unknown> | undefined;
  #blobs: BlobsOptions | undefined;
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
    this.#blobs = resolveBlobsOptions(this.#ctx.hostJson, this.#options.maxDegreeOfParallelism ?? DEFAULT_PARALLELISM);
    this.#maxParallel = this.#blobs.maxDegreeOfParallelism;
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
    if (this.#eventGrid.size > 0) {
      const queues = QueueServiceClient.fromConnectionString(this.#ctx.storageConnectionString(), { retryOptions: LISTENER_STORAGE_RETRY });
      const queue = queues.getQueueClient(`${BLOB_TRIGGER_QUEUE_PREFIX}${hostId.toLowerCase()}`.slice(0, 63));
      this.#blobQueueClient = queue;
      this.#blobQueue = new QueueFunctionPoller({
        functionName: 'SharedBlobQueueListener',
        queue,
        poisonQueue: queues.getQueueClient(BLOB_TRIGGER_POISON_QUEUE),
        queues: this.#blobs.queues,
        invoker: this.#ctx.invoker,
        log: this.#ctx.log,
        processingVisibilityTimeoutMs: 10 * 60_000,
        minPollingIntervalMs: MIN_POLLING_INTERVAL_MS,
        execute: (_message, text) => this.#executeBlobMessage(text),
      });
      this.#blobQueue.start();
    }
    this.#loop = this.#run();
  }

  /** True when some function takes its blobs from Event Grid (the webhook then answers for them). */
  get servesEventGrid(): boolean {
    return this.#eventGrid.size > 0;
  }

  /**
   * `POST /runtime/webhooks/blobs` (the key already checked by the host): answers as the
   * extension does, queueing each BlobCreated event as a blob trigger message.
   */
  async handleWebhook(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const header = req.headers['aeg-event-type'];
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_WEBHOOK_BODY_BYTES) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    try {
      const answer = await answerBlobWebhook(
        Array.isArray(header) ? header[0] : header,
        url.searchParams.get('functionName'),
        Buffer.concat(chunks).toString('utf8'),
        (messages) => this.#enqueue(messages),
      );
      if (answer.body === undefined) res.writeHead(answer.status).end();
      else {
        const bytes = Buffer.from(JSON.stringify(answer.body), 'utf8');
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length }).end(bytes);
      }
    } catch (err) {
      const reason = err instanceof WebhookProcessingError ? err.message : describeError(err);
      this.#ctx.log.error(`The blobs extension webhook failed (${url.searchParams.get('functionName') ?? 'no functionName'}): ${reason}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }

  async #enqueue(messages: BlobTriggerMessage[]): Promise<void> {
    const queue = this.#blobQueueClient;
    if (!queue) throw new Error('No blob-triggered function uses the EventGrid source.');
    // The writer creates the queue (BlobTriggerQueueWriter), once per process; retried after a failure.
    this.#blobQueueReady ??= queue.createIfNotExists().catch((err: unknown) => {
      this.#blobQueueReady = undefined;
      throw err;
    });
    await this.#blobQueueReady;
    for (const message of messages) await queue.sendMessage(encodeQueueMessage(JSON.stringify(message), 'base64'));
    this.#blobQueue?.wake();
  }

  /**
   * BlobQueueTriggerExecutor for the EventGrid source: an unknown function or a blob that no
   * longer exists completes the message; the blob is read as it is now (no ETag check for
   * EventGrid); the function's outcome is the message's outcome (retried, then poisoned by the
   * queue processor after poisonBlobThreshold dequeues).
   */
  async #executeBlobMessage(text: string): Promise<boolean> {
    const message = JSON.parse(text) as Partial<BlobTriggerMessage> | null;
    if (!message || typeof message.FunctionId !== 'string') throw new Error('Invalid blob trigger message.');
    const registration = this.#eventGrid.get(message.FunctionId);
    if (!registration) {
      this.#ctx.log.warn(`Blob trigger message for '${message.BlobName}' names function '${message.FunctionId}', which this host does not have; ignored.`);
      return true;
    }
    const containerName = String(message.ContainerName);
    const blobName = String(message.BlobName);
    const bindings = containerName === registration.pattern.container ? registration.pattern.match(blobName) : undefined;
    if (!bindings) {
      this.#ctx.log.warn(`Blob '${containerName}/${blobName}' does not match '${registration.pattern.path}' of '${registration.functionName}'; ignored.`);
      return true;
    }
    const blob = registration.blobs.getContainerClient(containerName).getBlobClient(blobName);
    let download: BlobDownloadResponseParsed;
    let content: Buffer;
    try {
      download = await blob.download();
      content = await readAll(download.readableStreamBody);
    } catch (err) {
      if (isStorageError(err, 404)) {
        this.#ctx.log.info(`Blob '${containerName}/${blobName}' no longer exists; its trigger message is completed.`);
        return true;
      }
      throw err;
    }
    const version: BlobVersion = { container: containerName, blobName, etag: quoteEtag(download.etag ?? '') };
    const outcome = await this.#ctx.invoker.invoke(
      this.#request(registration.functionName, version, bindings, blob.url, download, content, 'EventGrid'),
    );
    return outcome.succeeded;
  }

  /** Stops scanning and waits for the versions in flight to finish. */
  async stop(): Promise<void> {
    this.#sleeper.close();
    await this.#loop;
    await Promise.all(this.#inFlight.values());
    await this.#blobQueue?.stop();
  }

  async isDrained(): Promise<boolean> {
    if (this.#inFlight.size > 0) return false;
    if (this.#blobQueue && !(await this.#blobQueue.isDrained())) return false;
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
      const path = optionalString(fn, 'path');
      if (path === undefined) throw new TriggerConfigurationError(fn.name, 'blob', "'path'", 'is missing');
      const registration: EventGridRegistration = {
        functionName: fn.name,
        pattern: BlobPathPattern.parse(this.#ctx.resolveSettings(path)),
        blobs: BlobServiceClient.fromConnectionString(this.#ctx.storageConnectionString(optionalString(fn, 'connection')), {
          retryOptions: LISTENER_STORAGE_RETRY,
        }),
      };
      // The executor knows a function by its descriptor id and its short name.
      this.#eventGrid.set(`Host.Functions.${fn.name}`, registration);
      this.#eventGrid.set(`Functions.${fn.name}`, registration);
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
    const queues = this.#blobs!.queues;
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
        const outcome = await this.#ctx.invoker.invoke(
          this.#request(watch.functionName, version, bindings, blob.url, download, content, 'LogsAndContainerScan'),
        );
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
    const queues = this.#blobs!.queues;
    this.#ctx.log.warn(
      `Blob '${version.container}/${version.blobName}' (${version.etag}) failed ${attempts} times in '${watch.functionName}' ` +
        `(extensions.blobs.poisonBlobThreshold ${queues.maxDequeueCount}); adding it to '${BLOB_TRIGGER_POISON_QUEUE}'.`,
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
    functionName: string,
    version: BlobVersion,
    bindings: Record<string, string>,
    uri: string,
    download: BlobDownloadResponseParsed,
    content: Buffer,
    source: 'EventGrid' | 'LogsAndContainerScan',
  ): InvocationRequest {
    const metadata: Record<string, TypedData> = {};
    for (const [name, value] of Object.entries(bindings)) metadata[name] = stringData(value);
    Object.assign(metadata, {
      BlobTrigger: stringData(`${version.container}/${version.blobName}`),
      Uri: stringData(uri),
      Properties: jsonData(blobProperties(download, version.etag)),
      Metadata: jsonData(download.metadata ?? {}),
      sys: systemMetadata(functionName),
    });
    return {
      functionName,
      triggerData: { bytes: content },
      triggerMetadata: metadata,
      reason: `New blob detected(${source}): ${version.container}/${version.blobName}`,
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
