import { Readable } from 'node:stream';
import type { ArchiveProduct, ArchiveSource } from '../telemessage/archive-source';
import { isArchiveSourceError } from '../telemessage/archive-source-errors';
import { RETRY_BUDGETS, type RetryPolicy } from '../platform/resilience';
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
  /** The back-off between resumes; default the fetch stage's policy, from 200 ms to 5 s. */
  retry?: RetryPolicy;
  signal?: AbortSignal;
}

/**
 * Backoff before each resume (a cut body is a transient failure, so it is not retried at once).
 * Bounded by `maxResumes`, not by time: the minutes a large transfer takes before it breaks are
 * not time spent retrying.
 */
const RESUME_BACKOFF = RETRY_BUDGETS.fetch.with({ baseDelayMs: 200, maxDelayMs: 5_000, budgetMs: Infinity });

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
  const retries = (options.retry ?? RESUME_BACKOFF).with({ maxAttempts: maxResumes + 1 }).begin(signal);
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
      if (!(await retries.backOff())) throw error;
    } finally {
      download.stream.destroy();
    }
  }
}
