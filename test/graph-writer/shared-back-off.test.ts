import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TableClient } from '@azure/data-tables';
import { sourceItemIdPropertyId } from '../../shared/conversion';
import { GraphMailboxWriter } from '../../shared/graph/mailbox-writer';
import { TableMailboxLimiter } from '../../shared/graph/table-mailbox-limiter';
import { RETRY_BUDGETS } from '../../shared/platform/resilience';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { waitFor } from '../support/wait-for';
import { ANA, BEN, GraphFixture, deliveredMessage, matching } from './graph-fixture';

const FOLDER = 'AT&T SMS/MMS Network Archiver';

/**
 * Two instances of the app, each with its own Graph client, mailbox writer and limiter, sharing
 * the limits table as the instances of a deployment do: when Graph answers one instance's request
 * with 429 and Retry-After for a mailbox, the other instance does not send that mailbox anything
 * until Retry-After has passed, although Graph never throttled it.
 */
describe('Graph 429 with Retry-After: every instance backs off for that mailbox', () => {
  let azurite: TestAzurite;
  let fx: GraphFixture;
  before(async () => {
    [azurite, fx] = await Promise.all([startTestAzurite(), GraphFixture.start()]);
  });
  after(async () => {
    await Promise.all([azurite?.stop(), fx?.close()]);
  });

  function instance(table: TableClient, now?: () => number): { writer: GraphMailboxWriter; limiter: TableMailboxLimiter } {
    const limiter = new TableMailboxLimiter(table, now ? { now } : {});
    const writer = new GraphMailboxWriter({ client: GraphFixture.client(fx.sim), sourceItemIdPropertyId: sourceItemIdPropertyId(), retry: RETRY_BUDGETS.import.with({ baseDelayMs: 10 }), limiter });
    return { writer, limiter };
  }

  /** The back-off as the limits table holds it for a mailbox: the latest `pausedUntil` of its slots. */
  async function pausedUntil(table: TableClient, mailbox: string): Promise<number> {
    let until = 0;
    for await (const row of table.listEntities<{ pausedUntil?: number }>({ queryOptions: { filter: `PartitionKey eq '${encodeURIComponent(mailbox)}'` } })) {
      until = Math.max(until, row.pausedUntil ?? 0);
    }
    return until;
  }

  test('the other instance waits out the Retry-After of a 429 it never got', async () => {
    const table = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString }).table('mailboxlimits');
    const a = instance(table);
    // B's clock stands still at the moment of the 429 until B has looked at the mailbox: on the
    // wall clock, a loaded machine could spend the whole 2 s Retry-After before B looked, and B
    // would have had nothing to wait for. When B's requests reach Graph is checked on the wall clock.
    let bHeldAt: number | undefined;
    const b = instance(table, () => bHeldAt ?? Date.now());
    // Both instances know the folder already: from here on only message creates go to Graph.
    const folderA = await a.writer.ensureFolder(ANA.id, FOLDER);
    const folderB = await b.writer.ensureFolder(ANA.id, FOLDER);
    const benFolder = await b.writer.ensureFolder(BEN.id, FOLDER);
    assert.equal(folderB, folderA);

    fx.sim.faults.add({ kind: 'status-429', match: { method: 'POST', pathIncludes: `/users/${ANA.id}/mailFolders/` }, times: 1, retryAfterSeconds: 2 });
    const throttledAt = Date.now();
    const first = a.writer.createMessage(ANA.id, folderA, deliveredMessage('item-throttled'));

    // Instance A records the back-off in the shared table; instance B learns of it only there.
    const until = await waitFor('the back-off in the shared table', async () => {
      const paused = await pausedUntil(table, ANA.id);
      return paused === 0 ? undefined : paused;
    });
    assert.ok(until >= throttledAt + 2000, 'paused for Retry-After');

    bHeldAt = throttledAt;
    const all = Promise.all([
      first,
      b.writer.createMessage(ANA.id, folderB, deliveredMessage('item-other-instance')),
      b.writer.createMessage(BEN.id, benFolder, deliveredMessage('item-other-mailbox')),
    ]);
    await waitFor('instance B to find the shared back-off', () => (b.limiter.stats.waits.backOff >= 1 ? true : undefined));
    bHeldAt = undefined;
    const [, secondId, benId] = await all;
    assert.ok(secondId && benId);

    const creates = matching(await fx.requests(), 'POST', `/users/${ANA.id}/mailFolders/${folderA}/messages`);
    assert.deepEqual(creates.map((c) => c.status).sort(), [201, 201, 429], 'one 429 (instance A\'s), then both creates');
    const afterThrottle = creates.filter((c) => c.status === 201);
    for (const c of afterThrottle) {
      assert.ok(Date.parse(c.time) >= until, `a create reached the mailbox at ${c.time}, before the back-off ended at ${new Date(until).toISOString()}`);
    }
    assert.equal(fx.messages(ANA, FOLDER).length, 2, 'each message once');
    assert.equal(fx.messages(BEN, FOLDER).length, 1);
  });
});
