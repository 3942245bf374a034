import { isJsonObject } from './json-value';

export type FaultKind = 'status-429' | 'status-503' | 'status-500' | 'reset';

export interface FaultSpec {
  kind: FaultKind;
  /** Which requests the fault hits; omitted means every Graph and upload request. */
  match?: { method?: string; pathIncludes?: string };
  /** How many requests it hits before it switches itself off; omitted means until cleared. */
  times?: number;
  /** `Retry-After` of a 429 or 503; default 1. */
  retryAfterSeconds?: number;
  /**
   * `before` (default): the request fails without any effect. `after`: the request takes effect
   * (a message is created, a chunk stored) and then its response is lost or replaced — the
   * ambiguous failure a writer must recover from by looking the item up again.
   */
  phase?: 'before' | 'after';
}

export interface ActiveFault {
  readonly id: string;
  readonly kind: FaultKind;
  readonly match: { method?: string; pathIncludes?: string };
  readonly phase: 'before' | 'after';
  readonly retryAfterSeconds: number;
  /** Requests it will still hit; `null` means until cleared. */
  remaining: number | null;
}

const KINDS: readonly FaultKind[] = ['status-429', 'status-503', 'status-500', 'reset'];

/** Switchable faults for tests: each request takes the first fault that matches it. */
export class SimulatorFaults {
  readonly #faults: ActiveFault[] = [];
  #next = 1;

  /** Adds a fault and returns its id. Throws a TypeError naming the field for a bad spec. */
  add(spec: FaultSpec): string {
    const fault = validateFaultSpec(spec, `fault-${this.#next}`);
    this.#next += 1;
    this.#faults.push(fault);
    return fault.id;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  list(): ActiveFault[] {
    return this.#faults.map((f) => ({ ...f, match: { ...f.match } }));
  }

  /**
   * Takes the first fault matching the request in the given phase, counting one use.
   * `canReset` is false for requests inside `$batch`, which have no connection of their own.
   */
  take(request: { method: string; paths: readonly string[]; phase: 'before' | 'after'; canReset: boolean }): ActiveFault | undefined {
    const index = this.#faults.findIndex(
      (f) =>
        f.phase === request.phase &&
        (request.canReset || f.kind !== 'reset') &&
        (f.match.method === undefined || f.match.method.toUpperCase() === request.method.toUpperCase()) &&
        (f.match.pathIncludes === undefined || request.paths.some((p) => p.includes(f.match.pathIncludes as string))),
    );
    if (index < 0) return undefined;
    const fault = this.#faults[index];
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.#faults.splice(index, 1);
    }
    return fault;
  }
}

/** Validates a fault spec from code or from `POST /_sim/faults`. */
export function validateFaultSpec(spec: unknown, id: string): ActiveFault {
  if (!isJsonObject(spec)) throw new TypeError('fault: expected an object');
  const { kind, match, times, retryAfterSeconds, phase } = spec;
  for (const key of Object.keys(spec)) {
    if (!['kind', 'match', 'times', 'retryAfterSeconds', 'phase'].includes(key)) {
      throw new TypeError(`fault.${key}: unknown field`);
    }
  }
  if (typeof kind !== 'string' || !KINDS.includes(kind as FaultKind)) {
    throw new TypeError(`fault.kind: expected one of ${KINDS.join(', ')}`);
  }
  const result: { -readonly [K in keyof ActiveFault]: ActiveFault[K] } = {
    id,
    kind: kind as FaultKind,
    match: {},
    phase: 'before',
    retryAfterSeconds: 1,
    remaining: null,
  };
  if (match !== undefined && match !== null) {
    if (!isJsonObject(match)) throw new TypeError('fault.match: expected an object');
    for (const [key, value] of Object.entries(match)) {
      if (key !== 'method' && key !== 'pathIncludes') throw new TypeError(`fault.match.${key}: unknown field`);
      if (typeof value !== 'string' || value === '') throw new TypeError(`fault.match.${key}: expected a non-empty string`);
      result.match[key] = value;
    }
  }
  if (times !== undefined && times !== null) {
    if (typeof times !== 'number' || !Number.isSafeInteger(times) || times < 1) {
      throw new TypeError('fault.times: expected a positive integer');
    }
    result.remaining = times;
  }
  if (retryAfterSeconds !== undefined) {
    if (typeof retryAfterSeconds !== 'number' || !Number.isSafeInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
      throw new TypeError('fault.retryAfterSeconds: expected a non-negative integer');
    }
    result.retryAfterSeconds = retryAfterSeconds;
  }
  if (phase !== undefined) {
    if (phase !== 'before' && phase !== 'after') throw new TypeError("fault.phase: expected 'before' or 'after'");
    result.phase = phase;
  }
  return result;
}
