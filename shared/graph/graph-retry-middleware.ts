import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { retryAfterMs, type RetryPolicy, type RetrySchedule } from '../platform/resilience';

/** Graph's transient answers, as the SDK's own RetryHandler reads them. */
const RETRY_STATUSES = new Set([429, 503, 504]);

/**
 * Per-request choice of the retry middleware, set with `.middlewareOptions([...])`: no retry at
 * all (the caller retries, and must know what was sent), or retries on the caller's schedule so
 * that they share the budget of the operation they belong to.
 */
export class GraphRetryOptions implements MiddlewareOptions {
  private constructor(readonly schedule: RetrySchedule | 'none') {}

  /** The caller retries itself (a create whose lost answer must be looked up first). */
  static none(): GraphRetryOptions {
    return new GraphRetryOptions('none');
  }

  /** Retries count against the caller's schedule. */
  static within(schedule: RetrySchedule): GraphRetryOptions {
    return new GraphRetryOptions(schedule);
  }
}

/**
 * The app's one retry layer for Graph requests, in place of the SDK's RetryHandler: 429, 503
 * and 504 answers are sent again after their Retry-After (or the policy's jittered back-off),
 * within the import stage's attempts and time budget. Only requests whose body can be sent
 * again are repeated. `retries(url, response)` leaves some answers to the caller — a mailbox's
 * 429, on which the whole mailbox backs off.
 */
export class GraphRetryMiddleware implements Middleware {
  #next: Middleware | undefined;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly retries: (url: string, response: Response) => boolean = () => true,
  ) {}

  async execute(context: Context): Promise<void> {
    const next = this.#next;
    if (next === undefined) throw new Error('GraphRetryMiddleware has no next middleware');
    const choice = context.middlewareControl?.getMiddlewareOptions(GraphRetryOptions) as GraphRetryOptions | undefined;
    if (choice?.schedule === 'none' || !replayable(context)) {
      await next.execute(context);
      return;
    }
    const schedule = choice?.schedule ?? this.policy.begin();
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    for (;;) {
      await next.execute(context);
      const response = context.response;
      if (response === undefined || !RETRY_STATUSES.has(response.status) || !this.retries(url, response)) return;
      // Out of attempts or budget: the last answer stands, and the caller sees its error.
      if (!(await schedule.backOff(retryAfterMs(response.headers)))) return;
      await response.body?.cancel().catch(() => undefined);
    }
  }

  setNext(next: Middleware): void {
    this.#next = next;
  }
}

/** A body that is a stream cannot be sent twice; strings and buffers can. */
function replayable(context: Context): boolean {
  const body: unknown = context.options?.body;
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer;
}
