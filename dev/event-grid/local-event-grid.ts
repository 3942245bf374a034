import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { BLOB_CREATED, blobCreatedEvent, blobSubject, subscriptionValidationEvent, type EventGridEvent } from './blob-created-event';
import { DELIVERY_TIMEOUT_MS, retryDelayMs, verdictFor } from './retry-policy';

/** The subscription, as infra/modules/event-subscription.bicep declares it. */
export interface EventGridSubscription {
  /** `aeg-subscription-name`; default `<container>-to-importItem`-like `<container>-subscription`. */
  name?: string;
  container: string;
  /** Default `/blobServices/default/containers/<container>/`. */
  subjectBeginsWith?: string;
  subjectEndsWith?: string;
  /** Default `['Microsoft.Storage.BlobCreated']`. */
  includedEventTypes?: string[];
  /** 1-30, default 30. */
  maxDeliveryAttempts?: number;
  /** 1-1440, default 1440. */
  eventTimeToLiveMinutes?: number;
}

export interface LocalEventGridOptions {
  /** The storage account whose container is watched (Azurite). */
  connectionString: string;
  subscription: EventGridSubscription;
  /** How often the container is listed for new or overwritten blobs. Default 200 ms. */
  scanIntervalMs?: number;
  /** Multiplies the retry schedule (10 s, 30 s, 1 min, ...); 1 is Event Grid's own. Default 1. */
  retryScale?: number;
  /**
   * Deliver every `every`-th event twice (1: every event). With `sameInstant` both copies go out
   * at once, to different endpoints when there are several; otherwise the second copy follows
   * once the first is delivered (after the events noticed with it: late, out of order).
   */
  duplicates?: { every: number; sameInstant?: boolean };
  /** Deliver the events noticed in one scan newest first. */
  outOfOrder?: boolean;
  /** Blobs already in the container at start: ignored (as a new subscription, the default) or delivered. */
  includeExisting?: boolean;
  log?: (line: string) => void;
}

/** An event Event Grid gave up on (the subscription's dead-letter container, in Azure). */
export interface DeadLetteredEvent {
  event: EventGridEvent;
  reason: 'MaxDeliveryAttemptsExceeded' | 'TimeToLiveExceeded' | 'NotRetriedStatus';
  lastStatus: number | undefined;
  attempts: number;
}

interface Delivery {
  event: EventGridEvent;
  copy: number;
  attempts: number;
  firstAt: number;
}

/**
 * Plays Event Grid against Azurite for one subscription: it lists the container, turns every new
 * or overwritten blob (a new ETag) that passes the subscription's filter into a BlobCreated event,
 * and delivers it at least once to the webhook endpoints with Event Grid's retry schedule,
 * optionally twice and out of order, round robin over several endpoints (host instances).
 */
export class LocalEventGrid {
  readonly #options: LocalEventGridOptions;
  readonly #container: ContainerClient;
  readonly #account: string;
  readonly #seen = new Map<string, string>();
  readonly #endpoints: string[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #deadLettered: DeadLetteredEvent[] = [];
  readonly #log: (line: string) => void;
  #next = 0;
  #eventCount = 0;
  #delivered = 0;
  #attempts = 0;
  #baselined = false;
  #scanning: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  readonly #wake = new AbortController();

