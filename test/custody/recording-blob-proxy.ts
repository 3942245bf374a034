import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that reached the blob service, as the proxy saw it. */
export interface BlobRequest {
  method: string;
  /** Path after the account: `/{container}/{blob}`. */
  path: string;
  query: URLSearchParams;
  ifNoneMatch?: string;
  ifMatch?: string;
  status: number;
}

/**
 * A proxy in front of Azurite's blob endpoint that records every request, so a test can prove
 * what the app never does to a container (Azurite has no immutability policies to refuse it).
 */
export class RecordingBlobProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly requests: BlobRequest[],
  ) {}

  static async start(target: URL): Promise<RecordingBlobProxy> {
    const requests: BlobRequest[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', target);
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: url.pathname + url.search, headers: req.headers },
        (answer) => {
          const segments = url.pathname.split('/').slice(2).join('/');
          requests.push({
            method: req.method ?? '',
            path: `/${decodeURIComponent(segments)}`,
            query: url.searchParams,
            ...(typeof req.headers['if-none-match'] === 'string' ? { ifNoneMatch: req.headers['if-none-match'] } : {}),
            ...(typeof req.headers['if-match'] === 'string' ? { ifMatch: req.headers['if-match'] } : {}),
            status: answer.statusCode ?? 0,
          });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new RecordingBlobProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname.replace(/\/$/, '')}`, requests);
  }

  /** Requests to a container's blobs (not the container itself). */
  to(container: string): BlobRequest[] {
    return this.requests.filter((r) => r.path.startsWith(`/${container}/`));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

/** The connection string with its blob endpoint replaced. */
export function withBlobEndpoint(connectionString: string, blobEndpoint: string): string {
  return connectionString.replace(/BlobEndpoint=[^;]*/, `BlobEndpoint=${blobEndpoint}`);
}

export function blobEndpointOf(connectionString: string): URL {
  const match = /BlobEndpoint=([^;]*)/.exec(connectionString);
  if (!match) throw new Error('the connection string names no BlobEndpoint');
  return new URL(match[1] as string);
}
