/**
 * Storage REST failures (`RestError` from either storage package) carry `statusCode` and the
 * service's error `code`; listeners branch on those, never on message text.
 */
interface StorageFailure {
  statusCode?: number;
  code?: string;
}

/** True when `err` is a storage REST error with this status (and error code, when given). */
export function isStorageError(err: unknown, status: number, code?: string): boolean {
  if (typeof err !== 'object' || err === null || !('statusCode' in err)) return false;
  const e = err as StorageFailure;
  return e.statusCode === status && (code === undefined || e.code === code);
}

/** A one-line description of an error for logs: status and code for storage errors, never headers. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & StorageFailure;
  const firstLine = e.message.split('\n')[0] ?? '';
  return e.statusCode !== undefined ? `${e.statusCode}${e.code ? ` ${e.code}` : ''}: ${firstLine}` : `${e.name}: ${firstLine}`;
}
