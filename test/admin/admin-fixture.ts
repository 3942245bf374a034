import { StorageImportReplayQueue } from '../../shared/import/import-replay-queue';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueClient } from '@azure/storage-queue';
import { BlobMappingFileStore } from '../../shared/mapping/mapping-file-store';
import type { SecretWriter } from '../../shared/admin/secret-writer';
import { TableConnectorStore } from '../../shared/connectors/connector-store';
import { TableImportStore } from '../../shared/outcomes/import-store';
import { TableRunStore } from '../../shared/schedule/run-store';
import type { FetchJob } from '../../shared/schedule/fetch-job';
import { StorageFetchJobQueue } from '../../shared/schedule/fetch-job-queue';
import { FetchScheduler } from '../../shared/schedule/fetch-scheduler';
import type { StorageClients } from '../../shared/platform/storage/storage-clients';

export const TM_USERNAME = 'contoso-api';
export const TM_PASSWORD = 'Correct-horse-battery-9!';

/** A scenario folder holding only TeleMessage's accounts, for credential checks against the simulator. */
export async function createAccountsScenario(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'admin-test-scenario-'));
  await mkdir(join(dir, 'telemessage'), { recursive: true });
  await writeFile(
    join(dir, 'telemessage', 'accounts.json'),
    JSON.stringify([{ username: TM_USERNAME, password: TM_PASSWORD, products: ['att-network', 'wechat'] }]),
  );
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

let fixtures = 0;

/** Stores on their own tables, queue and containers, so that tests sharing one Azurite do not meet. */
export function isolatedStores(clients: StorageClients, clock: () => Date = () => new Date()) {
  const n = ++fixtures;
  const connectors = new TableConnectorStore(clients.table(`connectors${n}`));
  const runs = new TableRunStore(clients.table(`runs${n}`));
  const imports = new TableImportStore(clients.table(`imports${n}`));
  const queue = clients.queue(`fetch-jobs-${n}`);
  const scheduler = new FetchScheduler({ connectors, runs, queue: new StorageFetchJobQueue(queue), clock });
  const mappingContainer = clients.blobs.getContainerClient(`mapping-files-${n}`);
  const items = clients.blobs.getContainerClient(`archive-items-${n}`);
  const replayQueue = clients.queue(`import-replays-${n}`);
  return {
    replayQueue,
    replays: new StorageImportReplayQueue(replayQueue),
    connectors,
    runs,
    imports,
    queue,
    scheduler,
    mappingContainer,
    mappingFiles: new BlobMappingFileStore(mappingContainer, { clock }),
    items,
  };
}

/** Every message on the queue, decoded as the Functions host decodes it (base64 JSON). */
export async function drainJobs(queue: QueueClient): Promise<FetchJob[]> {
  return drainMessages<FetchJob>(queue);
}

/** Every message on the queue, decoded as the Functions host decodes it (base64 JSON). */
export async function drainMessages<T>(queue: QueueClient): Promise<T[]> {
  const jobs: T[] = [];
  if (!(await queue.exists())) return jobs;
  for (;;) {
    const got = await queue.receiveMessages({ numberOfMessages: 32 });
    if (got.receivedMessageItems.length === 0) return jobs;
    for (const m of got.receivedMessageItems) {
      jobs.push(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as T);
      await queue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

/** A secret writer that remembers what it was asked to store. */
export class RecordingSecretWriter implements SecretWriter {
  readonly description = 'the test vault';
  readonly written = new Map<string, string>();

  async set(name: string, value: string): Promise<void> {
    this.written.set(name, value);
  }
}
