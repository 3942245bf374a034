import { Readable } from 'node:stream';
import { TeleMessageStreamInterruptedError } from './archive-source-errors';

export interface AttachmentBodyStreamOptions {
  /** The response body being read. */
  body: ReadableStream<Uint8Array>;
  /** Aborts the underlying request; called when the stream is destroyed or stalls. */
  abortRequest: (reason: unknown) => void;
  /** The caller's signal: when it fires, the stream fails with the signal's own reason. */
  signal?: AbortSignal;
  /** Bytes the response promised (after `skipBytes`), when known; fewer or more is an interruption. */
  expectedBytes: number | undefined;
  /** Leading bytes to drop, when a server ignored the Range header and sent the whole attachment. */
  skipBytes: number;
  /** The attachment offset this stream starts at, so interruptions report an absolute position. */
  offset: number;
  /** Longest wait for the next chunk before the stream counts as broken. */
  idleTimeoutMs: number;
  path: string;
}

/**
 * Turns a fetch response body into a Node stream with backpressure (nothing is read ahead of
 * the consumer beyond one chunk, so an attachment is never buffered whole) and turns every way a
 * body can break — reset connection, early end, silence — into a retryable
 * {@link TeleMessageStreamInterruptedError} that says how far the attachment got.
 */
export class AttachmentBodyStream extends Readable {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #options: AttachmentBodyStreamOptions;
  readonly #onCallerAbort: () => void;
  #toSkip: number;
  #delivered = 0;
  #pumping = false;
  #idleTimer: NodeJS.Timeout | undefined;
  #stalled = false;

  constructor(options: AttachmentBodyStreamOptions) {
    super();
    this.#options = options;
    this.#reader = options.body.getReader();
    this.#toSkip = options.skipBytes;
    this.#onCallerAbort = () => this.destroy(options.signal?.reason as Error);
    options.signal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  /** Bytes handed to the consumer so far. */
  get bytesDelivered(): number {
    return this.#delivered;
  }

  override _read(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const chunk = await this.#readChunk();
        if (this.destroyed) return;
        if (chunk === undefined) {
          const expected = this.#options.expectedBytes;
          if (expected !== undefined && this.#delivered < expected) {
            throw this.#interrupted(`the body ended after ${this.#delivered} of ${expected} bytes`);
          }
          this.push(null);
          return;
        }
        let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        if (this.#toSkip > 0) {
          const dropped = Math.min(this.#toSkip, bytes.length);
          this.#toSkip -= dropped;
          bytes = bytes.subarray(dropped);
          if (bytes.length === 0) continue;
        }
        this.#delivered += bytes.length;
        const expected = this.#options.expectedBytes;
        if (expected !== undefined && this.#delivered > expected) {
          throw this.#interrupted(`the body is longer than the ${expected} bytes announced`);
        }
        if (!this.push(bytes)) {
          this.#pumping = false;
          return;
        }
      }
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  async #readChunk(): Promise<Uint8Array | undefined> {
    this.#idleTimer = setTimeout(() => {
      this.#stalled = true;
      this.#options.abortRequest(new Error('idle timeout'));
    }, this.#options.idleTimeoutMs);
    try {
      const result = await this.#reader.read();
      return result.done ? undefined : result.value;
    } catch (error) {
      if (this.#options.signal?.aborted) throw this.#options.signal.reason;
      if (this.#stalled) throw this.#interrupted(`no data for ${this.#options.idleTimeoutMs} ms`, error);
      throw this.#interrupted(describeCause(error), error);
    } finally {
      clearTimeout(this.#idleTimer);
    }
  }

  #interrupted(what: string, cause?: unknown): TeleMessageStreamInterruptedError {
    const reached = this.#options.offset + this.#delivered;
    return new TeleMessageStreamInterruptedError(
      `TeleMessage openAttachment ${this.#options.path}: the download broke off at byte ${reached}: ${what}`,
      { operation: 'openAttachment', path: this.#options.path, bytesReceived: reached, cause },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#idleTimer);
    this.#options.signal?.removeEventListener('abort', this.#onCallerAbort);
    this.#options.abortRequest(error ?? new Error('stream destroyed'));
    this.#reader.cancel().catch(() => undefined);
    callback(error);
  }
}

/** A short, secret-free description of a network failure, including the socket-level code. */
export function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message];
  let inner: unknown = error.cause;
  for (let depth = 0; inner instanceof Error && depth < 3; depth += 1) {
    const code = (inner as NodeJS.ErrnoException).code;
    parts.push(code === undefined ? inner.message : `${inner.message} (${code})`);
    inner = inner.cause;
  }
  return parts.join(': ');
}
