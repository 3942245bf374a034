import { performance } from 'node:perf_hooks';
import type { DirectoryUser } from '../scenario/directory-users';

/** Requests in flight against one mailbox, integrated over time. */
interface MailboxGauge {
  current: number;
  max: number;
  since: number;
  /** ∫ in-flight dt, in request-milliseconds. */
  area: number;
  /** Milliseconds with at least `ceiling` requests in flight, and with more than it. */
  atCeilingMs: number;
  overCeilingMs: number;
}

export interface MailboxInFlightFigures {
  durationMs: number;
  ceiling: number;
  /** Time-average of requests in flight per mailbox, over all mailboxes. */
  mean: number;
  /** The most in flight on any one mailbox at any moment. */
  max: number;
  /** Share of the time a mailbox had `ceiling` or more in flight, averaged over mailboxes. */
  shareAtCeiling: number;
  /** Share of the time a mailbox had more than `ceiling` in flight (Exchange would answer 429), averaged over mailboxes. */
  shareOverCeiling: number;
}

const MAILBOX_PATH = /\/users\/([^/?]+)\/(?:mailFolders|messages|mailboxSettings)\b/i;
const UPLOAD_PATH = /\/Users\('([^']*)'\)\/Messages\(/;

/**
 * Counts, in this process, the Graph requests in flight per mailbox from the moment `fetch` is
 * called until its response arrives — the concurrency Exchange's per-mailbox limit counts. It
 * wraps the global `fetch`, which the Graph SDK, the upload-session code and the bare client
 * all use; directory look-ups and anything not addressed to a mailbox are not counted.
 * Install once, around the measured run only, and uninstall afterwards.
 */
export class MailboxFetchProbe {
  readonly #original: typeof fetch;
  readonly #mailboxOf: ReadonlyMap<string, string>;
  readonly #ceiling: number;
  readonly #gauges = new Map<string, MailboxGauge>();
  #started = 0;

  private constructor(users: readonly DirectoryUser[], ceiling: number) {
    this.#original = globalThis.fetch;
    this.#ceiling = ceiling;
    const mailboxOf = new Map<string, string>();
    for (const user of users) {
      mailboxOf.set(user.id.toLowerCase(), user.userPrincipalName);
      mailboxOf.set(user.userPrincipalName.toLowerCase(), user.userPrincipalName);
    }
    this.#mailboxOf = mailboxOf;
  }

  static install(users: readonly DirectoryUser[], ceiling: number): MailboxFetchProbe {
    const probe = new MailboxFetchProbe(users, ceiling);
    const original = probe.#original;
    probe.#started = performance.now();
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const mailbox = probe.#mailboxFor(input);
      if (mailbox === undefined) return original(input, init);
      probe.#change(mailbox, +1);
      try {
        return await original(input, init);
      } finally {
        probe.#change(mailbox, -1);
      }
    };
    return probe;
  }

  /** Restores the global `fetch` and returns the figures over `users`' mailboxes. */
  uninstall(users: readonly DirectoryUser[]): MailboxInFlightFigures {
    globalThis.fetch = this.#original;
    const now = performance.now();
    const durationMs = Math.max(1, now - this.#started);
    const per = users.map((user) => {
      const gauge = this.#gauges.get(user.userPrincipalName);
      if (gauge !== undefined) this.#advance(gauge, now);
      return gauge ?? { current: 0, max: 0, since: now, area: 0, atCeilingMs: 0, overCeilingMs: 0 };
    });
    const average = (f: (g: MailboxGauge) => number): number => per.reduce((sum, g) => sum + f(g), 0) / Math.max(1, per.length);
    return {
      durationMs,
      ceiling: this.#ceiling,
      mean: average((g) => g.area / durationMs),
      max: Math.max(0, ...per.map((g) => g.max)),
      shareAtCeiling: average((g) => g.atCeilingMs / durationMs),
      shareOverCeiling: average((g) => g.overCeilingMs / durationMs),
    };
  }

  #mailboxFor(input: string | URL | Request): string | undefined {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const match = MAILBOX_PATH.exec(url) ?? UPLOAD_PATH.exec(url);
    if (match === null) return undefined;
    let key: string;
    try {
      key = decodeURIComponent(match[1] as string).toLowerCase();
    } catch {
      return undefined;
    }
    return this.#mailboxOf.get(key);
  }

  #change(mailbox: string, delta: 1 | -1): void {
    const now = performance.now();
    let gauge = this.#gauges.get(mailbox);
    if (gauge === undefined) {
      gauge = { current: 0, max: 0, since: now, area: 0, atCeilingMs: 0, overCeilingMs: 0 };
      this.#gauges.set(mailbox, gauge);
    }
    this.#advance(gauge, now);
    gauge.current += delta;
    gauge.max = Math.max(gauge.max, gauge.current);
  }

  #advance(gauge: MailboxGauge, now: number): void {
    const elapsed = now - gauge.since;
    gauge.area += gauge.current * elapsed;
    if (gauge.current >= this.#ceiling) gauge.atCeilingMs += elapsed;
    if (gauge.current > this.#ceiling) gauge.overCeilingMs += elapsed;
    gauge.since = now;
  }
}
