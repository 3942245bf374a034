import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  ANA,
  SOURCE_ID_PROPERTY,
  SimulatorFixture,
  deliveredMessage,
  errorCode,
  filterQuery,
  messagesPath,
  odataString,
} from './graph-simulator-fixture';

describe('Graph simulator: switchable faults', () => {
  let f: SimulatorFixture;
  let folderId: string;
  before(async () => {
    f = await SimulatorFixture.start();
    folderId = await f.createFolder(ANA.id, 'Faults');
  });
  afterEach(() => {
    f.sim.faults.clear();
  });
  after(async () => {
    await f.close();
  });

  test('status-503 with Retry-After, for the given number of matching requests only', async () => {
    f.sim.faults.add({ kind: 'status-503', match: { method: 'GET', pathIncludes: '/mailFolders' }, times: 2, retryAfterSeconds: 7 });
    const first = await f.call('GET', `/users/${ANA.id}/mailFolders`);
    assert.equal(first.status, 503);
    assert.equal(first.headers.get('retry-after'), '7');
    assert.equal(errorCode(first), 'ServiceUnavailable');

    assert.equal((await f.call('GET', `/users/${ANA.id}`)).status, 200, 'path does not match');
    assert.equal((await f.call('POST', `/users/${ANA.id}/mailFolders`, { displayName: 'F1' })).status, 201, 'method does not match');
    assert.equal((await f.call('GET', `/users/${ANA.id}/mailFolders`)).status, 503);
    assert.equal((await f.call('GET', `/users/${ANA.id}/mailFolders`)).status, 200, 'used up after two');
  });

  test('status-429 and status-500 answer like Graph; a fault without times stays until cleared', async () => {
    f.sim.faults.add({ kind: 'status-429', match: { pathIncludes: 'mailboxSettings' }, retryAfterSeconds: 3 });
    for (let i = 0; i < 3; i += 1) {
      const reply = await f.call('GET', `/users/${ANA.id}/mailboxSettings`);
      assert.equal(reply.status, 429);
      assert.equal(reply.headers.get('retry-after'), '3');
    }
    f.sim.faults.clear();
    assert.equal((await f.call('GET', `/users/${ANA.id}/mailboxSettings`)).status, 200);

    f.sim.faults.add({ kind: 'status-500', times: 1 });
    const failed = await f.call('GET', `/users/${ANA.id}`);
    assert.equal(failed.status, 500);
    assert.equal(typeof (failed.json.error as { message: string }).message, 'string');
  });

  test("match.pathIncludes may name a user by userPrincipalName even when the path encodes '@'", async () => {
    f.sim.faults.add({ kind: 'status-503', match: { pathIncludes: `users/${ANA.userPrincipalName}/` }, times: 1 });
    const reply = await f.call('GET', `/users/${encodeURIComponent(ANA.userPrincipalName)}/mailFolders`);
    assert.equal(reply.status, 503);
  });

  test('reset drops the connection', async () => {
    f.sim.faults.add({ kind: 'reset', match: { method: 'GET' }, times: 1 });
    await assert.rejects(f.call('GET', `/users/${ANA.id}`), TypeError);
    assert.equal((await f.call('GET', `/users/${ANA.id}`)).status, 200);
  });

  test("phase 'after' applies the request and then loses the answer: the item can be found again", async () => {
    f.sim.faults.add({ kind: 'reset', match: { method: 'POST', pathIncludes: '/messages' }, times: 1, phase: 'after' });
    const messages = messagesPath(ANA.id, folderId);
    await assert.rejects(f.call('POST', messages, deliveredMessage('Ambiguous', 'amb-1')), TypeError);

    const lookup = filterQuery(
      `singleValueExtendedProperties/any(ep: ep/id eq ${odataString(SOURCE_ID_PROPERTY)} and ep/value eq 'amb-1')`,
    );
    const found = await f.call('GET', `${messages}${lookup}`);
    assert.equal((found.json.value as unknown[]).length, 1, 'the create took effect although the client saw a failure');

    f.sim.faults.add({ kind: 'status-500', match: { method: 'POST' }, times: 1, phase: 'after' });
    const folder = await f.call('POST', `/users/${ANA.id}/mailFolders`, { displayName: 'After500' });
    assert.equal(folder.status, 500);
    const again = await f.call('POST', `/users/${ANA.id}/mailFolders`, { displayName: 'After500' });
    assert.equal(again.status, 409, 'the folder was created despite the 500');
  });

  test('faults inside $batch hit single requests; the batch itself answers 200', async () => {
    f.sim.faults.add({ kind: 'status-429', match: { pathIncludes: `/users/${ANA.id}/mailboxSettings` }, times: 1 });
    const reply = await f.call('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `/users/${ANA.id}/mailboxSettings` },
        { id: '2', method: 'GET', url: `/users/${ANA.id}` },
      ],
    });
    assert.equal(reply.status, 200);
    const statuses = Object.fromEntries((reply.json.responses as { id: string; status: number }[]).map((r) => [r.id, r.status]));
    assert.deepEqual(statuses, { '1': 429, '2': 200 });
  });

  test('faults over HTTP: POST and DELETE /_sim/faults', async () => {
    const add = await fetch(`${f.sim.origin}/_sim/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'status-503', match: { pathIncludes: '/users/' }, retryAfterSeconds: 2 }),
    });
    assert.equal(add.status, 201);
    assert.equal(((await add.json()) as { ids: string[] }).ids.length, 1);
    assert.equal((await f.call('GET', `/users/${ANA.id}`)).status, 503);

    const listed = await fetch(`${f.sim.origin}/_sim/faults`);
    assert.equal(((await listed.json()) as { value: unknown[] }).value.length, 1);

    const removed = await fetch(`${f.sim.origin}/_sim/faults`, { method: 'DELETE' });
    assert.equal(removed.status, 204);
    assert.equal((await f.call('GET', `/users/${ANA.id}`)).status, 200);

    const bad = await fetch(`${f.sim.origin}/_sim/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'status-418' }),
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /fault\.kind/);

    const stats = (await (await fetch(`${f.sim.origin}/_sim/stats`)).json()) as { requests: number; faultsInjected: number };
    assert.ok(stats.faultsInjected >= 1);
    assert.equal(stats.requests, f.sim.stats.requests);
  });

  test('a bad fault spec from code is a TypeError naming the field', () => {
    assert.throws(() => f.sim.faults.add({ kind: 'status-429', times: 0 }), /fault\.times/);
    assert.throws(() => f.sim.faults.add({ kind: 'status-429', match: { host: 'x' } as never }), /fault\.match\.host/);
  });
});
