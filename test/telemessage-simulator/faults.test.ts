import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import { FaultSpecError, TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { PASSWORD, USERNAME, attachmentFor, createTempScenario, listItems, signIn, smsItem, type TempScenario } from './scenario-fixture';

const WINDOW = { from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' };
const bytes = Buffer.alloc(64 * 1024, 7);

interface RawResponse {
  status: number;
  declaredLength: number;
  received: Buffer;
  complete: boolean;
}

/** A request over node:http that reports exactly what arrived, even when the body is cut short. */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => undefined);
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          declaredLength: Number(res.headers['content-length']),
          received: Buffer.concat(chunks),
          complete: res.complete,
        }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('faults', () => {
  let scenario: TempScenario;
  let sim: TeleMessageSimulator;
  let token: string;

  before(async () => {
    scenario = await createTempScenario({
      items: { 'att-network': [smsItem('tm-1', '2026-03-10T13:00:00Z', { kind: 'mms', attachments: [attachmentFor('att-1', bytes)] })] },
      attachments: { 'att-1': bytes },
    });
    sim = await TeleMessageSimulator.start({ scenarioDir: scenario.dir });
    token = await signIn(sim.url);
  });
  afterEach(() => {
    sim.faults.clear();
    sim.stats.reset();
  });
  after(async () => {
    await sim.stop();
    await scenario.remove();
  });

  const list = (): Promise<Response> => listItems(sim.url, token, 'att-network', WINDOW);
  const attachment = (): Promise<Response> =>
    fetch(`${sim.url}/api/v1/archive/att-network/attachments/att-1`, { headers: { Authorization: `Bearer ${token}` } });
  const postToken = (): Promise<Response> =>
    fetch(`${sim.url}/api/v1/auth/token`, { method: 'POST', body: JSON.stringify({ username: USERNAME, password: PASSWORD }) });

  test('status-429 and status-503 carry Retry-After; the fault is used up after `times`', async () => {
    sim.faults.add({ route: 'list', kind: 'status-429', retryAfterSeconds: 7, times: 2 });
    for (let i = 0; i < 2; i++) {
      const response = await list();
      assert.equal(response.status, 429);
      assert.equal(response.headers.get('retry-after'), '7');
      assert.equal(((await response.json()) as { error: string }).error, 'too_many_requests');
    }
    assert.equal((await list()).status, 200);
    assert.deepEqual(sim.faults.list(), []);

    sim.faults.add({ route: 'token', kind: 'status-503' });
    const unavailable = await postToken();
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get('retry-after'), '1');
    await unavailable.body?.cancel();
    assert.equal((await postToken()).status, 200);
  });

  test('a fault hits only its route; "any" hits the next request of any route', async () => {
    sim.faults.add({ route: 'attachment', kind: 'status-500' });
    assert.equal((await list()).status, 200);
    const failed = await attachment();
    assert.equal(failed.status, 500);
    await failed.body?.cancel();
    sim.faults.add({ route: 'any', kind: 'status-500' });
    const token500 = await postToken();
    assert.equal(token500.status, 500);
    await token500.body?.cancel();
    assert.equal((await list()).status, 200);
  });

  test('times: Infinity lasts until cleared', async () => {
    sim.faults.add({ route: 'list', kind: 'status-500', times: Infinity });
    for (let i = 0; i < 5; i++) assert.equal((await list()).status, 500);
    assert.equal(sim.faults.list()[0]?.remaining, Infinity);
    sim.faults.clear();
    assert.equal((await list()).status, 200);
  });

  test('reset drops the connection without a response', async () => {
    sim.faults.add({ route: 'list', kind: 'reset' });
    await assert.rejects(list(), TypeError);
    assert.equal(sim.stats.outcomes('reset', 'list'), 1);
    assert.equal((await list()).status, 200);
  });

  test('truncate declares the full length, sends part, and ends the connection', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const listUrl = `${sim.url}/api/v1/archive/att-network/items?from=${WINDOW.from}&to=${WINDOW.to}`;
    const whole = await rawRequest(listUrl, { headers: auth });
    assert.ok(whole.complete && whole.received.length === whole.declaredLength);

    sim.faults.add({ route: 'list', kind: 'truncate' });
    const cut = await rawRequest(listUrl, { headers: auth });
    assert.equal(cut.status, 200);
    assert.equal(cut.declaredLength, whole.declaredLength);
    assert.equal(cut.complete, false);
    assert.ok(cut.received.length > 0 && cut.received.length < cut.declaredLength);
    assert.deepEqual(cut.received, whole.received.subarray(0, cut.received.length));

    sim.faults.add({ route: 'attachment', kind: 'truncate' });
    const file = await rawRequest(`${sim.url}/api/v1/archive/att-network/attachments/att-1`, { headers: auth });
    assert.equal(file.declaredLength, bytes.length);
    assert.equal(file.complete, false);
    assert.equal(file.received.length, bytes.length / 2);

    sim.faults.add({ route: 'attachment', kind: 'truncate' });
    const ranged = await rawRequest(`${sim.url}/api/v1/archive/att-network/attachments/att-1`, { headers: { ...auth, Range: 'bytes=1000-1999' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.declaredLength, 1000);
    assert.equal(ranged.received.length, 500);

    sim.faults.add({ route: 'token', kind: 'truncate' });
    const tokenCut = await rawRequest(`${sim.url}/api/v1/auth/token`, { method: 'POST', body: JSON.stringify({ username: USERNAME, password: PASSWORD }) });
    assert.equal(tokenCut.complete, false);
    assert.ok(tokenCut.received.length < tokenCut.declaredLength);

    sim.faults.add({ route: 'attachment', kind: 'truncate' });
    const viaFetch = await attachment();
    await assert.rejects(viaFetch.arrayBuffer());
    assert.equal(sim.stats.outcomes('truncated'), 5);
  });

  test('expire-token: the current token answers token_expired from now on', async () => {
    const own = await signIn(sim.url);
    assert.equal((await listItems(sim.url, own, 'att-network', WINDOW)).status, 200);
    sim.faults.add({ route: 'list', kind: 'expire-token' });
    const expired = await listItems(sim.url, own, 'att-network', WINDOW);
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { error: 'token_expired' });
    const again = await fetch(`${sim.url}/api/v1/archive/att-network/attachments/att-1`, { headers: { Authorization: `Bearer ${own}` } });
    assert.equal(again.status, 401, 'the token stays expired');
    await again.body?.cancel();
    assert.equal((await list()).status, 200, 'other tokens are unaffected');
    assert.equal((await listItems(sim.url, await signIn(sim.url), 'att-network', WINDOW)).status, 200);
  });

  test('expire-token on the token route issues a token that is already expired', async () => {
    sim.faults.add({ route: 'token', kind: 'expire-token' });
    const stale = await signIn(sim.url);
    const response = await listItems(sim.url, stale, 'att-network', WINDOW);
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { error: 'token_expired' });
  });

  test('latency delays a response without changing it, and combines with another fault', async () => {
    sim.faults.add({ route: 'list', kind: 'latency', latencyMs: 1500 });
    const slow = list().then(async (r) => ({ which: 'slow', status: r.status, body: await r.text() }));
    // Taken by the slow request already, so this one is not delayed and finishes first.
    const fast = attachment().then(async (r) => ({ which: 'fast', status: r.status, body: await r.text() }));
    const first = await Promise.race([slow, fast]);
    assert.equal(first.which, 'fast');
    const delayed = await slow;
    assert.equal(delayed.status, 200);
    assert.equal((JSON.parse(delayed.body) as { items: unknown[] }).items.length, 1);

    sim.faults.add({ route: 'list', kind: 'latency', latencyMs: 10 });
    sim.faults.add({ route: 'list', kind: 'status-503', retryAfterSeconds: 0 });
    const both = await list();
    assert.equal(both.status, 503);
    assert.equal(both.headers.get('retry-after'), '0');
    await both.body?.cancel();
    assert.deepEqual(sim.faults.list(), []);
  });

  test('invalid fault specifications are refused', () => {
    const bad = [
      { route: 'nowhere', kind: 'reset' },
      { route: 'list', kind: 'explode' },
      { route: 'list', kind: 'reset', times: 0 },
      { route: 'list', kind: 'reset', times: 1.5 },
      { route: 'list', kind: 'status-429', retryAfterSeconds: -1 },
      { route: 'list', kind: 'latency', latencyMs: Number.NaN },
    ];
    for (const spec of bad) assert.throws(() => sim.faults.add(spec as never), FaultSpecError, JSON.stringify(spec));
  });

  test('stats count requests per route and outcomes per status', async () => {
    await (await list()).body?.cancel();
    sim.faults.add({ route: 'list', kind: 'status-429' });
    await (await list()).body?.cancel();
    await (await attachment()).body?.cancel();
    await (await fetch(`${sim.url}/nothing-here`)).body?.cancel();
    assert.equal(sim.stats.requests('list'), 2);
    assert.equal(sim.stats.requests('attachment'), 1);
    assert.equal(sim.stats.requests('unknown'), 1);
    assert.equal(sim.stats.requests(), 4);
    assert.equal(sim.stats.outcomes(200, 'list'), 1);
    assert.equal(sim.stats.outcomes(429, 'list'), 1);
    assert.equal(sim.stats.outcomes(200), 2);
    assert.deepEqual(sim.stats.snapshot().outcomes.unknown, { '404': 1 });
  });
});

