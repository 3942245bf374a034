import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ANA, BEN, CARA, SimulatorFixture, deliveredMessage, errorCode, messagesPath } from './graph-simulator-fixture';

interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: Record<string, unknown> & { error?: { code: string } };
}

function byId(responses: unknown): Map<string, BatchResponse> {
  return new Map((responses as BatchResponse[]).map((r) => [r.id, r]));
}

const json = { 'Content-Type': 'application/json' };

describe('Graph simulator: $batch', () => {
  let clock = Date.parse('2025-02-01T00:00:00Z');
  let f: SimulatorFixture;
  before(async () => {
    f = await SimulatorFixture.start({ now: () => clock, limits: { requestsPer10Min: 8 } });
  });
  after(async () => {
    await f.close();
  });

  test('user look-ups in one batch, each answered on its own', async () => {
    const reply = await f.call('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `/users/${encodeURIComponent(ANA.userPrincipalName)}?$select=id,accountEnabled` },
        { id: '2', method: 'GET', url: `users/${BEN.id}?$select=id,accountEnabled` },
        { id: '3', method: 'GET', url: '/users/nobody%40contoso.example' },
        { id: '4', method: 'GET', url: `/users/${CARA.id}/mailboxSettings` },
      ],
    });
    assert.equal(reply.status, 200);
    const responses = byId(reply.json.responses);
    assert.equal(responses.get('1')?.status, 200);
    assert.equal(responses.get('1')?.body?.accountEnabled, true);
    assert.equal(responses.get('2')?.body?.accountEnabled, false);
    assert.equal(responses.get('3')?.status, 404);
    assert.equal(responses.get('3')?.body?.error?.code, 'Request_ResourceNotFound');
    assert.equal(responses.get('4')?.body?.error?.code, 'MailboxNotEnabledForRESTAPI');
  });

  test('dependsOn orders the requests; each counts against the mailbox, so one hits 429 inside a 200 batch', async () => {
    const messages = messagesPath(ANA.id, 'inbox');
    // A chain of 10: the budget (8 per 10 minutes) admits 8, the 9th is throttled, the 10th depends on it.
    const requests = Array.from({ length: 10 }, (_, i) => ({
      id: `m${i}`,
      method: 'POST',
      url: messages,
      headers: json,
      body: deliveredMessage(`chain ${i}`, `chain-${i}`),
      ...(i > 0 ? { dependsOn: [`m${i - 1}`] } : {}),
    }));
    const reply = await f.call('POST', '/$batch', { requests });
    assert.equal(reply.status, 200);
    const responses = byId(reply.json.responses);
    const statuses = requests.map((r) => responses.get(r.id)?.status);
    // Run one after another, the chain never has more than one request in progress, so the
    // concurrency limit of 4 is never reached: only the request budget stops it.
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 201, 201, 429, 424]);
    const throttled = responses.get('m8');
    assert.equal(throttled?.body?.error?.code, 'ApplicationThrottled');
    assert.match(String((throttled?.body?.error as { message?: string }).message), /RequestCount/);
    assert.match(throttled?.headers['Retry-After'] ?? '', /^\d+$/);

    const inbox = f.sim.mailbox(ANA.id)?.folders.find((x) => x.wellKnownName === 'inbox');
    assert.deepEqual(
      inbox?.messages.map((m) => m.subject),
      Array.from({ length: 8 }, (_, i) => `chain ${i}`),
      'created in dependency order',
    );
    clock += 600_000;
  });

  test('requests without dependsOn run side by side and compete for the mailbox concurrency', async () => {
    const messages = messagesPath(BEN.id, 'inbox');
    const requests = Array.from({ length: 6 }, (_, i) => ({
      id: `p${i}`,
      method: 'POST',
      url: messages,
      headers: json,
      body: deliveredMessage(`parallel ${i}`, `parallel-${i}`),
    }));
    const reply = await f.call('POST', '/$batch', { requests });
    assert.equal(reply.status, 200);
    const statuses = (reply.json.responses as BatchResponse[]).map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 201, 201, 201, 429, 429]);
    const throttled = (reply.json.responses as BatchResponse[]).filter((r) => r.status === 429);
    for (const r of throttled) assert.match(String((r.body?.error as { message?: string }).message), /MailboxConcurrency/);
    clock += 600_000;
  });

  test('more than 20 requests, duplicate ids, unknown dependencies and cycles are 400', async () => {
    const get = (id: string): object => ({ id, method: 'GET', url: `/users/${ANA.id}` });
    const tooMany = await f.call('POST', '/$batch', { requests: Array.from({ length: 21 }, (_, i) => get(String(i))) });
    assert.equal(tooMany.status, 400);
    const twenty = await f.call('POST', '/$batch', { requests: Array.from({ length: 20 }, (_, i) => get(String(i))) });
    assert.equal(twenty.status, 200);

    assert.equal((await f.call('POST', '/$batch', { requests: [get('1'), get('1')] })).status, 400);
    assert.equal((await f.call('POST', '/$batch', { requests: [{ ...get('1'), dependsOn: ['9'] }] })).status, 400);
    const cycle = await f.call('POST', '/$batch', {
      requests: [
        { ...get('1'), dependsOn: ['2'] },
        { ...get('2'), dependsOn: ['1'] },
      ],
    });
    assert.equal(cycle.status, 400);
  });

  test('a write without Content-Type, an absolute URL or a nested batch is 400', async () => {
    const messages = messagesPath(ANA.id, 'inbox');
    const noContentType = await f.call('POST', '/$batch', {
      requests: [{ id: '1', method: 'POST', url: messages, body: { subject: 'x' } }],
    });
    assert.equal(noContentType.status, 400);
    const absolute = await f.call('POST', '/$batch', {
      requests: [{ id: '1', method: 'GET', url: `${f.sim.url}/users/${ANA.id}` }],
    });
    assert.equal(absolute.status, 400);
    const nested = await f.call('POST', '/$batch', { requests: [{ id: '1', method: 'POST', url: '/$batch', headers: json, body: {} }] });
    assert.equal(nested.status, 400);
  });

  test('the inner request bodies are validated like direct ones', async () => {
    const reply = await f.call('POST', '/$batch', {
      requests: [
        { id: 'bad', method: 'POST', url: messagesPath(BEN.id, 'inbox'), headers: json, body: { subject: 'x', smsFrom: '1' } },
      ],
    });
    assert.equal(reply.status, 200);
    assert.equal(byId(reply.json.responses).get('bad')?.body?.error?.code, 'ErrorInvalidProperty');
  });

  test('$batch needs the bearer token too', async () => {
    const reply = await fetch(`${f.sim.url}/$batch`, { method: 'POST', headers: json, body: JSON.stringify({ requests: [] }) });
    assert.equal(reply.status, 401);
    const wrongMethod = await f.call('GET', '/$batch');
    assert.equal(wrongMethod.status, 405);
    assert.equal(errorCode(wrongMethod), 'BadRequest');
  });
});
