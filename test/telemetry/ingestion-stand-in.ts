import { buffer } from 'node:stream/consumers';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'telemetry', 'fixtures');

/** The stand-in's self-signed certificate (127.0.0.1 only), to be trusted by the exporter under test. */
export const STAND_IN_CERTIFICATE = readFileSync(path.join(FIXTURES, 'loopback-cert.pem'), 'utf8');

/** One Application Insights envelope as the ingestion endpoint receives it (the fields the tests read). */
export interface IngestedEnvelope {
  name: string;
  iKey?: string;
  tags?: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> & { properties?: Record<string, string>; measurements?: Record<string, number> } };
}

/**
 * A stand-in for Application Insights' ingestion endpoint (`POST {IngestionEndpoint}/v2.1/track`)
 * on loopback, over HTTPS as the exporter insists: it accepts every envelope, answers as Breeze does, and lets a test wait for the
 * envelopes it expects.
 */
export class IngestionStandIn {
  readonly envelopes: IngestedEnvelope[] = [];
  readonly paths: string[] = [];
  /** The Authorization header of each request, as sent. */
  readonly authorizations: Array<string | undefined> = [];
  readonly #server: Server;
  readonly #waiters = new Set<() => void>();

  private constructor() {
    this.#server = createServer({ cert: STAND_IN_CERTIFICATE, key: readFileSync(path.join(FIXTURES, 'loopback-key.pem')) }, (req, res) => {
      void readBody(req).then((body) => {
        this.authorizations.push(req.headers.authorization);
        const received = this.receive(req.url ?? '', body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ itemsReceived: received, itemsAccepted: received, errors: [] }));
      });
    });
  }

  static async start(): Promise<IngestionStandIn> {
    const standIn = new IngestionStandIn();
    standIn.#server.listen(0, '127.0.0.1');
    await once(standIn.#server, 'listening');
    return standIn;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}/`;
  }

  /** A connection string that sends everything here. */
  connectionString(instrumentationKey: string): string {
    return `InstrumentationKey=${instrumentationKey};IngestionEndpoint=${this.url}`;
  }

  /** Resolves once some received envelope satisfies `match`. */
  async waitFor(match: (e: IngestedEnvelope) => boolean): Promise<IngestedEnvelope> {
    for (;;) {
      const found = this.envelopes.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.#waiters.add(resolve));
    }
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  private receive(requestPath: string, body: string): number {
    this.paths.push(requestPath);
    // Breeze takes a JSON array or newline-delimited JSON.
    const trimmed = body.trim();
    const parsed: IngestedEnvelope[] = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    this.envelopes.push(...parsed);
    for (const wake of [...this.#waiters]) {
      this.#waiters.delete(wake);
      wake();
    }
    return parsed.length;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const raw = await buffer(req);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}
