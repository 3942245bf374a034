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

class MailboxUsage {
  inFlight = 0;
  readonly requests: number[] = [];
  readonly uploads: UploadEntry[] = [];

  prune(now: number): void {
    while (this.requests.length > 0 && this.requests[0] <= now - REQUEST_WINDOW_MS) this.requests.shift();
    while (this.uploads.length > 0 && this.uploads[0].at <= now - UPLOAD_WINDOW_MS) this.uploads.shift();
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
      return { throttled: true, reason: 'MailboxConcurrency', retryAfterSeconds: CONCURRENCY_RETRY_AFTER_SECONDS };
    }
    if (usage.requests.length >= this.limits.requestsPer10Min) {
      // The request that frees a place is the one that leaves the window first.
      const freedAt = usage.requests[usage.requests.length - this.limits.requestsPer10Min] + REQUEST_WINDOW_MS;
      return { throttled: true, reason: 'RequestCount', retryAfterSeconds: secondsUntil(freedAt, now) };
    }
    const uploaded = usage.uploadedBytes();
    if (declaredBodyBytes > 0 && uploaded + declaredBodyBytes > this.limits.uploadBytesPer5Min) {
      return {
        throttled: true,
        reason: 'IncomingBytes',
        retryAfterSeconds: secondsUntil(this.#uploadFreedAt(usage, declaredBodyBytes), now),
      };
    }
    usage.inFlight += 1;
    usage.requests.push(now);
    const entry: UploadEntry = { at: now, bytes: declaredBodyBytes };
    if (declaredBodyBytes > 0) usage.uploads.push(entry);
    let released = false;
    return {
      throttled: false,
      release: (receivedBodyBytes: number): void => {
        if (released) return;
        released = true;
        usage.inFlight -= 1;
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
