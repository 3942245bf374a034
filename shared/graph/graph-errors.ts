import { GraphError } from '@microsoft/microsoft-graph-client';

/** The Graph error code (`ErrorFolderExists`, `MailboxNotEnabledForRESTAPI`, …) of a failed call, if any. */
export function graphErrorCode(err: unknown): string | undefined {
  if (err instanceof GraphError) return err.code ?? undefined;
  return undefined;
}

export function graphStatus(err: unknown): number | undefined {
  if (err instanceof GraphError) return err.statusCode;
  return undefined;
}

/** A failure of a Graph call, reduced to what an administrator needs (no tokens, no bodies). */
export function describeGraphError(err: unknown): string {
  if (err instanceof GraphError) return `Graph ${err.statusCode} ${err.code ?? ''}: ${err.message}`.replace(/\s+/g, ' ').trim();
  if (err instanceof Error) return err.message;
  return String(err);
}
