import { isArchiveSourceError } from '../telemessage/archive-source-errors';

/**
 * Whether an error met while storing one item is about the window as a whole, i.e. the source or
 * the storage cannot be reached or refuses us, so that no item of the window can be stored now:
 * the window fails and is retried. Any other error, whatever its class (a malformed item, an id no
 * blob name can be made from, bytes that do not match, a bug met by one odd item), is that item's
 * problem: on the window's last attempt the item is quarantined with the reason and the rest of
 * the window is stored.
 */
export function isWindowLevelFailure(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted === true) return true;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return true;
  if (isArchiveSourceError(error)) {
    // Credentials refused, retries used up, a stream broken, the host refused: the source, not the item.
    return error.reason === 'authentication' || error.reason === 'transient' || error.reason === 'interrupted' || error.reason === 'refused-address';
  }
  const status = storageStatus(error);
  if (status !== undefined) {
    // No answer, the storage's own faults, throttling and refused credentials are the storage's;
    // a 4xx about one blob's name or body is the item's.
    return status === 0 || status >= 500 || status === 408 || status === 429 || status === 401 || status === 403;
  }
  const code = (error as { code?: unknown } | null)?.code;
  // Network errors from the storage SDK or fetch carry a system code.
  return typeof code === 'string' && /^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|EPIPE|ENETUNREACH|EHOSTUNREACH|UND_ERR)/.test(code);
}

function storageStatus(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'RestError') return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : 0;
}
