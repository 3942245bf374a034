import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { RequestKind } from './latency-model';
import type { MailboxActivity, ThrottleReason } from './mailbox-limits';
import type { UserDirectory } from './user-directory';

export interface SimulatorStatsSnapshot {
  /** Requests answered (Graph, upload and each request inside `$batch`), control requests excluded. */
  requests: number;
  /** Answers by HTTP status; a dropped connection counts under `reset`. */
  byStatus: Record<string, number>;
  /** 429s from the mailbox limits (injected faults not included). */
  throttled: number;
  /** Requests an injected fault answered. */
  faultsInjected: number;
  /** Requests in progress, by userPrincipalName of the mailbox they count against. */
  inFlight: Record<string, number>;
  /** 429s from the mailbox limits, by the limit that sent them. */
  throttledBy: Partial<Record<ThrottleReason, number>>;
  /** The most requests any one mailbox had in progress at once, by the simulator's own count. */
  maxInFlightPerMailbox: number;
  /** Per mailbox that saw a request (by userPrincipalName): admitted, in progress now, most at once, time-average, 429s by limit. */
  mailboxes: Record<string, MailboxActivity>;
  /**
   * What the latency model drew, by kind of request: how many and their total milliseconds. The
   * draws' own mean, beside the model's: over a thousand creates it differs from the model's by
   * a few per cent, so a run's ceiling is the draws' mean, not the model's.
   */
  latencyDrawn: Partial<Record<RequestKind, { count: number; totalMs: number }>>;
  /**
   * How late the simulator's own event loop ran its timers (ms): a stall here holds every request
   * in flight longer than its drawn latency and delays the next admission, which a client cannot help.
   */
  eventLoopDelayMs: { mean: number; p99: number; max: number };
}

/** Live counters of what the simulator has answered. */
export class SimulatorStats {
  readonly #directory: UserDirectory;
  readonly #inFlightOf: (userId: string) => number;
  readonly #activity: () => Map<string, MailboxActivity>;
  readonly #byStatus = new Map<string, number>();
  readonly #latencyDrawn: Partial<Record<RequestKind, { count: number; totalMs: number }>> = {};
  readonly #eventLoopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  #requests = 0;
  #throttled = 0;
  #faultsInjected = 0;

  constructor(directory: UserDirectory, inFlightOf: (userId: string) => number, activity: () => Map<string, MailboxActivity> = () => new Map()) {
    this.#directory = directory;
    this.#inFlightOf = inFlightOf;
    this.#activity = activity;
    this.#eventLoopDelay.enable();
  }

  /** What one mailbox saw (by user id or userPrincipalName); undefined before its first request. */
  mailbox(user: string): MailboxActivity | undefined {
    const found = this.#directory.find(user);
    return found === undefined ? undefined : this.#activity().get(found.id);
  }

  get requests(): number {
    return this.#requests;
  }

  get throttled(): number {
    return this.#throttled;
  }

  get faultsInjected(): number {
    return this.#faultsInjected;
  }

  /** Requests in progress against a mailbox, by user id or userPrincipalName. */
  inFlight(user: string): number {
    const found = this.#directory.find(user);
    return found === undefined ? 0 : this.#inFlightOf(found.id);
  }

  record(status: number | 'reset', how: { throttled: boolean; fault: boolean }): void {
    this.#requests += 1;
    const key = String(status);
    this.#byStatus.set(key, (this.#byStatus.get(key) ?? 0) + 1);
    if (how.throttled) this.#throttled += 1;
    if (how.fault) this.#faultsInjected += 1;
  }

  /** Stops sampling the event loop (the figures so far stay readable). */
  close(): void {
    this.#eventLoopDelay.disable();
  }

  /** The latency model held a request of this kind for `ms`. */
  recordLatency(kind: RequestKind, ms: number): void {
    const drawn = (this.#latencyDrawn[kind] ??= { count: 0, totalMs: 0 });
    drawn.count += 1;
    drawn.totalMs += ms;
  }

  snapshot(): SimulatorStatsSnapshot {
    const inFlight: Record<string, number> = {};
    for (const user of this.#directory.users) {
      const count = this.#inFlightOf(user.id);
      if (count > 0) inFlight[user.userPrincipalName] = count;
    }
    const mailboxes: Record<string, MailboxActivity> = {};
    const throttledBy: Partial<Record<ThrottleReason, number>> = {};
    let maxInFlightPerMailbox = 0;
    for (const [userId, activity] of this.#activity()) {
      const upn = this.#directory.find(userId)?.userPrincipalName ?? userId;
      mailboxes[upn] = activity;
      maxInFlightPerMailbox = Math.max(maxInFlightPerMailbox, activity.maxInFlight);
      for (const [reason, n] of Object.entries(activity.throttled) as [ThrottleReason, number][]) throttledBy[reason] = (throttledBy[reason] ?? 0) + n;
    }
    return {
      requests: this.#requests,
      byStatus: Object.fromEntries(this.#byStatus),
      throttled: this.#throttled,
      faultsInjected: this.#faultsInjected,
      inFlight,
      throttledBy,
      maxInFlightPerMailbox,
      mailboxes,
      eventLoopDelayMs: {
        mean: lateMs(this.#eventLoopDelay.mean), p99: lateMs(this.#eventLoopDelay.percentile(99)), max: lateMs(this.#eventLoopDelay.max),
      },
      latencyDrawn: Object.fromEntries(Object.entries(this.#latencyDrawn).map(([kind, drawn]) => [kind, { ...drawn }])),
    };
  }
}

/** How often the event-loop histogram samples; each sample is the time between two ticks. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/** A sample (ns between two ticks) as how late the tick came, in ms. */
function lateMs(ns: number): number {
  return Number.isFinite(ns) ? Math.max(0, Math.round(ns / 1e4) / 100 - EVENT_LOOP_RESOLUTION_MS) : 0;
}
