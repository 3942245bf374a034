import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import type { SimulatorStats, StatsRoute } from './simulator-stats';

/**
 * One request and its response, with every way of answering it (including the broken ones faults
 * need) recording the outcome in the stats exactly once.
 */
export class Exchange {
  private answered = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** The stats route, or undefined for the simulator's own /_sim routes, which are not counted. */
    private readonly route: StatsRoute | undefined,
    private readonly stats: SimulatorStats,
    private readonly log: ((line: string) => void) | undefined,
  ) {}

  json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    const bytes = Buffer.from(JSON.stringify(body), 'utf8');
    this.settle(status);
    this.res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': bytes.length,
      'Cache-Control': 'no-store',
      ...headers,
    });
    this.res.end(bytes);
  }

  /** The contract's error body: `{ "error": code }`, with a human-readable message beside it. */
  error(status: number, code: string, message?: string, headers: OutgoingHttpHeaders = {}): void {
    this.json(status, message === undefined ? { error: code } : { error: code, message }, headers);
  }

  empty(status: number, headers: OutgoingHttpHeaders = {}): void {
    this.settle(status);
    this.res.writeHead(status, headers);
    this.res.end();
  }

  /** Streams `body`; `headers` must declare the Content-Length. */
  stream(status: number, headers: OutgoingHttpHeaders, body: Readable): void {
    this.settle(status);
    this.res.writeHead(status, headers);
    // pipeline destroys the file stream when the client goes away, so no file handle is left open.
    pipeline(body, this.res, () => undefined);
  }

  /**
   * Declares the full Content-Length, sends only `part`, then ends the connection, so the client
   * sees a body cut short rather than a finished response.
   */
  truncated(status: number, headers: OutgoingHttpHeaders, part: Buffer | Readable): void {
    this.settle('truncated', status);
    this.res.writeHead(status, headers);
    const endConnection = (): void => {
      // Ending the socket (rather than the response) flushes what was written and then closes,
      // without the response ever looking complete.
      this.res.socket?.end();
    };
    if (Buffer.isBuffer(part)) {
      this.res.write(part);
      endConnection();
      return;
    }
    part.on('data', (chunk: Buffer) => {
      if (!this.res.write(chunk)) {
        part.pause();
        this.res.once('drain', () => part.resume());
      }
    });
    part.on('end', endConnection);
    part.on('error', () => this.res.destroy());
    this.res.on('close', () => part.destroy());
  }

  /** Resets the connection without answering. */
  reset(): void {
    this.settle('reset');
    const socket = this.req.socket;
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }

  private settle(outcome: number | 'reset' | 'truncated', status?: number): void {
    if (this.answered) throw new Error('response already sent');
    this.answered = true;
    if (this.route !== undefined) this.stats.recordOutcome(this.route, outcome);
    if (this.log !== undefined) {
      const path = (this.req.url ?? '').split('?')[0];
      const shown = outcome === 'truncated' ? `${status} (truncated)` : String(outcome);
      this.log(`${this.req.method} ${path} -> ${shown}`);
    }
  }
}

/** Reads a request body of at most `maxBytes`; undefined when it is larger. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    length += (chunk as Buffer).length;
    if (length > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
