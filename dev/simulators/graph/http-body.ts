import type { IncomingMessage } from 'node:http';
import { GraphError, payloadTooLarge } from './graph-error';
import type { JsonValue } from './json-value';

/** Beyond this, a refused body is not read to its end; the connection is dropped instead. */
const MAX_DISCARDED_BYTES = 256 * 1024 * 1024;

export interface JsonBody {
  /** The parsed body; undefined when the request has none. */
  value: JsonValue | undefined;
  bytes: number;
}

/** The declared Content-Length, or undefined for a chunked body. */
export function contentLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  return header === undefined || !/^\d+$/.test(header) ? undefined : Number(header);
}

/**
 * Reads a JSON body of at most `limit` bytes. A bigger one is read to its end and thrown away
 * (so the client sees the 413 rather than a broken connection), then refused.
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<JsonBody> {
  const declared = contentLength(request);
  if (declared !== undefined && declared > limit) {
    await discardBody(request);
    throw payloadTooLarge(`The request body of ${declared} bytes is over the 4 MB limit.`);
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  let tooLarge = false;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
    if (bytes > MAX_DISCARDED_BYTES) {
      request.destroy();
      break;
    }
  }
  if (tooLarge) throw payloadTooLarge(`The request body of ${bytes} bytes is over the 4 MB limit.`);
  if (bytes === 0) return { value: undefined, bytes };
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { value: JSON.parse(text) as JsonValue, bytes };
  } catch (error) {
    throw new GraphError(400, 'BadRequest', `Unable to read JSON request payload: ${(error as Error).message}.`);
  }
}

/** Reads and drops whatever is left of a request body, so that the response can be sent on a sane connection. */
export async function discardBody(request: IncomingMessage): Promise<void> {
  if (request.readableEnded || request.destroyed) return;
  let bytes = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > MAX_DISCARDED_BYTES) {
        request.destroy();
        return;
      }
    }
  } catch {
    // The client went away; there is nobody left to answer.
  }
}
