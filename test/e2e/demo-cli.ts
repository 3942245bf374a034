import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { AzuriteProcess } from '../../dev/azurite/azurite-process';
import { workdirLayout } from '../../dev/demo/paths';
import type { CycleReport } from '../../dev/demo/report';
import { BlobMappingFileStore } from '../../shared/mapping/mapping-file-store';
import { TableConnectorStore } from '../../shared/connectors/connector-store';
import { TableImportStore } from '../../shared/outcomes/import-store';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { Containers, Tables } from '../../shared/platform/storage/storage-names';

/** The compiled demo command, as `npm run demo` runs it (from dist/test/e2e). */
export const DEMO_CLI = path.join(__dirname, '..', '..', 'dev', 'demo.js');

export interface CommandResult {
  code: number | null;
  /** Standard output and standard error, interleaved. */
  output: string;
}

/** Runs `node dist/dev/demo.js <args>` in a child process, as a user would, and waits for it to exit. */
export async function runDemoCommand(args: readonly string[]): Promise<CommandResult> {
  const env = { ...process.env };
  // The child is a command, not a test file: node:test must not treat its output as a subtest's.
  delete env['NODE_TEST_CONTEXT'];
  const child = spawn(process.execPath, [DEMO_CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

/** `<workdir>/report.json` as the demo command last wrote it. */
export async function readReport(workdir: string): Promise<CycleReport> {
  return JSON.parse(await readFile(workdirLayout(workdir).report, 'utf8')) as CycleReport;
}

/** The pipeline's stores over a demo work folder's storage, as an administrator's commands reach them. */
export interface WorkdirStores {
  storage: StorageClients;
  connectors: TableConnectorStore;
  imports: TableImportStore;
  mappingFiles: BlobMappingFileStore;
}

/**
 * Starts Azurite on a demo work folder's data between two runs of the demo command (which stops
 * its own Azurite when it ends), hands the stores to `use`, and stops Azurite again.
 */
export async function withWorkdirStorage<T>(workdir: string, use: (stores: WorkdirStores) => Promise<T>): Promise<T> {
  const azurite = await AzuriteProcess.start({ location: workdirLayout(workdir).azurite });
  try {
    const storage = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
    return await use({
      storage,
      connectors: new TableConnectorStore(storage.table(Tables.connectors)),
      imports: new TableImportStore(storage.table(Tables.imports)),
      mappingFiles: new BlobMappingFileStore(storage.blobs.getContainerClient(Containers.mappingFiles), { cacheMs: 0 }),
    });
  } finally {
    await azurite.stop();
  }
}
