import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { waitFor } from '../support/wait-for';
import { TableMailboxLimiter, type TableMailboxLimiterOptions } from '../../shared/graph/table-mailbox-limiter';
import { RETRY_BUDGETS, RetryBudgetExhaustedError } from '../../shared/platform/resilience';
import { StorageClients } from '../../shared/platform/storage/storage-clients';

/** Several instances of the app: each its own limiter and table client, one table. */
describe('TableMailboxLimiter: limits shared by every instance through Table Storage (Azurite)', () => {
  let azurite: TestAzurite;
  let tables = 0;
  before(async () => {
    azurite = await startTestAzurite();
  });
  after(async () => azurite?.stop());

  function instances(count: number, options: TableMailboxLimiterOptions = {}): TableMailboxLimiter[] {
    const table = `limits${++tables}`;
    return Array.from({ length: count }, () => {
      const clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
      return new TableMailboxLimiter(clients.table(table), options);
    });
  }

  test('three instances never have more than 4 requests in flight on one mailbox, and all of them run', async () => {
    const fleet = instances(3);
    let inFlight = 0;
    let most = 0;
    let done = 0;
    let reachedFour!: () => void;
    const fourAtOnce = new Promise<void>((resolve) => (reachedFour = resolve));
    const request = async (): Promise<void> => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      if (inFlight === 4) reachedFour();
      // Requests are held until four are in flight at once, so that the mailbox is seen full
      // however slowly a loaded machine claims the slots (the first claims race through the
      // table); if four could never meet, the bound turns that hang into a failure.
      if (most < 4) await Promise.race([fourAtOnce, sleep(10_000, undefined, { ref: false })]);
      // The request's own duration, as Graph's would be: what lets an excess overlap.
      await sleep(15);
      inFlight -= 1;
      done += 1;
    };
    // 8 at once per instance, as host.json's maxDegreeOfParallelism lets one instance run.
    await Promise.all(fleet.flatMap((limiter) => Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 4; i++) await limiter.run('mailbox-a', request);
    })));
    await Promise.all(fleet.map((l) => l.flush()));
    assert.equal(done, 96);
    assert.equal(most, 4, 'four at once, never more');
    const handOffs = fleet.reduce((n, l) => n + l.stats.handOffs, 0);
    assert.ok(handOffs > 0, 'a finished request passes its slot to the next one waiting in the same instance');
    assert.ok(fleet.some((l) => l.stats.memoryHandOffs > 0), 'some of them in memory, without a table write');
    assert.ok(fleet.every((l) => l.stats.claims > 0), 'every instance got slots');
  });

  test('with every hand-off reading the mailbox first and released slots reclaimed, still never more than 4 in flight', async () => {
    // handOffFreshMs 0: no read is fresh enough, so each hand-off reads and writes (refreshed);
    // bursts with pauses between them make instances release slots and claim them again.
    const fleet = instances(3, { handOffFreshMs: 0 });
    let inFlight = 0;
    let most = 0;
    let done = 0;
    const request = async (): Promise<void> => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      // The request's own duration, as above: not a wait for anything.
      await sleep(5);
      inFlight -= 1;
      done += 1;
    };
    for (let burst = 0; burst < 4; burst++) {
      await Promise.all(fleet.flatMap((limiter, i) => Array.from({ length: 2 + i * 3 }, async () => {
        for (let k = 0; k < 3; k++) await limiter.run('mailbox-r', request);
      })));
    }
    await Promise.all(fleet.map((l) => l.flush()));
    assert.equal(done, 4 * 3 * (2 + 5 + 8));
    assert.ok(most <= 4, `at most four at once, saw ${most}`);
    assert.ok(fleet.some((l) => l.stats.refreshedHandOffs > 0), 'hand-offs read the mailbox first');
    // Whether a burst's reclaims win or lose their race depends on timing; both ends of a
    // reclaim are pinned down one at a time in the next test.
  });

  test('a slot this instance released is claimed again with one conditional write; once another instance wrote it, the mailbox is read instead', async () => {
    const [a, b] = instances(2);
    await a!.run('mailbox-s', async () => undefined);
    await a!.flush();
    const operations = a!.stats.storageOperations;
    await a!.run('mailbox-s', async () => undefined);
    assert.equal(a!.stats.reclaims, 1, 'the released slot is claimed again');
    assert.equal(a!.stats.claims, 1, 'without a second claim through a read');
    assert.equal(a!.stats.storageOperations - operations, 1, 'one write, no read');
    await a!.flush();

    // The other instance holds all four slots at once, so every row is written after a's release.
    let inFlight = 0;
    let resolve!: () => void;
    const allFour = new Promise<void>((done) => (resolve = done));
    await Promise.all(Array.from({ length: 4 }, () => b!.run('mailbox-s', async () => {
      inFlight += 1;
      if (inFlight === 4) resolve();
      await Promise.race([allFour, sleep(10_000, undefined, { ref: false })]);
    })));
    assert.equal(inFlight, 4);
    await b!.flush();
    let ran = false;
    await a!.run('mailbox-s', async () => {
      ran = true;
    });
    assert.equal(ran, true);
    assert.equal(a!.stats.reclaims, 1, 'a row written since is not reclaimed on a stale ETag');
    assert.equal(a!.stats.claims, 2, 'the mailbox was read and a slot claimed as for any claim');
  });

  test('mailboxes do not share slots', async () => {
    const [a, b] = instances(2);
    let inFlight = 0;
    let most = 0;
    let resolve!: () => void;
    const allEight = new Promise<void>((done) => (resolve = done));
    const request = async (): Promise<void> => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      if (inFlight === 8) resolve();
      // Held until all eight are in flight at once.
      // If the mailboxes shared slots the eight would never meet: the bound turns that hang into a failure.
      await Promise.race([allEight, sleep(10_000, undefined, { ref: false })]);
      inFlight -= 1;
    };
    await Promise.all([...Array.from({ length: 4 }, () => a!.run('mailbox-b', request)), ...Array.from({ length: 4 }, () => b!.run('mailbox-c', request))]);
    assert.equal(most, 8);
  });

  test('a back-off one instance records holds every instance back for that mailbox until it ends', async () => {
    // The instances' clock moves only when the test says: a back-off measured on the wall clock
    // could end before a loaded machine had B look at the mailbox, and B would have nothing to wait for.
    let clock = Date.parse('2026-01-01T00:00:30Z');
    const [a, b] = instances(2, { now: () => clock });
    await b!.run('mailbox-d', async () => undefined);
    const until = clock + 1200;
    await a!.backOff('mailbox-d', until);
    let startedAt = 0;
    const held = b!.run('mailbox-d', async () => {
      startedAt = clock;
    });
    await waitFor('B to find the mailbox backing off', () => (b!.stats.waits.backOff >= 1 ? true : undefined));
    assert.equal(startedAt, 0, 'nothing started while the back-off holds');
    clock = until;
    await held;
    assert.ok(startedAt >= until, `started ${until - startedAt} ms before the back-off ended`);
    let other = 0;
    await b!.run('mailbox-e', async () => {
      other = clock;
    });
    assert.ok(other > 0, 'another mailbox is not held back');
  });

  test('the request budget is one for all instances', async () => {
    let clock = Date.parse('2026-01-01T00:00:30Z');
    const [a, b] = instances(2, { requestsPer10Min: 3, now: () => clock, maxPollMs: 20 });
    await a!.run('mailbox-f', async () => undefined);
    await b!.run('mailbox-f', async () => undefined);
    await a!.run('mailbox-f', async () => undefined);
    let fourth = false;
    const waiting = b!.run('mailbox-f', async () => {
      fourth = true;
    });
    await waitFor('the fourth request to wait for the budget twice', () => (b!.stats.waits.budget >= 2 ? true : undefined));
    assert.equal(fourth, false, 'the fourth request waits: three were admitted through two instances');
    clock += 11 * 60_000;
    await waiting;
    assert.equal(fourth, true, 'it runs once the first requests leave the 10-minute window');
  });

  test('the upload budget is one for all instances', async () => {
    let clock = Date.parse('2026-01-01T00:00:30Z');
    const [a, b] = instances(2, { uploadBytesPer5Min: 1000, now: () => clock, maxPollMs: 20 });
    await a!.run('mailbox-g', async () => undefined, { uploadBytes: 600 });
    let second = false;
    const waiting = b!.run('mailbox-g', async () => {
      second = true;
    }, { uploadBytes: 600 });
    await waitFor('the second upload to wait for the budget twice', () => (b!.stats.waits.budget >= 2 ? true : undefined));
    assert.equal(second, false, '600 + 600 bytes would be over 1000');
    // 600 + 300 fit.
    await b!.run('mailbox-g', async () => undefined, { uploadBytes: 300 });
    clock += 6 * 60_000;
    await waiting;
    assert.equal(second, true);
  });

  test('a slot held by an instance that died frees itself when its lease runs out', async () => {
    const table = `limits${++tables}`;
    const clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
    // The lease runs out when the test moves the clock: on the wall clock, a loaded machine could
    // let it run out before the live instance looked, and nothing would have been waited for.
    let clock = Date.parse('2026-01-01T00:00:30Z');
    const alive = new TableMailboxLimiter(clients.table(table), { concurrency: 1, maxPollMs: 20, now: () => clock });
    await alive.run('mailbox-h', async () => undefined);
    await alive.flush();
    // What an instance that crashed while holding the only slot leaves behind.
    const leaseUntil = clock + 500;
    await clients.table(table).upsertEntity({ partitionKey: 'mailbox-h', rowKey: 'slot-0', holder: 'dead-instance:1', leaseUntil }, 'Merge');
    let startedAt = 0;
    const waiting = alive.run('mailbox-h', async () => {
      startedAt = clock;
    });
    await waitFor('the live instance to find the only slot held', () => (alive.stats.waits.concurrency >= 1 ? true : undefined));
    assert.equal(startedAt, 0, 'nothing started while the dead instance\'s lease holds');
    clock = leaseUntil;
    await waiting;
    assert.ok(startedAt >= leaseUntil, 'it waited for the lease to run out');
  });

  test('waiting for a slot spends the operation\'s time budget and ends when its signal aborts', async () => {
    const [holder, waiter] = instances(2, { concurrency: 1, maxPollMs: 20 });
    let free!: () => void;
    const held = new Promise<void>((resolve) => (free = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const holding = holder!.run('mailbox-w', async () => {
      started();
      await held;
    });
    await running;
    let ran = false;
    const task = async (): Promise<void> => {
      ran = true;
    };
    await assert.rejects(
      waiter!.run('mailbox-w', task, {}, RETRY_BUDGETS.import.with({ budgetMs: 200 }).begin()),
      (err: unknown) => err instanceof RetryBudgetExhaustedError && /a free slot/.test(err.message) && /mailbox-w/.test(err.message),
    );
    const looked = waiter!.stats.waits.concurrency;
    const abort = new AbortController();
    const cancelled = waiter!.run('mailbox-w', task, {}, RETRY_BUDGETS.import.begin(abort.signal));
    await waitFor('the waiter to look at the full mailbox again', () => (waiter!.stats.waits.concurrency > looked + 1 ? true : undefined));
    abort.abort(new Error('host shutting down'));
    await assert.rejects(cancelled, /host shutting down/);
    assert.equal(ran, false, 'neither request ran while the only slot was held');
    free();
    await holding;
    await Promise.all([holder!.flush(), waiter!.flush()]);
  });
});
