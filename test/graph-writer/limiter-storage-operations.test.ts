import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AzuriteProcess } from '../../dev/azurite/azurite-process';
import { RequestCounter, storageHosts } from '../../dev/bench/request-counter';
import { TableMailboxLimiter } from '../../shared/graph/table-mailbox-limiter';
import { StorageClients } from '../../shared/platform/storage/storage-clients';

/**
 * What the shared limiter costs in table requests, counted on the wire (every HTTP request to
 * Azurite's table endpoint, by operation), for the cases the import stage meets: the first
 * request on a mailbox, a later one on a mailbox this instance used recently, a busy mailbox,
 * and a 429's back-off.
 */
describe('TableMailboxLimiter: table requests per Graph request', () => {
  let azurite: AzuriteProcess;
  let tables = 0;
  before(async () => {
    azurite = await AzuriteProcess.start();
  });
  after(async () => azurite.stop());

  function limiter(options: ConstructorParameters<typeof TableMailboxLimiter>[1] = {}): { limiter: TableMailboxLimiter; table: string } {
    const table = `ops${++tables}`;
    const clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
    return { limiter: new TableMailboxLimiter(clients.table(table), options), table };
  }

  /** The table requests `work` sends, by `METHOD resource` (Azurite's `table GET ops1 query`, …). */
  async function counted(work: () => Promise<void>): Promise<Record<string, number>> {
    const counter = new RequestCounter(storageHosts(azurite.connectionString));
    try {
      await work();
    } finally {
      counter.stop();
    }
    return counter.operations;
  }

  test('a quiet mailbox: 3 the first time (read, claim, release), then 2 while the read is recent (reclaim, release)', async () => {
    const { limiter: l, table } = limiter();
    await l.run('warm-up', async () => undefined);
    await l.flush();
    const first = await counted(async () => {
      await l.run('mailbox-q', async () => undefined);
      await l.flush();
    });
    assert.deepEqual(first, { [`table GET ${table} query`]: 1, [`table POST ${table}`]: 1, [`table PATCH ${table} row`]: 1 }, 'read, create the slot row, release');
    const second = await counted(async () => {
      await l.run('mailbox-q', async () => undefined);
      await l.flush();
    });
    assert.deepEqual(second, { [`table PUT ${table} row`]: 1, [`table PATCH ${table} row`]: 1 }, 'conditional write on the released slot, release: no read');
    assert.equal(l.stats.reclaims, 1);
  });

  test('a request right after another on the same mailbox: 1 (the finished slot lingered and passes on, its write first)', async () => {
    const { limiter: l, table } = limiter({ lingerMs: 60_000 });
    await l.run('mailbox-l', async () => undefined);
    const next = await counted(() => l.run('mailbox-l', async () => undefined));
    // Nothing waited for the slot, so nothing recent proves that no back-off came: never in memory.
    assert.deepEqual(next, { [`table PUT ${table} row`]: 1 }, 'the hand-off write only');
    assert.equal(l.stats.handOffs, 1);
    assert.equal(l.stats.memoryHandOffs, 0);
    const released = await counted(() => l.flush());
    assert.deepEqual(released, { [`table PATCH ${table} row`]: 1 }, 'released once, at the end');
  });

  test('a quiet mailbox whose last read is old is read again (3)', async () => {
    let clock = Date.parse('2026-01-01T00:00:10Z');
    const { limiter: l, table } = limiter({ now: () => clock });
    await l.run('mailbox-r', async () => undefined);
    await l.flush();
    clock += 31_000;
    const later = await counted(async () => {
      await l.run('mailbox-r', async () => undefined);
      await l.flush();
    });
    // The claim writes whichever free slot it picks: the row released before (PUT) or a new one (POST).
    const claimWrites = (later[`table PUT ${table} row`] ?? 0) + (later[`table POST ${table}`] ?? 0);
    assert.deepEqual([later[`table GET ${table} query`], claimWrites, later[`table PATCH ${table} row`]], [1, 1, 1], JSON.stringify(later));
    assert.equal(l.stats.reclaims, 0);
  });

  /** 8 imports at once, as one instance runs them: 4 in flight, 4 waiting for a slot; `requests` in all. */
  async function busyMailbox(l: TableMailboxLimiter, mailbox: string, requests: number): Promise<void> {
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = 0; i < requests / 8; i++) await l.run(mailbox, async () => new Promise((resolve) => setImmediate(resolve)));
    }));
    await l.flush();
  }

  /** The requests the mailbox's slot rows count (all minutes), as every instance's read sees them. */
  async function countedInRows(table: string, mailbox: string): Promise<number> {
    const rows = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString }).table(table)
      .listEntities<{ requests?: string }>({ queryOptions: { filter: `PartitionKey eq '${mailbox}'` } });
    let requests = 0;
    for await (const row of rows) for (const n of Object.values(JSON.parse(row.requests ?? '{}') as Record<string, number>)) requests += n;
    return requests;
  }

  test('a busy mailbox, every hand-off written (memoryHandOffMs 0): 1 per request; reads and releases do not grow with the requests', async () => {
    const { limiter: l, table } = limiter({ memoryHandOffMs: 0 });
    await l.run('warm-up', async () => undefined);
    await l.flush();
    const requests = 120;
    const counts = await counted(() => busyMailbox(l, 'mailbox-b', requests));
    const writes = (counts[`table PUT ${table} row`] ?? 0) + (counts[`table POST ${table}`] ?? 0);
    // A conditional write that lost a race (the first claims of the 4 slots race) is sent again.
    assert.equal(writes - l.stats.conflicts, requests, `one claim or hand-off write per request: ${JSON.stringify(counts)}`);
    assert.equal(l.stats.memoryHandOffs, 0);
    const readsAndReleases = (counts[`table GET ${table} query`] ?? 0) + (counts[`table PATCH ${table} row`] ?? 0);
    assert.ok(readsAndReleases <= 30, `reads and releases at the start and the end only, not per request: ${JSON.stringify(counts)}`);
  });

  test('a busy mailbox: a slot passes to the request waiting for it without a write while its row is freshly written; every request still counted in the rows', async () => {
    const { limiter: l, table } = limiter({ memoryHandOffMs: 60_000 });
    await l.run('warm-up', async () => undefined);
    await l.flush();
    const warmUp = { ...l.stats };
    const requests = 120;
    const counts = await counted(() => busyMailbox(l, 'mailbox-m', requests));
    const claims = l.stats.claims - warmUp.claims + l.stats.reclaims - warmUp.reclaims;
    const conflicts = l.stats.conflicts - warmUp.conflicts;
    const writes = (counts[`table PUT ${table} row`] ?? 0) + (counts[`table POST ${table}`] ?? 0);
    // Every request is a claim or a hand-off; a hand-off writes only when it is not made in memory
    // (a slot that lingered with nothing waiting for it: the last requests of a worker here).
    assert.equal(claims + l.stats.handOffs, requests);
    assert.equal(writes - conflicts, claims + l.stats.handOffs - l.stats.memoryHandOffs, JSON.stringify(counts));
    assert.ok(l.stats.memoryHandOffs > requests / 2, `most hand-offs without a write: ${l.stats.memoryHandOffs} of ${l.stats.handOffs}, ${JSON.stringify(counts)}`);
    assert.deepEqual(
      Object.keys(counts).filter((k) => k !== `table PUT ${table} row` && k !== `table POST ${table}` && k !== `table GET ${table} query` && k !== `table PATCH ${table} row`), [],
      JSON.stringify(counts),
    );
    // The counts handed on in memory reach the rows with the releases: the budgets stay shared.
    assert.equal(await countedInRows(table, 'mailbox-m'), requests);
  });

  test('a back-off: the mailbox\'s rows in one transaction (1)', async () => {
    const { limiter: l, table } = limiter();
    await l.run('mailbox-p', async () => undefined);
    await l.flush();
    const backOff = await counted(() => l.backOff('mailbox-p', Date.now() + 10));
    assert.deepEqual(backOff, { [`table POST $batch`]: 1 });
    const rows = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString }).table(table).listEntities<{ pausedUntil?: number }>();
    const paused: (number | undefined)[] = [];
    for await (const row of rows) paused.push(row.pausedUntil);
    assert.equal(paused.length, 4, 'every slot row');
    assert.ok(paused.every((p) => p !== undefined && p > 0));
  });
});
