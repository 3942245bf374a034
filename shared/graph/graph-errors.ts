import { GraphError } from '@microsoft/microsoft-graph-client';
import { retryAfterMs } from '../platform/resilience';

/** The Graph error code (`ErrorFolderExists`, `MailboxNotEnabledForRESTAPI`, …) of a failed call, if any. */
export function graphErrorCode(err: unknown): string | undefined {
  if (err instanceof GraphError) return err.code ?? undefined;
  return undefined;
}

export function graphStatus(err: unknown): number | undefined {
  if (err instanceof GraphError) return err.statusCode;
  return undefined;
}

/**
 * Whether repeating the call later may succeed: throttling (429), a server error (5xx), or no
 * answer at all (the SDK reports a failed connection as status -1).
 */
export function isTransientGraphError(err: unknown): boolean {
  if (!(err instanceof GraphError)) return false;
  const status = err.statusCode;
  return status === -1 || status === 429 || status >= 500;
}

/** The wait a failed call's `Retry-After` asks for, in milliseconds; undefined when it has none. */
export function graphRetryAfterMs(err: unknown, now: number = Date.now()): number | undefined {
  if (!(err instanceof GraphError)) return undefined;
  return retryAfterMs(err.headers ?? undefined, now);
}

/** A failure of a Graph call, reduced to what an administrator needs (no tokens, no bodies). */
export function describeGraphError(err: unknown): string {
  if (err instanceof GraphError) {
    const status = err.statusCode === -1 ? 'no answer' : String(err.statusCode);
    return `Graph ${status} ${err.code ?? ''}: ${err.message}`.replace(/\s+/g, ' ').trim();
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
