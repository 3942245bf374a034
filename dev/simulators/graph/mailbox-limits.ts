/** Outlook's per-application, per-mailbox limits (https://learn.microsoft.com/graph/throttling-limits). */
export interface GraphLimits {
  /** Requests in progress at once against one mailbox; the next one is answered 429. Default 4. */
  concurrentPerMailbox?: number;
  /** Requests admitted per mailbox in any 10 minutes. Default 10,000. */
  requestsPer10Min?: number;
  /** Request body bytes (POST, PUT, PATCH) per mailbox in any 5 minutes. Default 150 MiB. */
  uploadBytesPer5Min?: number;
}

export const DEFAULT_LIMITS: Required<GraphLimits> = {
  concurrentPerMailbox: 4,
  requestsPer10Min: 10_000,
  uploadBytesPer5Min: 150 * 1024 * 1024,
};

const REQUEST_WINDOW_MS = 10 * 60 * 1000;
const UPLOAD_WINDOW_MS = 5 * 60 * 1000;
/** Exchange asks a client over its concurrency limit to come back shortly. */
const CONCURRENCY_RETRY_AFTER_SECONDS = 1;

/** Which Exchange limit refused a request; the names appear in Graph's throttling messages. */
export type ThrottleReason = 'MailboxConcurrency' | 'RequestCount' | 'IncomingBytes';

export interface Throttled {
  throttled: true;
  reason: ThrottleReason;
  retryAfterSeconds: number;
}

export interface Admitted {
  throttled: false;
  /** Ends the request: frees its concurrency slot and records the body bytes actually received. */
  release(receivedBodyBytes: number): void;
}

interface UploadEntry {
  at: number;
  bytes: number;
}

/** What a mailbox saw, for the stats: how busy it was and which limits refused it. */
export interface MailboxActivity {
  /** Requests admitted. */
  admitted: number;
  /** Requests in progress now. */
  inFlight: number;
  /** The most requests it ever had in progress at once. */
  maxInFlight: number;
  /** The time-average of requests in progress from its first admitted request to now. */
  meanInFlight: number;
  /** Milliseconds spent with 0, 1, 2, … requests in progress, from its first admitted request to now (index = requests in progress). */
  msByInFlight: number[];
  /**
   * Once the mailbox first had its concurrency limit in flight: for each request that ended, how
   * long until a request was admitted in its place (the oldest freed place is filled first), in
   * milliseconds, in order. Their sum is the time places stood idle: the client's time between
   * one answer and the next request.
   */
  refillGapsMs: number[];
  /** 429s by the limit that sent them. */
  throttled: Partial<Record<ThrottleReason, number>>;
}

class MailboxUsage {
  inFlight = 0;
  admitted = 0;
  maxInFlight = 0;
  /** Request-milliseconds in progress since `firstAt`, up to `changedAt`. */
  inFlightIntegral = 0;
  firstAt: number | undefined;
  changedAt = 0;
  readonly throttled: Partial<Record<ThrottleReason, number>> = {};
  readonly msByInFlight: number[] = [];
  readonly refillGapsMs: number[] = [];
  /** When requests ended whose places no admission has filled since, oldest first. */
  readonly #freedAt: number[] = [];
  #reachedLimit = false;
  readonly requests: number[] = [];
  readonly uploads: UploadEntry[] = [];

  prune(now: number): void {
    while (this.requests.length > 0 && this.requests[0] <= now - REQUEST_WINDOW_MS) this.requests.shift();
    while (this.uploads.length > 0 && this.uploads[0].at <= now - UPLOAD_WINDOW_MS) this.uploads.shift();
  }

  /** Moves the in-flight count by `delta` at `now`, keeping the time integral. */
  changeInFlight(delta: number, now: number, limit: number): void {
    if (this.firstAt !== undefined) {
      const elapsed = Math.max(0, now - this.changedAt);
      this.inFlightIntegral += this.inFlight * elapsed;
      this.msByInFlight[this.inFlight] = (this.msByInFlight[this.inFlight] ?? 0) + elapsed;
    }
    this.firstAt ??= now;
    this.changedAt = now;
    // Once the mailbox has been at its limit, every ended request frees a place that the next
    // admission fills, the oldest freed place first: the gaps add up to the places' idle time.
    if (this.inFlight + delta >= limit) this.#reachedLimit = true;
    if (delta < 0 && this.#reachedLimit) this.#freedAt.push(now);
    else if (delta > 0 && this.#freedAt.length > 0) this.refillGapsMs.push(now - (this.#freedAt.shift() as number));
    this.inFlight += delta;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }

  refuse(reason: ThrottleReason): void {
    this.throttled[reason] = (this.throttled[reason] ?? 0) + 1;
  }

  uploadedBytes(): number {
    return this.uploads.reduce((sum, entry) => sum + entry.bytes, 0);
  }
}

function validateLimit(name: keyof GraphLimits, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`limits.${name} must be a positive integer, got ${value}`);
  return value;
}

/** Enforces the three mailbox limits with sliding windows, as Exchange does. */
export class MailboxLimiter {
  readonly limits: Readonly<Required<GraphLimits>>;
  readonly #now: () => number;
  readonly #usage = new Map<string, MailboxUsage>();

