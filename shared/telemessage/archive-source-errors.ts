/**
 * Errors of an {@link ArchiveSource}. Callers branch on `reason` and `retryable` rather than on
 * a transport's own classes, so that a second transport needs no change in the fetch stage.
 * No error ever holds a password, a token or an Authorization header, in its message or in any
 * property.
 */

export type ArchiveSourceErrorReason =
  /** The credentials were refused; final until someone changes them. */
  | 'authentication'
  /** The thing asked for does not exist (an attachment that is gone); final. */
  | 'not-found'
  /** The listing window was refused; final for that window. */
  | 'invalid-window'
  /** Transient failures went on until the retry budget ran out; a later run may succeed. */
  | 'transient'
  /** A stream broke part-way; open again from the offset reached. */
  | 'interrupted'
  /** The source answered something the contract does not allow; final. */
  | 'protocol'
  /**
   * The source's host resolved, when connecting, to an address the address policy refuses (a
   * private, loopback, link-local or metadata address): nothing was sent; final for this call.
   */
  | 'refused-address';

export interface ArchiveSourceErrorDetails {
  /** What was being done, e.g. `listItems`. */
  operation: string;
  /** The request path (never a query string, never credentials). */
  path?: string;
  /** The HTTP status of the last answer, when there was one. */
  status?: number;
  cause?: unknown;
}

export abstract class ArchiveSourceError extends Error {
  abstract readonly reason: ArchiveSourceErrorReason;
  readonly operation: string;
  readonly path: string | undefined;
  readonly status: number | undefined;

  constructor(message: string, details: ArchiveSourceErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.operation = details.operation;
    this.path = details.path;
    this.status = details.status;
  }

  /** Whether repeating the same call later (or resuming the stream) may succeed. */
  get retryable(): boolean {
    return this.reason === 'transient' || this.reason === 'interrupted';
  }
}

/** The source rejected the credentials (401 invalid_credentials, or a fresh token refused again). */
export class TeleMessageAuthenticationError extends ArchiveSourceError {
  readonly reason = 'authentication';
  override readonly name = 'TeleMessageAuthenticationError';
}

/** 404 not_found: the attachment (or resource) is gone; not retried. */
export class TeleMessageNotFoundError extends ArchiveSourceError {
  readonly reason = 'not-found';
  override readonly name = 'TeleMessageNotFoundError';
}

/** A window refused locally (from ≥ to, longer than 31 days) or by the source (400 invalid_window). */
export class ArchiveWindowError extends ArchiveSourceError {
  readonly reason = 'invalid-window';
  override readonly name = 'ArchiveWindowError';
}

/** Retries of 429/5xx/reset/cut-short answers were used up; `attempts` says how many were made. */
export class TeleMessageTransientError extends ArchiveSourceError {
  readonly reason = 'transient';
  override readonly name = 'TeleMessageTransientError';
  readonly attempts: number;

  constructor(message: string, details: ArchiveSourceErrorDetails & { attempts: number }) {
    super(message, details);
    this.attempts = details.attempts;
  }
}

/** An attachment body broke off; `bytesReceived` counts from the start of the attachment. */
export class TeleMessageStreamInterruptedError extends ArchiveSourceError {
  readonly reason = 'interrupted';
  override readonly name = 'TeleMessageStreamInterruptedError';
  readonly bytesReceived: number;

  constructor(message: string, details: ArchiveSourceErrorDetails & { bytesReceived: number }) {
    super(message, details);
    this.bytesReceived = details.bytesReceived;
  }
}

/** An answer outside the contract (unexpected status, malformed page or token response). */
export class TeleMessageProtocolError extends ArchiveSourceError {
  readonly reason = 'protocol';
  override readonly name = 'TeleMessageProtocolError';
}

/** The connection was refused before it was made: the host resolved to an address the policy refuses. */
export class TeleMessageAddressRefusedError extends ArchiveSourceError {
  readonly reason = 'refused-address';
  override readonly name = 'TeleMessageAddressRefusedError';
}

export function isArchiveSourceError(value: unknown): value is ArchiveSourceError {
  return value instanceof ArchiveSourceError;
}