  constructor(options: LocalEventGridOptions) {
    this.#options = options;
    const service = BlobServiceClient.fromConnectionString(options.connectionString);
    this.#container = service.getContainerClient(options.subscription.container);
    this.#account = service.accountName;
    this.#log = options.log ?? (() => undefined);
    const attempts = options.subscription.maxDeliveryAttempts ?? 30;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 30) throw new RangeError(`maxDeliveryAttempts must be 1-30, got ${attempts}`);
    const ttl = options.subscription.eventTimeToLiveMinutes ?? 1440;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 1440) throw new RangeError(`eventTimeToLiveMinutes must be 1-1440, got ${ttl}`);
    if (options.duplicates && (!Number.isInteger(options.duplicates.every) || options.duplicates.every < 1)) {
      throw new RangeError(`duplicates.every must be a positive integer, got ${options.duplicates.every}`);
    }
  }

  get subscriptionName(): string {
    return this.#options.subscription.name ?? `${this.#options.subscription.container}-subscription`;
  }

  /** Events given up on, with why. */
  get deadLettered(): readonly DeadLetteredEvent[] {
    return this.#deadLettered;
  }

  /** Deliveries answered 200-204, and delivery attempts made (retries and duplicates included). */
  get stats(): { events: number; delivered: number; attempts: number; deadLettered: number } {
    return { events: this.#eventCount, delivered: this.#delivered, attempts: this.#attempts, deadLettered: this.#deadLettered.length };
  }

  /** Takes the container's current blobs as known (unless `includeExisting`), then scans on. */
  async start(): Promise<void> {
    if (this.#loop) return;
    await this.#scan();
    this.#loop = this.#run();
  }

  /** Stops scanning; deliveries under way and scheduled retries are abandoned. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake.abort();
    await this.#loop;
    await Promise.allSettled([...this.#pending]);
  }

  /**
   * Adds a webhook endpoint after Event Grid's validation handshake (as creating the subscription
   * does): the endpoint must answer the SubscriptionValidation event with its validationCode.
   */
  async addEndpoint(url: string): Promise<void> {
    const code = randomUUID();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'SubscriptionValidation', 'aeg-subscription-name': this.subscriptionName.toUpperCase() },
      body: JSON.stringify([subscriptionValidationEvent(this.#topic, code)]),
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    const text = await response.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (response.status !== 200 || (answer as { validationResponse?: unknown } | undefined)?.validationResponse !== code) {
      throw new Error(`Webhook validation failed for ${redact(url)}: ${response.status} ${text.slice(0, 200)}`);
    }
    this.#endpoints.push(url);
  }

  /** Stops delivering to an endpoint (its host was stopped); events for it go to the others. */
  removeEndpoint(url: string): void {
    const i = this.#endpoints.indexOf(url);
    if (i >= 0) this.#endpoints.splice(i, 1);
  }

  /** True when a scan made now finds nothing new and no delivery is pending or scheduled. */
  async isIdle(): Promise<boolean> {
    if (this.#pending.size > 0) return false;
    await this.#scan();
    return this.#pending.size === 0;
  }

  /** Resolves once {@link isIdle}; fails after `timeoutMs`. */
  async waitForIdle(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.isIdle())) {
      if (Date.now() > deadline) throw new Error(`The local Event Grid still had ${this.#pending.size} deliveries pending after ${timeoutMs} ms.`);
      await Promise.race([Promise.allSettled([...this.#pending]), delay(250)]);
    }
  }

  get #topic(): string {
    return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/${this.#account}`;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      await delay(this.#options.scanIntervalMs ?? 200, undefined, { signal: this.#wake.signal }).catch(() => undefined);
      if (this.#stopped) break;
      try {
        await this.#scan();
      } catch (err) {
        this.#log(`Event Grid (local): listing '${this.#container.containerName}' failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** One listing at a time; a caller arriving during one waits for it and then runs its own. */
  async #scan(): Promise<void> {
    while (this.#scanning) await this.#scanning;
    this.#scanning = this.#scanOnce().finally(() => (this.#scanning = undefined));
    await this.#scanning;
  }

  async #scanOnce(): Promise<void> {
    const fresh: EventGridEvent[] = [];
    try {
      for await (const item of this.#container.listBlobsFlat()) {
        const etag = item.properties.etag ?? '';
        if (this.#seen.get(item.name) === etag) continue;
        this.#seen.set(item.name, etag);
        if (!this.#baselined && !this.#options.includeExisting) continue;
        const event = blobCreatedEvent({
          account: this.#account,
          container: this.#container.containerName,
          blobName: item.name,
          url: this.#container.getBlobClient(item.name).url,
          etag,
          ...(item.properties.contentType ? { contentType: item.properties.contentType } : {}),
          ...(item.properties.contentLength !== undefined ? { contentLength: item.properties.contentLength } : {}),
          ...(item.properties.blobType ? { blobType: item.properties.blobType } : {}),
          lastModified: item.properties.lastModified,
        });
        if (this.#passesFilter(event)) fresh.push(event);
      }
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
    this.#baselined = true;
    if (this.#options.outOfOrder) fresh.reverse();
    const late: EventGridEvent[] = [];
    for (const event of fresh) {
      this.#eventCount++;
      const duplicate = this.#options.duplicates !== undefined && this.#eventCount % this.#options.duplicates.every === 0;
      this.#track(this.#deliver({ event, copy: 1, attempts: 0, firstAt: Date.now() }));
      if (duplicate && this.#options.duplicates?.sameInstant) this.#track(this.#deliver({ event, copy: 2, attempts: 0, firstAt: Date.now() }));
      else if (duplicate) late.push(event);
    }
    if (late.length > 0) {
      const firsts = [...this.#pending];
      this.#track(
        Promise.allSettled(firsts).then(async () => {
          await Promise.all(late.map((event) => this.#deliver({ event, copy: 2, attempts: 0, firstAt: Date.now() })));
        }),
      );
    }
  }

  #passesFilter(event: EventGridEvent): boolean {
    const s = this.#options.subscription;
    const types = s.includedEventTypes ?? [BLOB_CREATED];
    if (!types.some((t) => t.toLowerCase() === event.eventType.toLowerCase())) return false;
    // Subject filters are case-insensitive unless the subscription says otherwise (it does not).
    const subject = event.subject.toLowerCase();
    const begins = (s.subjectBeginsWith ?? blobSubject(s.container, '')).toLowerCase();
    if (!subject.startsWith(begins)) return false;
    if (s.subjectEndsWith && !subject.endsWith(s.subjectEndsWith.toLowerCase())) return false;
    return true;
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => this.#log(`Event Grid (local): ${err instanceof Error ? err.message : String(err)}`)).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Delivers one copy of an event until it is delivered or dead-lettered. */
  async #deliver(delivery: Delivery): Promise<void> {
    const maxAttempts = this.#options.subscription.maxDeliveryAttempts ?? 30;
    const ttlMs = (this.#options.subscription.eventTimeToLiveMinutes ?? 1440) * 60_000 * (this.#options.retryScale ?? 1);
    for (;;) {
      if (this.#stopped) return;
      const endpoint = this.#pickEndpoint();
      let status: number | undefined;
      if (endpoint !== undefined) {
        this.#attempts++;
        status = await this.#post(endpoint, delivery);
        delivery.attempts++;
        const verdict = verdictFor(status);
        if (verdict === 'delivered') {
          this.#delivered++;
          return;
        }
        if (verdict === 'dead-letter') return this.#deadLetter(delivery, 'NotRetriedStatus', status);
        this.#log(`Event Grid (local): ${delivery.event.subject} (copy ${delivery.copy}) attempt ${delivery.attempts} to ${redact(endpoint)} answered ${status ?? 'nothing'}; retrying.`);
      } else {
        delivery.attempts++;
      }
      if (delivery.attempts >= maxAttempts) return this.#deadLetter(delivery, 'MaxDeliveryAttemptsExceeded', status);
      const wait = retryDelayMs(delivery.attempts, this.#options.retryScale ?? 1);
      if (Date.now() + wait - delivery.firstAt > ttlMs) return this.#deadLetter(delivery, 'TimeToLiveExceeded', status);
      await delay(wait, undefined, { signal: this.#wake.signal }).catch(() => undefined);
    }
  }

  #pickEndpoint(): string | undefined {
    if (this.#endpoints.length === 0) return undefined;
    const endpoint = this.#endpoints[this.#next % this.#endpoints.length]!;
    this.#next++;
    return endpoint;
  }

  async #post(endpoint: string, delivery: Delivery): Promise<number | undefined> {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'aeg-event-type': 'Notification',
          'aeg-subscription-name': this.subscriptionName.toUpperCase(),
          'aeg-delivery-count': String(delivery.attempts),
          'aeg-data-version': delivery.event.dataVersion,
          'aeg-metadata-version': delivery.event.metadataVersion,
        },
        body: JSON.stringify([delivery.event]),
        signal: AbortSignal.any([AbortSignal.timeout(DELIVERY_TIMEOUT_MS), this.#wake.signal]),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return undefined; // refused, reset or timed out: retried like a 5xx
    }
  }

  #deadLetter(delivery: Delivery, reason: DeadLetteredEvent['reason'], lastStatus: number | undefined): void {
    this.#deadLettered.push({ event: delivery.event, reason, lastStatus, attempts: delivery.attempts });
    this.#log(`Event Grid (local): dead-lettered ${delivery.event.subject} (copy ${delivery.copy}) after ${delivery.attempts} attempts: ${reason} (${lastStatus ?? 'no answer'}).`);
  }
}

/** Endpoint URLs carry the system key in `code`: never logged. */
function redact(url: string): string {
  return url.replace(/([?&]code=)[^&]*/i, '$1***');
}
