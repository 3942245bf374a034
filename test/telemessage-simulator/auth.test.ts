import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { PASSWORD, USERNAME, createTempScenario, listItems, signIn, smsItem, type TempScenario } from './scenario-fixture';

const WINDOW = { from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' };

describe('authentication and authorisation', () => {
  let scenario: TempScenario;
  let sim: TeleMessageSimulator;
  let clockMs = Date.UTC(2026, 2, 10, 12, 0, 0);
  const logLines: string[] = [];

  before(async () => {
    scenario = await createTempScenario({
      accounts: [
        { username: USERNAME, password: PASSWORD, products: ['att-network', 'wechat'] },
        { username: 'att-only', password: 'att-only-secret', products: ['att-network'] },
      ],
      items: { 'att-network': [smsItem('tm-1', '2026-03-10T13:00:00Z')] },
    });
    sim = await TeleMessageSimulator.start({
      scenarioDir: scenario.dir,
      tokenTtlSeconds: 600,
      now: () => new Date(clockMs),
      log: (line) => logLines.push(line),
    });
  });
  after(async () => {
    await sim.stop();
    await scenario.remove();
  });

  const postToken = (body: string): Promise<Response> =>
    fetch(`${sim.url}/api/v1/auth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

  test('issues a bearer token with its lifetime', async () => {
    const response = await postToken(JSON.stringify({ username: USERNAME, password: PASSWORD }));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await response.json()) as { accessToken: unknown; expiresIn: unknown };
    assert.equal(typeof body.accessToken, 'string');
    assert.equal(body.expiresIn, 600);
    const list = await listItems(sim.url, body.accessToken as string, 'att-network', WINDOW);
    assert.equal(list.status, 200);
  });

  test('wrong password and unknown user are 401 invalid_credentials', async () => {
    for (const credentials of [
      { username: USERNAME, password: `${PASSWORD}x` },
      { username: USERNAME, password: '' },
      { username: 'nobody', password: PASSWORD },
    ]) {
      const response = await postToken(JSON.stringify(credentials));
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), { error: 'invalid_credentials' });
    }
  });

  test('a malformed sign-in body is 400 and GET on the token route is 405', async () => {
    for (const body of ['not json', '[]', JSON.stringify({ username: USERNAME })]) {
      const response = await postToken(body);
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
    }
    const get = await fetch(`${sim.url}/api/v1/auth/token`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    await get.body?.cancel();
  });

  test('a call without a bearer token is 401 invalid_credentials', async () => {
    const response = await fetch(`${sim.url}/api/v1/archive/att-network/items?from=${WINDOW.from}&to=${WINDOW.to}`);
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_credentials');
    const basic = await fetch(`${sim.url}/api/v1/archive/att-network/items?from=${WINDOW.from}&to=${WINDOW.to}`, {
      headers: { Authorization: `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}` },
    });
    assert.equal(basic.status, 401);
    assert.equal(((await basic.json()) as { error: string }).error, 'invalid_credentials');
  });

  test('an unknown token is 401 token_expired, as after a restart', async () => {
    const response = await listItems(sim.url, 'tmsim_never-issued', 'att-network', WINDOW);
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { error: 'token_expired' });
  });

  test('a token expires after its lifetime; a new one works', async () => {
    const token = await signIn(sim.url);
    clockMs += 599_000;
    assert.equal((await listItems(sim.url, token, 'att-network', WINDOW)).status, 200);
    clockMs += 1_000;
    const expired = await listItems(sim.url, token, 'att-network', WINDOW);
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { error: 'token_expired' });
    const attachment = await fetch(`${sim.url}/api/v1/archive/att-network/attachments/a1`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(attachment.status, 401);
    assert.deepEqual(await attachment.json(), { error: 'token_expired' });
    const fresh = await signIn(sim.url);
    assert.equal((await listItems(sim.url, fresh, 'att-network', WINDOW)).status, 200);
  });

  test('an account sees only its products: 403 forbidden, unknown products 404', async () => {
    const token = await signIn(sim.url, 'att-only', 'att-only-secret');
    assert.equal((await listItems(sim.url, token, 'att-network', WINDOW)).status, 200);
    const wechat = await listItems(sim.url, token, 'wechat', WINDOW);
    assert.equal(wechat.status, 403);
    assert.equal(((await wechat.json()) as { error: string }).error, 'forbidden');
    const wechatAttachment = await fetch(`${sim.url}/api/v1/archive/wechat/attachments/a1`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(wechatAttachment.status, 403);
    await wechatAttachment.body?.cancel();
    const unknown = await listItems(sim.url, token, 'signal', WINDOW);
    assert.equal(unknown.status, 404);
    assert.deepEqual(((await unknown.json()) as { error: string }).error, 'not_found');
  });

  test('the log never holds passwords or tokens', async () => {
    const token = await signIn(sim.url);
    await (await listItems(sim.url, token, 'att-network', WINDOW)).body?.cancel();
    await (await postToken(JSON.stringify({ username: USERNAME, password: 'wrong-secret' }))).body?.cancel();
    assert.ok(logLines.length >= 3);
    assert.ok(logLines.some((line) => line.includes('/api/v1/auth/token -> 401')));
    for (const line of logLines) {
      assert.ok(!line.includes(PASSWORD) && !line.includes('wrong-secret') && !line.includes(token), line);
    }
  });
});
