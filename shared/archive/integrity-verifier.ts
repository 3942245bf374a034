import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AttachmentIntegrityError, type AttachmentFingerprint } from './archive-store-errors';

export interface IntegrityVerifierOptions {
  itemId: string;
  attachmentId: string;
  expectedSize: number;
  /** Lower-case hex. */
  expectedSha256: string;
}

/**
 * Passes bytes through unchanged while hashing and counting them. It fails as soon as more
 * bytes arrive than expected, and at the end when the count or the hash differs, so that the
 * upload it feeds never reaches its commit with the wrong bytes.
 */
export class IntegrityVerifier extends Transform {
  readonly #options: IntegrityVerifierOptions;
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #sha256: string | undefined;

  constructor(options: IntegrityVerifierOptions) {
    super();
    this.#options = options;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The hex digest, once the stream has ended successfully. */
  get sha256(): string | undefined {
    return this.#sha256;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#options.expectedSize) {
      callback(this.#mismatch({ size: this.#bytes, sizeIsLowerBound: true }));
      return;
    }
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const sha256 = this.#hash.digest('hex');
    if (this.#bytes !== this.#options.expectedSize || sha256 !== this.#options.expectedSha256) {
      callback(this.#mismatch({ size: this.#bytes, sha256 }));
      return;
    }
    this.#sha256 = sha256;
    callback();
  }

  #mismatch(actual: AttachmentFingerprint): AttachmentIntegrityError {
    const { itemId, attachmentId, expectedSize, expectedSha256 } = this.#options;
    return new AttachmentIntegrityError(itemId, attachmentId, { size: expectedSize, sha256: expectedSha256 }, actual);
  }
}
