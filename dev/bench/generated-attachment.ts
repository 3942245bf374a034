import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  ArchiveItemIterator,
  ArchiveProduct,
  ArchiveSource,
  AttachmentDownload,
  OpenAttachmentOptions,
} from '../../shared/telemessage/archive-source';
import { SeededRandom } from './seeded-random';

const BLOCK_BYTES = 1024 * 1024;

/**
 * Attachment bytes made up on demand: a 1 MiB pseudo-random block, each MiB stamped with its own
 * index so the content is not periodic. Any range can be produced without producing what comes
 * before it, and nothing larger than one block is ever held.
 */
export class GeneratedBytes {
  readonly size: number;
  readonly #block: Buffer;

  constructor(size: number, seed = 150) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`GeneratedBytes: size must be a non-negative integer, got ${size}`);
    this.size = size;
    const random = new SeededRandom(seed);
    this.#block = Buffer.alloc(BLOCK_BYTES);
    for (let i = 0; i < BLOCK_BYTES; i += 4) this.#block.writeUInt32LE(Math.floor(random.next() * 0x1_0000_0000), i);
  }

  /** The bytes from `offset` to the end, one block-aligned chunk at a time. */
  *chunks(offset = 0): Generator<Buffer> {
    let position = offset;
    while (position < this.size) {
      const blockIndex = Math.floor(position / BLOCK_BYTES);
      const block = Buffer.from(this.#block);
      block.writeUInt32LE(blockIndex, 0);
      const from = position - blockIndex * BLOCK_BYTES;
      const to = Math.min(BLOCK_BYTES, this.size - blockIndex * BLOCK_BYTES);
      yield block.subarray(from, to);
      position += to - from;
    }
  }

  stream(offset = 0): Readable {
    return Readable.from(this.chunks(offset), { objectMode: false });
  }

  /** Lower-case hex SHA-256 of all the bytes, computed by streaming them once. */
  sha256(): string {
    const hash = createHash('sha256');
    for (const chunk of this.chunks()) hash.update(chunk);
    return hash.digest('hex');
  }
}

/**
 * An {@link ArchiveSource} that serves generated attachments, so the real fetch-stage store
 * (`BlobArchiveStore.storeItem`) writes them with its verified size and SHA-256 metadata exactly
 * as it writes TeleMessage's. It lists nothing: the bench hands items to the store itself.
 */
export class GeneratedArchiveSource implements ArchiveSource {
  readonly #attachments: ReadonlyMap<string, { bytes: GeneratedBytes; contentType: string }>;

  constructor(attachments: ReadonlyMap<string, { bytes: GeneratedBytes; contentType: string }>) {
    this.#attachments = attachments;
  }

  listItems(): ArchiveItemIterator {
    throw new Error('GeneratedArchiveSource lists no items; the bench stores its items directly');
  }

  async openAttachment(_product: ArchiveProduct, attachmentId: string, options: OpenAttachmentOptions = {}): Promise<AttachmentDownload> {
    const found = this.#attachments.get(attachmentId);
    if (found === undefined) throw new Error(`GeneratedArchiveSource has no attachment "${attachmentId}"`);
    const offset = options.offset ?? 0;
    return {
      stream: found.bytes.stream(offset),
      contentType: found.contentType,
      contentLength: found.bytes.size - offset,
      totalSize: found.bytes.size,
      offset,
    };
  }

  async verifyConnection(): Promise<void> {}
}
