import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** 12 × 320 KiB: Graph wants multiples of 320 KiB and at most 4 MB per PUT. */
export const DEFAULT_UPLOAD_CHUNK_BYTES = 12 * 320 * 1024;

export interface ChunkedUploadOptions {
  uploadUrl: string;
  size: number;
  source: Readable;
  chunkBytes?: number | undefined;
  /** Runs each PUT (the caller bounds concurrency per mailbox). */
  schedule?: <T>(task: () => Promise<T>) => Promise<T>;
  maxAttemptsPerChunk?: number;
}

export class UploadSessionError extends Error {
  override readonly name = 'UploadSessionError';
}

/**
 * Sends a stream to a Graph upload session in sequential ranges, holding one chunk in memory
 * at a time. The upload URL is pre-authenticated, so no Authorization header is ever sent.
 */
export async function uploadInChunks(options: ChunkedUploadOptions): Promise<void> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_UPLOAD_CHUNK_BYTES;
  const schedule = options.schedule ?? (<T>(task: () => Promise<T>) => task());
  const maxAttempts = options.maxAttemptsPerChunk ?? 6;
  let offset = 0;
  for await (const chunk of rechunk(options.source, chunkBytes)) {
    const end = offset + chunk.length - 1;
    if (end >= options.size) throw new UploadSessionError(`The attachment stream is longer than its declared ${options.size} bytes`);
    for (let attempt = 1; ; attempt++) {
      const response = await schedule(() =>
        fetch(options.uploadUrl, {
          method: 'PUT',
          headers: { 'Content-Range': `bytes ${offset}-${end}/${options.size}`, 'Content-Length': String(chunk.length) },
          body: chunk,
        }).catch((err: unknown) => err as Error),
      );
      if (!(response instanceof Error) && response.ok) {
        await response.arrayBuffer();
        break;
      }
      const status = response instanceof Error ? 0 : response.status;
      const detail = response instanceof Error ? response.message : await response.text();
      const transient = status === 0 || status === 429 || status >= 500;
      if (!transient || attempt >= maxAttempts) {
        throw new UploadSessionError(`Upload of bytes ${offset}-${end}/${options.size} failed (${status || 'network'}): ${detail.slice(0, 300)}`);
      }
      const retryAfter = response instanceof Error ? null : Number(response.headers.get('retry-after'));
      await sleep(retryAfter && retryAfter > 0 ? retryAfter * 1000 : Math.min(30_000, 250 * 2 ** attempt));
    }
    offset = end + 1;
  }
  if (offset !== options.size) throw new UploadSessionError(`The attachment stream ended at ${offset} of its declared ${options.size} bytes`);
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
