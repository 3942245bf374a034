import type { Readable } from 'node:stream';
import { RETRY_BUDGETS, retryAfterMs, type RetryPolicy } from '../platform/resilience';

/** 12 × 320 KiB: Graph wants multiples of 320 KiB and at most 4 MB per PUT. */
export const DEFAULT_UPLOAD_CHUNK_BYTES = 12 * 320 * 1024;
/** Longest wait for one chunk's answer. */
export const DEFAULT_CHUNK_TIMEOUT_MS = 120_000;

export interface ChunkedUploadOptions {
  uploadUrl: string;
  size: number;
  source: Readable;
  chunkBytes?: number | undefined;
  /** Runs each PUT of `bodyBytes` bytes (the caller keeps the mailbox's limits). */
  schedule?: <T>(task: () => Promise<T>, bodyBytes: number) => Promise<T>;
  /** Told of a 429 and its Retry-After (ms, when given), so that the caller backs off the whole mailbox. */
  onThrottled?: (retryAfterMs: number | undefined) => void | Promise<void>;
  /**
   * Attempts, back-off and budget per chunk, for throttling, server errors, lost connections and
   * ranges that make no progress: the import stage's policy by default.
   */
  retry?: RetryPolicy | undefined;
  chunkTimeoutMs?: number;
  signal?: AbortSignal;
}

export class UploadSessionError extends Error {
  override readonly name = 'UploadSessionError';
  /** The HTTP status of the last answer; undefined when there was none. */
  readonly status: number | undefined;
  /**
   * True when the last chunk may have been stored although its answer was lost (the session
   * was gone when the chunk was sent again): the attachment may exist on the message.
   */
  readonly possiblyComplete: boolean;

  constructor(message: string, details: { status?: number; possiblyComplete?: boolean } = {}) {
    super(message);
    this.status = details.status;
    this.possiblyComplete = details.possiblyComplete ?? false;
  }
}

interface PutAnswer {
  status: number;
  retryAfterMs: number | undefined;
  /** The first byte the session expects next, when the answer says. */
  nextExpected: number | undefined;
  detail: string;
}

/**
 * Sends a stream to a Graph upload session in sequential ranges, holding one chunk in memory
 * at a time. The upload URL is pre-authenticated, so no Authorization header is ever sent.
 *
 * A chunk whose answer is lost may still have been stored. Sending it again then meets 416
 * with the range the session expects next, and the upload carries on from there, so no byte is
 * sent to the session twice and none is skipped.
 */
export async function uploadInChunks(options: ChunkedUploadOptions): Promise<void> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_UPLOAD_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  const schedule = options.schedule ?? (<T>(task: () => Promise<T>) => task());
  const policy = options.retry ?? RETRY_BUDGETS.import;
  const total = options.size;
  /** Where the current chunk starts in the stream. */
  let chunkStart = 0;
  /** The first byte the session does not have yet. */
  let next = 0;
  for await (const chunk of rechunk(options.source, chunkBytes)) {
    const chunkEnd = chunkStart + chunk.length;
    if (chunkEnd > total) throw new UploadSessionError(`The attachment stream is longer than its declared ${total} bytes`);
    const retries = policy.begin(options.signal);
    let lastFailed = false;
    while (next < chunkEnd) {
      options.signal?.throwIfAborted();
      const first = next;
      const body = chunk.subarray(first - chunkStart);
      const last = chunkEnd - 1;
      const answer = await schedule(() => put(options, body, first, last, total), body.length);
      if (answer.status === 429) await options.onThrottled?.(answer.retryAfterMs);
      if (answer.status === 200 || answer.status === 201 || answer.status === 202) {
        lastFailed = false;
        next = answer.status === 201 ? total : Math.max(last + 1, answer.nextExpected ?? 0);
        continue;
      }
      if (answer.status === 416 && answer.nextExpected !== undefined && answer.nextExpected >= chunkStart && answer.nextExpected <= chunkEnd) {
        // The session already holds part or all of this chunk: an earlier answer was lost.
        if (answer.nextExpected <= next && !(await retries.backOff())) {
          throw new UploadSessionError(`Upload of bytes ${first}-${last}/${total} made no progress (${retries.exhaustedBecause}): ${answer.detail}`, { status: 416 });
        }
        next = answer.nextExpected;
        lastFailed = false;
        continue;
      }
      const transient = answer.status === 0 || answer.status === 429 || answer.status >= 500;
      if (answer.status === 404 && lastFailed && chunkEnd === total) {
        throw new UploadSessionError(
          `The upload session was gone when the last bytes ${first}-${last}/${total} were sent again; the attachment may already be complete`,
          { status: 404, possiblyComplete: true },
        );
      }
      lastFailed = true;
      if (!transient || !(await retries.backOff(answer.retryAfterMs))) {
        const exhausted = transient ? ` (${retries.exhaustedBecause})` : '';
        throw new UploadSessionError(
          `Upload of bytes ${first}-${last}/${total} failed (${answer.status === 0 ? 'no answer' : answer.status})${exhausted}: ${answer.detail}`,
          answer.status === 0 ? {} : { status: answer.status },
        );
      }
    }
    chunkStart = chunkEnd;
  }
  if (chunkStart !== total) throw new UploadSessionError(`The attachment stream ended at ${chunkStart} of its declared ${total} bytes`);
  if (next !== total) throw new UploadSessionError(`The upload session holds ${next} of ${total} bytes after the last chunk`);
}

async function put(options: ChunkedUploadOptions, body: Uint8Array, first: number, last: number, total: number): Promise<PutAnswer> {
  const timeout = AbortSignal.timeout(options.chunkTimeoutMs ?? DEFAULT_CHUNK_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let response: Response;
  try {
    // No Authorization header: the URL carries its own credential.
    response = await fetch(options.uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes ${first}-${last}/${total}`, 'Content-Type': 'application/octet-stream' },
      body,
      signal,
    });
  } catch (error) {
    options.signal?.throwIfAborted();
    return { status: 0, retryAfterMs: undefined, nextExpected: undefined, detail: error instanceof Error ? error.message : String(error) };
  }
  let text = '';
  try {
    text = await response.text();
  } catch {
    options.signal?.throwIfAborted();
    if (response.ok) return { status: 0, retryAfterMs: undefined, nextExpected: undefined, detail: 'the answer was cut short' };
  }
  return {
    status: response.status,
    retryAfterMs: retryAfterMs(response.headers),
    nextExpected: nextExpectedOffset(text),
    detail: errorDetail(text),
  };
}

/** `nextExpectedRanges` (Graph), `NextExpectedRanges` (Outlook's upload endpoint), or the same inside `error`. */
function nextExpectedOffset(text: string): number | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const error = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : {};
  const ranges = record.nextExpectedRanges ?? record.NextExpectedRanges ?? error.nextExpectedRanges ?? error.NextExpectedRanges;
  if (!Array.isArray(ranges) || typeof ranges[0] !== 'string') return undefined;
  const match = /^(\d+)/.exec(ranges[0]);
  return match ? Number(match[1]) : undefined;
}

/** The error's code and message, never the whole body. */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === 'string' ? body.error.code : '';
    const message = typeof body.error?.message === 'string' ? body.error.message : '';
    return `${code} ${message}`.trim().slice(0, 300);
  } catch {
    return text.slice(0, 120);
  }
}

async function* rechunk(source: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
    while (pendingBytes + buf.length >= size) {
      const take = size - pendingBytes;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending);
      buf = buf.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingBytes += buf.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}
