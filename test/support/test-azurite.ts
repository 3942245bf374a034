import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { TableServiceClient } from '@azure/data-tables';
import { AzuriteProcess, azuriteConnectionString, type AzuriteEndpoints, type AzuriteStorage } from '../../dev/azurite';

/**
 * Set by the test runner (test/support/run-tests.ts) for the test files it starts: the one
 * Azurite of the run, and where its accounts are claimed. JSON of {@link SharedAzurite}.
 */
export const SHARED_AZURITE_ENV = 'ARCHIVER_TEST_AZURITE';

/** What a test file needs to know to borrow an account of the run's Azurite. */
export interface SharedAzurite {
  endpoints: AzuriteEndpoints;
  /** Names of the accounts Azurite was started with; each is lent to one fixture only. */
  accounts: string[];
  /** A folder in which claiming account `n` means creating the folder `n` (atomic across processes). */
  claimsDir: string;
}

/** Account names for a run's Azurite: lower-case letters and digits, as storage account names are. */
export function sharedAccountNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `testaccount${String(i + 1).padStart(3, '0')}`);
}

/**
 * Storage for one fixture: under `npm test`, a storage account of its own on the run's single
 * Azurite (claimed for good, so no two fixtures of any test file ever share data); run alone
 * (`node --test dist/test/...`), an Azurite of its own, in memory.
 */
export async function startTestAzurite(): Promise<TestAzurite> {
  const shared = sharedAzurite();
  if (shared !== undefined) {
    const account = await claimAccount(shared);
    if (account !== undefined) return new TestAzurite(azuriteConnectionString(shared.endpoints, '127.0.0.1', account), account, shared.endpoints);
  }
  const own = await AzuriteProcess.start();
  return new TestAzurite(own.connectionString, undefined, own.endpoints, own);
}

/** One account of the run's Azurite, or a private Azurite; `stop` frees what it holds. */
export class TestAzurite implements AzuriteStorage {
  constructor(
    readonly connectionString: string,
    /** The shared Azurite's account this fixture was lent; undefined for a private Azurite. */
    readonly account: string | undefined,
    readonly endpoints: AzuriteEndpoints,
    readonly ownProcess?: AzuriteProcess,
  ) {}

  /**
   * A private Azurite stops. A lent account is emptied (the run's Azurite keeps everything in
   * memory until the run ends) and stays claimed, so no later fixture sees leftovers.
   */
  async stop(): Promise<void> {
    if (this.ownProcess !== undefined) return this.ownProcess.stop();
    await emptyAccount(this.connectionString).catch(() => undefined);
  }
}

function sharedAzurite(): SharedAzurite | undefined {
  const value = process.env[SHARED_AZURITE_ENV];
  if (value === undefined || value === '') return undefined;
  return JSON.parse(value) as SharedAzurite;
}

async function claimAccount(shared: SharedAzurite): Promise<string | undefined> {
  for (const account of shared.accounts) {
    try {
      await mkdir(path.join(shared.claimsDir, account));
      return account;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  // Every account is taken: this fixture starts its own Azurite rather than share one.
  return undefined;
}

async function emptyAccount(connectionString: string): Promise<void> {
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  for await (const container of blobs.listContainers()) await blobs.deleteContainer(container.name);
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  for await (const queue of queues.listQueues()) await queues.deleteQueue(queue.name);
  const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  for await (const table of tables.listTables()) if (table.name !== undefined) await tables.deleteTable(table.name);
}
