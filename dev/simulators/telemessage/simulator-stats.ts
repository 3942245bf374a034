/** The contract's routes; faults are attached to these. */
export type SimulatorRoute = 'token' | 'list' | 'attachment';

/** Routes counted in stats: the contract's, plus requests that matched nothing. */
export type StatsRoute = SimulatorRoute | 'unknown';

/**
 * How a request ended: an HTTP status, a connection reset before any response, or a response
 * whose body was cut short.
 */
export type ResponseOutcome = number | 'reset' | 'truncated';

export interface StatsSnapshot {
  /** Requests received per route. */
  requests: Record<StatsRoute, number>;
  /** Responses per route, keyed by status code ("200", "429", …), "reset" or "truncated". */
  outcomes: Record<StatsRoute, Record<string, number>>;
}

const ROUTES: readonly StatsRoute[] = ['token', 'list', 'attachment', 'unknown'];

/**
 * Request and response counts, so tests can assert that a client retried, gave up or refreshed
 * its token. The simulator's own `/_sim` routes are not counted.
 */
export class SimulatorStats {
  private counts = emptySnapshot();

  /** @internal */
  recordRequest(route: StatsRoute): void {
    this.counts.requests[route] += 1;
  }

  /** @internal */
  recordOutcome(route: StatsRoute, outcome: ResponseOutcome): void {
    const key = String(outcome);
    const byOutcome = this.counts.outcomes[route];
    byOutcome[key] = (byOutcome[key] ?? 0) + 1;
  }

  /** Requests received on one route, or on all routes when none is given. */
  requests(route?: StatsRoute): number {
    if (route !== undefined) return this.counts.requests[route];
    return ROUTES.reduce((sum, r) => sum + this.counts.requests[r], 0);
  }

  /** Responses on `route` that ended with `outcome`, or on all routes when `route` is omitted. */
  outcomes(outcome: ResponseOutcome, route?: StatsRoute): number {
    const key = String(outcome);
    const routes = route === undefined ? ROUTES : [route];
    return routes.reduce((sum, r) => sum + (this.counts.outcomes[r][key] ?? 0), 0);
  }

  snapshot(): StatsSnapshot {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = emptySnapshot();
  }
}

function emptySnapshot(): StatsSnapshot {
  return {
    requests: { token: 0, list: 0, attachment: 0, unknown: 0 },
    outcomes: { token: {}, list: {}, attachment: {}, unknown: {} },
  };
}
