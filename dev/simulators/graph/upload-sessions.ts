import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GraphError } from './graph-error';
import { newOpaqueToken } from './graph-ids';

/** An attachment upload in progress: its bytes go to a part file, chunk after chunk, in order. */
export interface UploadSession {
  readonly id: string;
  /** The credential embedded in the upload URL. */
  readonly token: string;
  readonly userId: string;
  readonly messageId: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly isInline: boolean;
  readonly contentId: string | null;
  readonly partFile: string;
  /** Bytes received so far; the next chunk must start here. */
  nextOffset: number;
  expiresAt: number;
  /** A chunk is being received; another one must wait its turn. */
  busy: boolean;
}

export interface ContentRange {
  first: number;
  last: number;
  total: number;
}

export type UploadSessionSpec = Pick<
  UploadSession,
  'userId' | 'messageId' | 'name' | 'size' | 'contentType' | 'isInline' | 'contentId'
>;

/** How long an upload session lives after its creation or its latest chunk. */
export const UPLOAD_SESSION_LIFETIME_MS = 15 * 60 * 1000;

/** Upload sessions, kept in memory only: a restarted simulator forgets unfinished uploads, as an expired session would. */
export class UploadSessions {
  readonly #directory: string;
  readonly #now: () => number;
  readonly #sessions = new Map<string, UploadSession>();

  private constructor(directory: string, now: () => number) {
    this.#directory = directory;
    this.#now = now;
  }

  /** Opens the part-file folder `<dataDir>/uploads`, discarding parts an earlier run left behind. */
  static async open(dataDir: string, now: () => number): Promise<UploadSessions> {
    const directory = path.join(dataDir, 'uploads');
    await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true });
    return new UploadSessions(directory, now);
  }

  async create(spec: UploadSessionSpec): Promise<UploadSession> {
    const id = newOpaqueToken(18);
    const session: UploadSession = {
      ...spec,
      id,
      token: newOpaqueToken(32),
      partFile: path.join(this.#directory, `${id}.part`),
      nextOffset: 0,
      expiresAt: this.#now() + UPLOAD_SESSION_LIFETIME_MS,
      busy: false,
    };
    await writeFile(session.partFile, new Uint8Array(0));
    this.#sessions.set(id, session);
    return session;
  }

  /** The live session with this id, or undefined when unknown, cancelled or expired. */
  get(id: string): UploadSession | undefined {
    const session = this.#sessions.get(id);
    if (session !== undefined && session.expiresAt <= this.#now() && !session.busy) {
      void this.delete(id);
      return undefined;
    }
    return session;
  }

  async delete(id: string): Promise<void> {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    await rm(session.partFile, { force: true });
  }

  /**
   * Streams one chunk to the part file at its offset. The chunk counts only once all of it has
   * arrived; a short, long or broken body leaves the session where it was.
   */
  async receiveChunk(session: UploadSession, range: ContentRange, body: Readable): Promise<void> {
    const expected = range.last - range.first + 1;
    session.busy = true;
    try {
      const counter = new ByteCounter(expected);
      await pipeline(body, counter, createWriteStream(session.partFile, { flags: 'r+', start: range.first }));
      if (counter.bytes !== expected) {
        throw new GraphError(
          400,
          'InvalidRange',
          `The body has ${counter.bytes} bytes but Content-Range ${range.first}-${range.last} declares ${expected}.`,
        );
      }
      session.nextOffset = range.last + 1;
      session.expiresAt = this.#now() + UPLOAD_SESSION_LIFETIME_MS;
    } catch (error) {
      await truncate(session.partFile, session.nextOffset);
      throw error;
    } finally {
      session.busy = false;
    }
  }

  /** Hashes the completed part file by reading it back (it is never held in memory whole). */
  async finish(session: UploadSession): Promise<string> {
    this.#sessions.delete(session.id);
    const hash = createHash('sha256');
    await pipeline(createReadStream(session.partFile), hash);
    return hash.digest('hex');
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions.keys()].map((id) => this.delete(id)));
  }
}

/** Passes bytes through, counting them, and fails as soon as there are more than allowed. */
class ByteCounter extends Transform {
  bytes = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      callback(new GraphError(400, 'InvalidRange', `The body is longer than the ${this.limit} bytes its Content-Range declares.`));
      return;
    }
    callback(null, chunk);
  }
}

/** Parses `bytes a-b/total`. */
export function parseContentRange(header: string | undefined): ContentRange | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header?.trim() ?? '');
  if (match === null) return undefined;
  const [first, last, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return first <= last && last < total ? { first, last, total } : undefined;
}
