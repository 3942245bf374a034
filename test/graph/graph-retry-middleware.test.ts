import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { createGraphClient } from '../../shared/graph/graph-client';
import { StaticTokenCredential } from '../../shared/graph/graph-credential';
import { RETRY_BUDGETS } from '../../shared/platform/resilience';
import { BEN, GRAPH_TEST_TOKEN, GraphFixture } from '../graph-writer/graph-fixture';

/** The Graph client's one retry layer: the app's policy in place of the SDK's RetryHandler. */
describe('Graph client retries: one layer, on the import policy', () => {
  let fx: GraphFixture;
  before(async () => {
    fx = await GraphFixture.start();
  });
  afterEach(() => fx.sim.faults.clear());
  after(async () => fx?.close());

  function client(maxAttempts: number): ReturnType<typeof createGraphClient> {
    return createGraphClient({
      endpoint: fx.sim.url,
      credential: new StaticTokenCredential(GRAPH_TEST_TOKEN),
      retry: RETRY_BUDGETS.import.with({ maxAttempts, baseDelayMs: 1, maxDelayMs: 5 }),
    });
  }

  async function requestsTo(path: string, since: number): Promise<number[]> {
    return (await fx.requests()).slice(since).filter((r) => r.path.includes(path)).map((r) => r.status);
  }

  test('a 503 with Retry-After: 0 is sent again and then succeeds', async () => {
    const since = (await fx.requests()).length;
    fx.sim.faults.add({ kind: 'status-503', match: { method: 'GET', pathIncludes: '/users/' }, times: 2, retryAfterSeconds: 0 });
    const user = (await client(3).api(`/users/${BEN.id}`).select('id').get()) as { id: string };
    assert.equal(user.id, BEN.id);
    assert.deepEqual(await requestsTo(`/users/${BEN.id}`, since), [503, 503, 200]);
  });

  test('the policy’s attempts are all there is: no SDK retries on top', async () => {
    const since = (await fx.requests()).length;
    fx.sim.faults.add({ kind: 'status-503', match: { method: 'GET', pathIncludes: '/users/' }, retryAfterSeconds: 0 });
    await assert.rejects(client(2).api(`/users/${BEN.id}`).get(), (error: unknown) => error instanceof GraphError && error.statusCode === 503);
    assert.deepEqual(await requestsTo(`/users/${BEN.id}`, since), [503, 503]);
  });

  test('a mailbox’s 429 is left to the caller (its limiter backs the whole mailbox off)', async () => {
    const since = (await fx.requests()).length;
    fx.sim.faults.add({ kind: 'status-429', match: { method: 'GET', pathIncludes: '/mailFolders' }, times: 1, retryAfterSeconds: 0 });
    await assert.rejects(client(3).api(`/users/${BEN.id}/mailFolders`).get(), (error: unknown) => error instanceof GraphError && error.statusCode === 429);
    assert.deepEqual(await requestsTo('/mailFolders', since), [429]);
  });
});
