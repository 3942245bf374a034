import type { SimulatorRoute } from './simulator-stats';

export type FaultRoute = SimulatorRoute | 'any';

export const FAULT_KINDS = [
  'status-429',
  'status-503',
  'status-500',
  'reset',
  'truncate',
  'expire-token',
  'latency',
] as const;

/**
 * - `status-429`, `status-503`: that status with `Retry-After: retryAfterSeconds` (default 1).
 * - `status-500`: a bare 500.
 * - `reset`: the connection is reset before any response.
 * - `truncate`: the full `Content-Length` is declared, about half the body is sent, the socket ends.
 * - `expire-token`: on `list`/`attachment`, the caller's token expires now and the call answers
 *   401 token_expired; on `token`, the issued token is already expired.
 * - `latency`: the response is delayed by `latencyMs` (default 200), then served normally; it
 *   combines with one other fault on the same request.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  route: FaultRoute;
  kind: FaultKind;
  /** How many matching requests the fault hits; default 1, `Infinity` until cleared. */
  times?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
}

export interface ActiveFault {
  readonly id: number;
  readonly route: FaultRoute;
  readonly kind: FaultKind;
  /** Matching requests still to hit; `Infinity` until cleared. */
  readonly remaining: number;
  readonly retryAfterSeconds: number;
  readonly latencyMs: number;
}

/** What one request is subjected to. */
export interface FaultsForRequest {
  latency?: ActiveFault;
  fault?: ActiveFault;
}

const ROUTES: readonly FaultRoute[] = ['token', 'list', 'attachment', 'any'];

/** Thrown for a fault specification that cannot be applied. */
export class FaultSpecError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

/**
 * Faults switched on by tests. Faults are consumed in the order they were added: each request takes
 * the first pending latency fault and the first pending other fault whose route matches.
 */
export class FaultInjector {
  private readonly pending: { -readonly [K in keyof ActiveFault]: ActiveFault[K] }[] = [];
  private nextId = 1;

  add(spec: FaultSpec): ActiveFault {
    const checked = checkFaultSpec(spec);
    const fault = { id: this.nextId++, ...checked };
    this.pending.push(fault);
    return { ...fault };
  }

  clear(): void {
    this.pending.length = 0;
  }

  /** The faults that have not been used up. */
  list(): ActiveFault[] {
    return this.pending.map((fault) => ({ ...fault }));
  }

  /** @internal Takes (and counts down) the faults that hit one request on `route`. */
  take(route: SimulatorRoute): FaultsForRequest {
    const result: FaultsForRequest = {};
    for (const fault of this.pending) {
      if (fault.route !== 'any' && fault.route !== route) continue;
      const slot = fault.kind === 'latency' ? 'latency' : 'fault';
      if (result[slot] !== undefined) continue;
      fault.remaining -= 1;
      result[slot] = { ...fault };
    }
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if ((this.pending[i] as ActiveFault).remaining <= 0) this.pending.splice(i, 1);
    }
    return result;
  }
}

/**
 * Validates a fault from JSON (the `/_sim/faults` body). `times` may also be the string
 * "Infinity", since JSON has no infinite number.
 */
export function parseFaultSpec(value: unknown): FaultSpec {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FaultSpecError('a fault must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  const spec: FaultSpec = { route: record.route as FaultRoute, kind: record.kind as FaultKind };
  if (record.times !== undefined) spec.times = record.times === 'Infinity' ? Infinity : (record.times as number);
  if (record.retryAfterSeconds !== undefined) spec.retryAfterSeconds = record.retryAfterSeconds as number;
  if (record.latencyMs !== undefined) spec.latencyMs = record.latencyMs as number;
  checkFaultSpec(spec);
  return spec;
}

function checkFaultSpec(spec: FaultSpec): Omit<ActiveFault, 'id'> {
  if (!ROUTES.includes(spec.route)) {
    throw new FaultSpecError(`fault route must be one of ${ROUTES.join(', ')}; got ${JSON.stringify(spec.route)}`);
  }
  if (!(FAULT_KINDS as readonly string[]).includes(spec.kind)) {
    throw new FaultSpecError(`fault kind must be one of ${FAULT_KINDS.join(', ')}; got ${JSON.stringify(spec.kind)}`);
  }
  const times = spec.times ?? 1;
  if (typeof times !== 'number' || !(times === Infinity || (Number.isSafeInteger(times) && times >= 1))) {
    throw new FaultSpecError(`fault times must be a positive integer or Infinity; got ${JSON.stringify(spec.times)}`);
  }
  const retryAfterSeconds = spec.retryAfterSeconds ?? 1;
  if (typeof retryAfterSeconds !== 'number' || !Number.isSafeInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
    throw new FaultSpecError(`fault retryAfterSeconds must be a whole number of seconds ≥ 0; got ${JSON.stringify(spec.retryAfterSeconds)}`);
  }
  const latencyMs = spec.latencyMs ?? 200;
  if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new FaultSpecError(`fault latencyMs must be a number ≥ 0; got ${JSON.stringify(spec.latencyMs)}`);
  }
  return { route: spec.route, kind: spec.kind, remaining: times, retryAfterSeconds, latencyMs };
}
