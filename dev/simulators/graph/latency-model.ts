/**
 * How long Exchange takes to answer, by kind of request. Off unless a simulator is started with
 * `latency`: unit tests want instant answers; the benchmark and one end-to-end test want answers
 * that take as long as Exchange's, so that the per-mailbox concurrency limit binds as it does in
 * production. See docs/graph-simulator.md ("Latency") for the defaults and where they come from.
 */

/** The kinds of request the model tells apart. */
export type RequestKind =
  | 'messageCreate'
  | 'attachmentAdd'
  | 'uploadSessionCreate'
  | 'uploadRange'
  | 'messageSearch'
  | 'folderLookup'
  | 'directoryLookup'
  | 'other';

/**
 * A log-normal distribution given by its median and 95th percentile: most answers near the
 * median, a long tail of slow ones, never negative. `perMiBMs` adds time per MiB of request body
 * (upload ranges carry up to 4 MiB).
 */
export interface LatencyProfile {
  medianMs: number;
  p95Ms: number;
  perMiBMs?: number;
}

export interface LatencyOptions {
  /** Profiles replacing the defaults, by kind. */
  profiles?: Partial<Record<RequestKind, LatencyProfile>>;
  /** Multiplies every sampled latency (0.1 for a quick test). Default 1. */
  scale?: number;
  /** Seed of the pseudo-random sequence, for repeatable runs. Default: random. */
  seed?: number;
}

/**
 * Exchange Online's answers as observed by clients (see docs/graph-simulator.md): Microsoft
 * publishes no latency figures, so these are estimates from published client measurements and
 * the throttling guidance's "hundreds of milliseconds" per mailbox write, with a tail
 * (p95 ≈ 3× median) like the one seen from a shared multi-tenant service.
 */
export const EXCHANGE_LATENCY: Readonly<Record<RequestKind, LatencyProfile>> = {
  messageCreate: { medianMs: 250, p95Ms: 750 },
  attachmentAdd: { medianMs: 300, p95Ms: 900 },
  uploadSessionCreate: { medianMs: 200, p95Ms: 600 },
  uploadRange: { medianMs: 150, p95Ms: 500, perMiBMs: 100 },
  messageSearch: { medianMs: 150, p95Ms: 500 },
  folderLookup: { medianMs: 80, p95Ms: 250 },
  directoryLookup: { medianMs: 60, p95Ms: 200 },
  other: { medianMs: 100, p95Ms: 300 },
};

/** z of the 95th percentile of the standard normal distribution. */
const Z95 = 1.6448536269514722;

/** Samples latencies from {@link EXCHANGE_LATENCY} (or the given profiles). */
export class LatencyModel {
  readonly profiles: Readonly<Record<RequestKind, LatencyProfile>>;
  readonly scale: number;
  readonly #random: () => number;

  constructor(options: LatencyOptions = {}) {
    const profiles = { ...EXCHANGE_LATENCY, ...(options.profiles ?? {}) };
    for (const [kind, profile] of Object.entries(profiles)) validateProfile(kind, profile);
    this.profiles = profiles;
    this.scale = options.scale ?? 1;
    if (!Number.isFinite(this.scale) || this.scale < 0) throw new RangeError(`latency.scale must be a number >= 0, got ${this.scale}`);
    this.#random = options.seed === undefined ? Math.random : mulberry32(options.seed);
  }

  /** Milliseconds to hold one request of this kind with this many body bytes. */
  sample(kind: RequestKind, bodyBytes = 0): number {
    const profile = this.profiles[kind];
    const mu = Math.log(profile.medianMs);
    const sigma = Math.log(profile.p95Ms / profile.medianMs) / Z95;
    const base = Math.exp(mu + sigma * this.#standardNormal());
    const transfer = ((profile.perMiBMs ?? 0) * bodyBytes) / (1024 * 1024);
    return (base + transfer) * this.scale;
  }

  /** The mean of a kind's distribution (without body bytes), for reports: exp(μ + σ²/2). */
  mean(kind: RequestKind): number {
    const profile = this.profiles[kind];
    const sigma = Math.log(profile.p95Ms / profile.medianMs) / Z95;
    return profile.medianMs * Math.exp((sigma * sigma) / 2) * this.scale;
  }

  /** Box–Muller. */
  #standardNormal(): number {
    const u = Math.max(this.#random(), Number.MIN_VALUE);
    const v = this.#random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/**
 * The kind of a Graph request by method and path below `/v1.0` (decoded segments), or of an
 * upload URL request (`upload: true`).
 */
export function requestKind(method: string, segments: readonly string[], upload = false): RequestKind {
  if (upload) return 'uploadRange';
  if (segments[0] !== 'users') return 'other';
  if (segments.length <= 2) return 'directoryLookup';
  const last = segments[segments.length - 1];
  if (segments[2] === 'mailboxSettings') return 'folderLookup';
  if (method === 'POST' && last === 'createUploadSession') return 'uploadSessionCreate';
  if (method === 'POST' && last === 'attachments') return 'attachmentAdd';
  if (method === 'POST' && last === 'messages') return 'messageCreate';
  if (segments.includes('messages') || segments.includes('attachments')) return 'messageSearch';
  if (segments[2] === 'mailFolders') return 'folderLookup';
  return 'other';
}

function validateProfile(kind: string, profile: LatencyProfile): void {
  const ok = Number.isFinite(profile.medianMs) && profile.medianMs > 0 && Number.isFinite(profile.p95Ms) && profile.p95Ms >= profile.medianMs
    && (profile.perMiBMs === undefined || (Number.isFinite(profile.perMiBMs) && profile.perMiBMs >= 0));
  if (!ok) throw new RangeError(`latency.profiles.${kind} needs 0 < medianMs <= p95Ms and perMiBMs >= 0, got ${JSON.stringify(profile)}`);
}

/** A small seeded generator (public-domain mulberry32): repeatable latencies for a given seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
