import type { JsonObject } from './json-value';

/**
 * An error the simulator answers with, shaped like Graph's: `{ "error": { "code", "message" } }`.
 * Handlers throw it; the HTTP layer turns it into the response.
 */
export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers, such as `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra members of the `error` object (for example `nextExpectedRanges` on a bad upload range). */
  readonly details: JsonObject | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { headers?: Record<string, string>; details?: JsonObject } = {},
  ) {
    super(message);
    this.name = 'GraphError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }

  /** The response body Graph would send. */
  toBody(requestId: string, date: Date): JsonObject {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ?? {}),
        innerError: { date: date.toISOString().replace(/\.\d{3}Z$/, ''), 'request-id': requestId, 'client-request-id': requestId },
      },
    };
  }
}

export function badRequest(message: string, code = 'BadRequest'): GraphError {
  return new GraphError(400, code, message);
}

export function invalidProperty(path: string, cause: string): GraphError {
  return new GraphError(400, 'ErrorInvalidProperty', `Property '${path}' ${cause}.`);
}

export function invalidValue(path: string, cause: string): GraphError {
  return new GraphError(400, 'RequestBodyRead', `Invalid value for '${path}': ${cause}.`);
}

export function readOnlyProperty(path: string): GraphError {
  return new GraphError(
    400,
    'ErrorInvalidPropertySet',
    `Property '${path}' is computed by the server and cannot be set on create.`,
  );
}

export function notFound(message: string, code = 'ErrorItemNotFound'): GraphError {
  return new GraphError(404, code, message);
}

export function payloadTooLarge(message: string): GraphError {
  return new GraphError(413, 'RequestEntityTooLarge', message);
}
