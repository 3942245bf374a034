import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import type { AzuriteStorage } from './azurite-storage';

/** Azurite's well-known development account; public by design, not a secret. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Folder for Azurite's data; omitted means in-memory (lost when the process stops). */
  location?: string;
  /** Fixed ports (the Core Tools defaults are 10000/10001/10002); 0 or omitted picks free ones. */
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  /** Azurite's access log goes here when set; silent otherwise. */
  debugLogFile?: string;
  /** How long to wait for all three services to listen. */
  startTimeoutMs?: number;
  /**
   * Further accounts beside {@link AZURITE_ACCOUNT}, all with its key: each is a storage account
   * of its own (containers, queues and tables), so one Azurite can serve many isolated users.
   */
  accounts?: readonly string[];
}

export interface AzuriteEndpoints {
  blobPort: number;
  queuePort: number;
  tablePort: number;
}

/**
 * Azurite started from the project's own dependency (never a global install), in a child
 * process so that a test run or the product's start command owns its lifetime.
 */
export class AzuriteProcess implements AzuriteStorage {
  readonly endpoints: AzuriteEndpoints;
  readonly connectionString: string;
  #child: ChildProcess;

  private constructor(child: ChildProcess, endpoints: AzuriteEndpoints) {
    this.#child = child;
    this.endpoints = endpoints;
    this.connectionString = azuriteConnectionString(endpoints);
  }

  /** Azurite's process id (the bench reads its CPU time). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  static async start(options: AzuriteOptions = {}): Promise<AzuriteProcess> {
    const entry = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
    const args = [
      entry,
      '--blobPort', String(options.blobPort ?? 0),
      '--queuePort', String(options.queuePort ?? 0),
      '--tablePort', String(options.tablePort ?? 0),
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--loose',
    ];
    if (options.location) args.push('--location', options.location);
    else args.push('--inMemoryPersistence');
    if (options.debugLogFile) args.push('--debug', options.debugLogFile);
    else args.push('--silent');

    const env = { ...process.env };
    if (options.accounts !== undefined && options.accounts.length > 0) {
      env.AZURITE_ACCOUNTS = options.accounts.map((name) => `${name}:${AZURITE_KEY}`).join(';');
    }
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const ports: Partial<Record<'blob' | 'queue' | 'table', number>> = {};
    let output = '';
    const ready = new Promise<AzuriteEndpoints>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        for (const m of output.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g)) {
          ports[m[1]!.toLowerCase() as 'blob' | 'queue' | 'table'] = Number(m[2]);
        }
        if (ports.blob && ports.queue && ports.table) {
          child.stdout?.off('data', onData);
          resolve({ blobPort: ports.blob, queuePort: ports.queue, tablePort: ports.table });
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (c: Buffer) => { output += c.toString('utf8'); });
      child.once('exit', (code) => reject(new Error(`Azurite exited with code ${code} before it was ready:\n${output.trim()}`)));
      child.once('error', reject);
    });
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output.trim()}`)), timeoutMs);
    });
    try {
      const endpoints = await Promise.race([ready, timeout]);
      // Keep draining output so a chatty Azurite never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      return new AzuriteProcess(child, endpoints);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGTERM');
    const killTimer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killTimer);
  }
}

/** The connection string of one of an Azurite's accounts (default: the well-known one). */
export function azuriteConnectionString(e: AzuriteEndpoints, host = '127.0.0.1', account = AZURITE_ACCOUNT): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${account}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${e.blobPort}/${account}`,
    `QueueEndpoint=http://${host}:${e.queuePort}/${account}`,
    `TableEndpoint=http://${host}:${e.tablePort}/${account}`,
  ].join(';') + ';';
}