  constructor(limits: GraphLimits = {}, now: () => number = Date.now) {
    const merged = { ...DEFAULT_LIMITS, ...limits };
    for (const name of Object.keys(DEFAULT_LIMITS) as (keyof GraphLimits)[]) validateLimit(name, merged[name]);
    this.limits = merged;
    this.#now = now;
  }

  /**
   * Admits a request against a mailbox or says which limit refuses it and for how long.
   * `declaredBodyBytes` is the Content-Length of a body that counts as upload (0 for none).
   */
  admit(mailboxKey: string, declaredBodyBytes: number): Admitted | Throttled {
    const usage = this.#usageOf(mailboxKey);
    const now = this.#now();
    usage.prune(now);
    if (usage.inFlight >= this.limits.concurrentPerMailbox) {
      usage.refuse('MailboxConcurrency');
      return { throttled: true, reason: 'MailboxConcurrency', retryAfterSeconds: CONCURRENCY_RETRY_AFTER_SECONDS };
    }
    if (usage.requests.length >= this.limits.requestsPer10Min) {
      // The request that frees a place is the one that leaves the window first.
      const freedAt = usage.requests[usage.requests.length - this.limits.requestsPer10Min] + REQUEST_WINDOW_MS;
      usage.refuse('RequestCount');
      return { throttled: true, reason: 'RequestCount', retryAfterSeconds: secondsUntil(freedAt, now) };
    }
    const uploaded = usage.uploadedBytes();
    if (declaredBodyBytes > 0 && uploaded + declaredBodyBytes > this.limits.uploadBytesPer5Min) {
      usage.refuse('IncomingBytes');
      return {
        throttled: true,
        reason: 'IncomingBytes',
        retryAfterSeconds: secondsUntil(this.#uploadFreedAt(usage, declaredBodyBytes), now),
      };
    }
    usage.changeInFlight(1, now, this.limits.concurrentPerMailbox);
    usage.admitted += 1;
    usage.requests.push(now);
    const entry: UploadEntry = { at: now, bytes: declaredBodyBytes };
    if (declaredBodyBytes > 0) usage.uploads.push(entry);
    let released = false;
    return {
      throttled: false,
      release: (receivedBodyBytes: number): void => {
        if (released) return;
        released = true;
        usage.changeInFlight(-1, this.#now(), this.limits.concurrentPerMailbox);
        if (receivedBodyBytes !== entry.bytes) {
          entry.bytes = receivedBodyBytes;
          if (!usage.uploads.includes(entry) && receivedBodyBytes > 0) usage.uploads.push(entry);
        }
      },
    };
  }

  inFlight(mailboxKey: string): number {
    return this.#usage.get(mailboxKey)?.inFlight ?? 0;
  }

  /** What each mailbox that saw a request has seen, by mailbox key. */
  activity(): Map<string, MailboxActivity> {
    const now = this.#now();
    const out = new Map<string, MailboxActivity>();
    for (const [key, usage] of this.#usage) {
      const elapsed = usage.firstAt === undefined ? 0 : now - usage.firstAt;
      const integral = usage.inFlightIntegral + usage.inFlight * Math.max(0, now - usage.changedAt);
      const msByInFlight = Array.from({ length: usage.maxInFlight + 1 }, (_, n) => usage.msByInFlight[n] ?? 0);
      msByInFlight[usage.inFlight] = (msByInFlight[usage.inFlight] ?? 0) + Math.max(0, now - usage.changedAt);
      out.set(key, {
        admitted: usage.admitted,
        inFlight: usage.inFlight,
        maxInFlight: usage.maxInFlight,
        meanInFlight: elapsed > 0 ? integral / elapsed : usage.inFlight,
        msByInFlight,
        refillGapsMs: [...usage.refillGapsMs],
        throttled: { ...usage.throttled },
      });
    }
    return out;
  }

  #usageOf(mailboxKey: string): MailboxUsage {
    let usage = this.#usage.get(mailboxKey);
    if (usage === undefined) {
      usage = new MailboxUsage();
      this.#usage.set(mailboxKey, usage);
    }
    return usage;
  }

  /** When enough earlier uploads leave the window for `bytes` more to fit. */
  #uploadFreedAt(usage: MailboxUsage, bytes: number): number {
    let remaining = usage.uploadedBytes();
    for (const entry of usage.uploads) {
      remaining -= entry.bytes;
      if (remaining + bytes <= this.limits.uploadBytesPer5Min) return entry.at + UPLOAD_WINDOW_MS;
    }
    return this.#now() + UPLOAD_WINDOW_MS;
  }
}

function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}
