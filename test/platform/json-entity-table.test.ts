import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RestError } from '@azure/data-tables';
import { RETRY_BUDGETS } from '../../shared/platform/resilience';
import { JsonEntityTable } from '../../shared/platform/storage/json-entity-table';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';

interface Counter {
  count: number;
  writers: string[];
}

describe('JsonEntityTable.update: conflicts retried on the policy, and bounded', () => {
  let azurite: TestAzurite;
  let clients: StorageClients;
  before(async () => {
    azurite = await startTestAzurite();
    clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
  });
  after(async () => azurite?.stop());

  test('twelve writers updating one row at once all land: none loses another’s write', async () => {
    const table = new JsonEntityTable<Counter>(clients.table('conflictsall'));
    await table.createIfAbsent('p', 'r', { count: 0, writers: [] });
    const writers = Array.from({ length: 12 }, (_, i) => `w${i}`);
    await Promise.all(writers.map((w) => table.update('p', 'r', (c) => ({ count: c.count + 1, writers: [...c.writers, w] }))));
    const final = await table.tryGet('p', 'r');
    assert.equal(final?.count, 12);
    assert.deepEqual([...(final?.writers ?? [])].sort(), [...writers].sort());
  });

  test('a writer that keeps losing stops after the conflict policy’s attempts with the 412, not after fifty', async () => {
    const tableClient = clients.table('conflictsbound');
    const rival = new JsonEntityTable<Counter>(clients.table('conflictsbound'));
    let writes = 0;
    // The real client, with another writer's real write landing just before each of ours.
    const contested = new Proxy(tableClient, {
      get(target, property, receiver) {
        if (property === 'updateEntity') {
          return async (...args: Parameters<typeof tableClient.updateEntity>) => {
            writes += 1;
            await rival.upsert('p', 'r', { count: -writes, writers: ['rival'] });
            return target.updateEntity(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const table = new JsonEntityTable<Counter>(contested, RETRY_BUDGETS.tableConflict.with({ maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 }));
    await table.createIfAbsent('p', 'r', { count: 0, writers: [] });

    await assert.rejects(
      table.update('p', 'r', (c) => ({ count: c.count + 1, writers: [...c.writers, 'us'] })),
      (error: unknown) => error instanceof RestError && error.statusCode === 412,
    );
    assert.equal(writes, 4, 'four attempts, as the policy allows');
    assert.deepEqual(await table.tryGet('p', 'r'), { count: -4, writers: ['rival'] }, 'the rival’s last write stands; ours never landed');
  });
});
