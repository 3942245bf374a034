/**
 * Child-process entry for limiter-processes.test.ts: one instance of the app's shared limiter
 * (its own process, table client and local queue) sending mailbox requests to the Graph
 * simulator through it, 8 at once as one instance's imports would. Prints what it saw as JSON.
 */
import { TableMailboxLimiter } from '../../shared/graph/table-mailbox-limiter';
import { StorageClients } from '../../shared/platform/storage/storage-clients';

export interface LimiterProcessOptions {
  connectionString: string;
  table: string;
  graphUrl: string;
  mailbox: string;
  requestsPerWorker: number;
  workers: number;
}

export interface LimiterProcessResult {
  statuses: Record<string, number>;
  stats: TableMailboxLimiter['stats'];
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] as string) as LimiterProcessOptions;
  const limiter = new TableMailboxLimiter(new StorageClients({ kind: 'connection-string', connectionString: options.connectionString }).table(options.table));
  const statuses: Record<string, number> = {};
  await Promise.all(Array.from({ length: options.workers }, async () => {
    for (let i = 0; i < options.requestsPerWorker; i++) {
      const status = await limiter.run(options.mailbox, async () => {
        const response = await fetch(`${options.graphUrl}/users/${encodeURIComponent(options.mailbox)}/mailFolders`, { headers: { authorization: 'Bearer limiter-process' } });
        await response.arrayBuffer();
        return response.status;
      });
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }));
  await limiter.flush();
  const result: LimiterProcessResult = { statuses, stats: limiter.stats };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