describe('faults over HTTP', () => {
  let scenario: TempScenario;
  let sim: TeleMessageSimulator;
  before(async () => {
    scenario = await createTempScenario({ items: { 'att-network': [smsItem('tm-1', '2026-03-10T13:00:00Z')] } });
    sim = await TeleMessageSimulator.start({ scenarioDir: scenario.dir });
  });
  after(async () => {
    await sim.stop();
    await scenario.remove();
  });

  const admin = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${sim.url}/_sim/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  test('POST adds one fault or several, GET lists, DELETE clears', async () => {
    const one = await admin('POST', 'faults', { route: 'token', kind: 'status-429', retryAfterSeconds: 3 });
    assert.equal(one.status, 201);
    const many = await admin('POST', 'faults', [
      { route: 'list', kind: 'reset', times: 'Infinity' },
      { route: 'any', kind: 'latency', latencyMs: 5, times: 2 },
    ]);
    assert.equal(many.status, 201);
    assert.equal(((await many.json()) as { faults: unknown[] }).faults.length, 2);

    const listed = (await (await admin('GET', 'faults')).json()) as { faults: { route: string; kind: string; remaining: unknown }[] };
    assert.deepEqual(listed.faults.map((f) => [f.route, f.kind, f.remaining]), [
      ['token', 'status-429', 1],
      ['list', 'reset', 'Infinity'],
      ['any', 'latency', 2],
    ]);

    const limited = await fetch(`${sim.url}/api/v1/auth/token`, { method: 'POST', body: JSON.stringify({ username: USERNAME, password: PASSWORD }) });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    await limited.body?.cancel();
    await assert.rejects(listItems(sim.url, await signIn(sim.url), 'att-network', WINDOW));

    assert.equal((await admin('DELETE', 'faults')).status, 204);
    assert.deepEqual(await (await admin('GET', 'faults')).json(), { faults: [] });
    assert.equal((await listItems(sim.url, await signIn(sim.url), 'att-network', WINDOW)).status, 200);
  });

  test('an invalid fault is 400 with the reason and adds nothing', async () => {
    const response = await admin('POST', 'faults', [{ route: 'list', kind: 'reset' }, { route: 'list', kind: 'explode' }]);
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { message: string }).message, /fault kind must be one of/);
    assert.deepEqual(sim.faults.list(), []);
    const notJson = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: '{' });
    assert.equal(notJson.status, 400);
    await notJson.body?.cancel();
  });

  test('stats are readable and resettable, and admin calls are not counted', async () => {
    await admin('DELETE', 'stats');
    await (await fetch(`${sim.url}/api/v1/auth/token`, { method: 'POST', body: JSON.stringify({ username: USERNAME, password: 'nope' }) })).body?.cancel();
    const snapshot = (await (await admin('GET', 'stats')).json()) as { requests: Record<string, number>; outcomes: Record<string, Record<string, number>> };
    assert.deepEqual(snapshot.requests, { token: 1, list: 0, attachment: 0, unknown: 0 });
    assert.deepEqual(snapshot.outcomes.token, { '401': 1 });
    assert.equal((await admin('DELETE', 'stats')).status, 204);
    assert.equal(sim.stats.requests(), 0);
  });
});

describe('stopping', () => {
  test('stop() ends a response held back by latency', async () => {
    const scenario = await createTempScenario();
    const sim = await TeleMessageSimulator.start({ scenarioDir: scenario.dir });
    try {
      sim.faults.add({ route: 'token', kind: 'latency', latencyMs: 600_000 });
      const pending = fetch(`${sim.url}/api/v1/auth/token`, { method: 'POST', body: '{}' });
      // Wait until the request has reached the simulator and taken the fault.
      while (sim.stats.requests('token') === 0) await new Promise((resolve) => setImmediate(resolve));
      await sim.stop();
      await assert.rejects(pending);
    } finally {
      await sim.stop();
      await scenario.remove();
    }
  });
});
