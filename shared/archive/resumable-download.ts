import { Readable } from 'node:stream';
import type { ArchiveProduct, ArchiveSource } from '../telemessage/archive-source';
import { isArchiveSourceError } from '../telemessage/archive-source-errors';
import { retryDelayMs, sleep } from '../telemessage/retry-policy';
import { AttachmentIntegrityError } from './archive-store-errors';

export interface ResumableDownloadOptions {
  source: ArchiveSource;
  product: ArchiveProduct;
  itemId: string;
  attachmentId: string;
  /** The size the item declares; a source announcing another size fails at once. */
  expectedSize: number;
  /** How many times a broken download may be resumed from the byte it reached. */
  maxResumes: number;
  signal?: AbortSignal;
}

/** Backoff before each resume (a cut body is a transient failure, so it is not retried at once). */
const RESUME_BACKOFF = { maxAttempts: Infinity, baseDelayMs: 200, maxDelayMs: 5_000 };

/**
 * One attachment's bytes as a single stream, even when the connection breaks: a retryable
 * failure part-way re-opens the attachment at the offset reached (the source's
 * `openAttachment({ offset })`), so whatever consumes the stream — a hash, an upload — sees
 * every byte once and in order. Final errors (not found, authentication) pass through as they are.
 */
export function openResumableDownload(options: ResumableDownloadOptions): Readable {
  return Readable.from(resumableBytes(options), { objectMode: false });
}

async function* resumableBytes(options: ResumableDownloadOptions): AsyncGenerator<Buffer> {
  const { source, product, itemId, attachmentId, expectedSize, maxResumes, signal } = options;
  let offset = 0;
  let resumes = 0;
  for (;;) {
    const download = await source.openAttachment(product, attachmentId, { offset, signal });
    try {
      if (download.totalSize !== undefined && download.totalSize !== expectedSize) {
        // Reading bytes that cannot match would only waste the transfer.
        throw new AttachmentIntegrityError(itemId, attachmentId, { size: expectedSize }, { size: download.totalSize });
      }
      for await (const chunk of download.stream) {
        offset += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      return;
    } catch (error) {
      if (!isArchiveSourceError(error) || error.reason !== 'interrupted' || resumes >= maxResumes) throw error;
      resumes += 1;
      download.stream.destroy();
      await sleep(retryDelayMs(resumes, RESUME_BACKOFF), signal);
    } finally {
      download.stream.destroy();
    }
  }
}
