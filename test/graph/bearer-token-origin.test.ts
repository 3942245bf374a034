import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context } from '@microsoft/microsoft-graph-client';
import { createGraphMiddleware } from '../../shared/graph/graph-client';
import { StaticTokenCredential } from '../../shared/graph/graph-credential';
import { BEN, GRAPH_TEST_TOKEN, GraphFixture } from '../graph-writer/graph-fixture';

/**
 * Issue #11: the SDK follows `@odata.nextLink` as an absolute URL through the same middleware
 * chain, whatever origin the link names. The app's token must reach the configured Graph origin
 * only. (The SDK reads only https links as absolute, and the simulators speak http, so the
 * chain the app builds is driven here with the absolute URL the SDK would hand it.)
 */
describe('Graph bearer token: signed only for the configured Graph origin', () => {
  let graph: GraphFixture;
  /** Another origin (another port) that answers like Graph and logs what it was sent. */
  let elsewhere: GraphFixture;
  before(async () => {
    graph = await GraphFixture.start();
    elsewhere = await GraphFixture.start();
  });
  after(async () => {
    await graph?.close();
    await elsewhere?.close();
  });

  async function send(url: string): Promise<Response> {
    const chain = createGraphMiddleware({ endpoint: graph.sim.url, credential: new StaticTokenCredential(GRAPH_TEST_TOKEN) });
    const context: Context = { request: url, options: { method: 'GET', headers: {} } };
    await chain.execute(context);
    assert.ok(context.response);
    return context.response;
  }

  test('a nextLink to another origin is requested without the Authorization header', async () => {
    assert.notEqual(new URL(graph.sim.url).origin, new URL(elsewhere.sim.url).origin);
    const response = await send(`${elsewhere.sim.url}/users/${BEN.id}/mailFolders?$skiptoken=2`);
    assert.equal(response.status, 401);
    assert.match(await response.text(), /Access token is empty/);
    assert.deepEqual((await elsewhere.requests()).map((r) => [r.method, r.status]), [['GET', 401]]);
  });

  test('a nextLink on the configured origin is still signed', async () => {
    const response = await send(`${graph.sim.url}/users/${BEN.id}/mailFolders?$top=1`);
    assert.equal(response.status, 200);
  });
});
