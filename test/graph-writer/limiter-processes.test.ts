import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { ANA, USERS } from './graph-fixture';
import type { LimiterProcessOptions, LimiterProcessResult } from './limiter-process';
import { SimulatorProcess } from './simulator-process';

const run = promisify(execFile);

let azurite: TestAzurite;
let dataDir: string;
before(async () => {
  [azurite, dataDir] = await Promise.all([startTestAzurite(), mkdtemp(path.join(os.tmpdir(), 'limiter-processes-'))]);
});
after(async () => {
  await Promise.all([azurite?.stop(), rm(dataDir, { recursive: true, force: true })]);
});

/**
 * Three processes, each one instance's shared limiter with 8 requests at once, against one
 * mailbox of a Graph simulator in a fourth process that holds each request as long as Exchange
 * would: the simulator's own count never sees more than 4 in flight nor answers 429, while the
 * instances pass most slots from one request to the next in memory, without a table write.
 */
test('three processes: at most 4 in flight on one mailbox by the simulator\'s count, with slots handed on in memory', async () => {
  const sim = await SimulatorProcess.start({ users: USERS, dataDir, latency: { seed: 12, profiles: { folderLookup: { medianMs: 40, p95Ms: 120 } } } });
  try {
    const options: LimiterProcessOptions = {
      connectionString: azurite.connectionString, table: 'limitsprocesses', graphUrl: sim.url, mailbox: ANA.id, requestsPerWorker: 6, workers: 8,
    };
    const results = await Promise.all(Array.from({ length: 3 }, async () => {
      const { stdout } = await run(process.execPath, [path.join(__dirname, 'limiter-process.js'), JSON.stringify(options)]);
      return JSON.parse(stdout.trim().split('\n').at(-1) as string) as LimiterProcessResult;
    }));
    const stats = await sim.stats();
    const statuses: Record<string, number> = {};
    for (const r of results) for (const [status, n] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
    assert.deepEqual(statuses, { 200: 3 * 8 * 6 }, 'every request answered 200, none throttled');
    assert.equal(stats.throttled, 0);
    assert.equal(stats.maxInFlightPerMailbox, 4, 'the mailbox was kept busy, and never more than 4 at once across the processes');
    const inMemory = results.reduce((n, r) => n + r.stats.memoryHandOffs, 0);
    assert.ok(inMemory > 0, `slots handed on in memory: ${JSON.stringify(results.map((r) => r.stats))}`);
  } finally {
    await sim.stop();
  }
});
