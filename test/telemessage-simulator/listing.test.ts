import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TeleMessageItem } from '../../dev/scenario/telemessage-item';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { chatItem, createTempScenario, listItems, signIn, smsItem, type ListResponse, type TempScenario } from './scenario-fixture';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startWith(
  items: { 'att-network'?: unknown[]; wechat?: unknown[] },
  options: Partial<Parameters<typeof TeleMessageSimulator.start>[0]> = {},
): Promise<{ sim: TeleMessageSimulator; token: string; scenario: TempScenario }> {
  const scenario = await createTempScenario({ items });
  const sim = await TeleMessageSimulator.start({ scenarioDir: scenario.dir, ...options });
  cleanups.push(() => scenario.remove(), () => sim.stop());
  return { sim, token: await signIn(sim.url), scenario };
}

async function page(sim: TeleMessageSimulator, token: string, query: Record<string, string>, product = 'att-network'): Promise<ListResponse> {
  const response = await listItems(sim.url, token, product, query);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as ListResponse;
}

/** Follows nextCursor to the end of the window and returns every id in order. */
async function allIds(sim: TeleMessageSimulator, token: string, query: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const result: ListResponse = await page(sim, token, cursor === null ? query : { ...query, cursor });
    ids.push(...result.items.map((i) => i.id));
    cursor = result.nextCursor;
  } while (cursor !== null);
  return ids;
}

async function expectError(response: Response, status: number, error: string): Promise<void> {
  assert.equal(response.status, status);
  assert.equal(((await response.json()) as { error: string }).error, error);
}

describe('listing', () => {
  // Deliberately out of order in the file, with ties on archivedAt broken by id.
  const scenarioItems = [
    smsItem('tm-e', '2026-03-10T15:00:00Z'),
    smsItem('tm-b', '2026-03-10T13:00:00Z'),
    smsItem('tm-a', '2026-03-10T13:00:00Z'),
    smsItem('tm-c', '2026-03-10T13:00:00.500Z'),
    // Sent long before the window, archived inside it: the window is about archivedAt.
    smsItem('tm-d', '2026-03-10T14:00:00Z', { sentAt: '2026-03-01T09:00:00Z' }),
    smsItem('tm-f', '2026-03-10T16:00:00Z'),
    smsItem('tm-before', '2026-03-10T11:59:59.999Z'),
    smsItem('tm-late', '2026-03-10T18:00:00Z'),
  ];
  const window = { from: '2026-03-10T12:00:00Z', to: '2026-03-10T18:00:00Z' };
  let sim: TeleMessageSimulator;
  let token: string;
  before(async () => {
    ({ sim, token } = await startWith({ 'att-network': scenarioItems }));
  });

  test('items come ordered by (archivedAt, id), from inclusive and to exclusive', async () => {
    const result = await page(sim, token, window);
    assert.deepEqual(result.items.map((i) => i.id), ['tm-a', 'tm-b', 'tm-c', 'tm-d', 'tm-e', 'tm-f']);
    assert.equal(result.nextCursor, null);
    const exact = await page(sim, token, { from: '2026-03-10T13:00:00Z', to: '2026-03-10T13:00:00.500Z' });
    assert.deepEqual(exact.items.map((i) => i.id), ['tm-a', 'tm-b']);
  });

  test('items are served as stored, unknown fields included', async () => {
    const result = await page(sim, token, { from: '2026-03-10T14:00:00Z', to: '2026-03-10T14:00:01Z' });
    assert.deepEqual(result.items, [scenarioItems[4]]);
  });

  test('pages follow the cursor, each item exactly once, null at the end', async () => {
    for (const limit of ['1', '2', '4', '6']) {
      assert.deepEqual(await allIds(sim, token, { ...window, limit }), ['tm-a', 'tm-b', 'tm-c', 'tm-d', 'tm-e', 'tm-f'], `limit ${limit}`);
    }
    const full = await page(sim, token, { ...window, limit: '6' });
    assert.equal(full.nextCursor, null, 'a page that exactly empties the window has no next cursor');
  });

  test('the cursor is stable for the same from, to and limit, and refused for others', async () => {
    const first = await page(sim, token, { ...window, limit: '2' });
    const again = await page(sim, token, { ...window, limit: '2' });
    assert.equal(typeof first.nextCursor, 'string');
    assert.equal(first.nextCursor, again.nextCursor);
    const cursor = first.nextCursor as string;
    const second = await page(sim, token, { ...window, limit: '2', cursor });
    assert.deepEqual(second.items.map((i) => i.id), ['tm-c', 'tm-d']);
    assert.deepEqual((await page(sim, token, { ...window, limit: '2', cursor })).nextCursor, second.nextCursor);

    await expectError(await listItems(sim.url, token, 'att-network', { ...window, limit: '3', cursor }), 400, 'invalid_cursor');
    await expectError(await listItems(sim.url, token, 'att-network', { ...window, from: '2026-03-10T12:00:01Z', limit: '2', cursor }), 400, 'invalid_cursor');
    await expectError(await listItems(sim.url, token, 'att-network', { ...window, to: '2026-03-10T17:00:00Z', limit: '2', cursor }), 400, 'invalid_cursor');
    await expectError(await listItems(sim.url, token, 'att-network', { ...window, limit: '2', cursor: 'not a cursor!' }), 400, 'invalid_cursor');
    await expectError(await listItems(sim.url, token, 'att-network', { ...window, limit: '2', cursor: Buffer.from('{"v":1}').toString('base64url') }), 400, 'invalid_cursor');
  });

  test('invalid windows are 400 invalid_window', async () => {
    const bad: Record<string, string>[] = [
      { from: window.to, to: window.to },
      { from: window.to, to: window.from },
      { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00.001Z' },
      { to: window.to },
      { from: window.from },
      { from: '2026-03-10T12:00:00+00:00', to: window.to },
      { from: '2026-03-10', to: window.to },
      { from: window.from, to: 'tomorrow' },
    ];
    for (const query of bad) await expectError(await listItems(sim.url, token, 'att-network', query), 400, 'invalid_window');
    assert.equal((await page(sim, token, { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' })).items.length, 0, 'exactly 31 days is allowed');
  });

  test('limit must be 1 to 500', async () => {
    for (const limit of ['0', '501', '-1', '1.5', 'ten', '', '1e2']) {
      await expectError(await listItems(sim.url, token, 'att-network', { ...window, limit }), 400, 'invalid_limit');
    }
    assert.equal((await page(sim, token, { ...window, limit: '500' })).items.length, 6);
    assert.equal((await page(sim, token, { ...window, limit: '1' })).items.length, 1);
  });
});

describe('listing defaults and live capture', () => {
  test('the default limit is 100', async () => {
    const items = Array.from({ length: 101 }, (_, i) => smsItem(`tm-${String(i).padStart(3, '0')}`, new Date(Date.UTC(2026, 2, 10, 12, 0, i)).toISOString()));
    const { sim, token } = await startWith({ 'att-network': items });
    const first = await page(sim, token, { from: '2026-03-10T12:00:00Z', to: '2026-03-10T13:00:00Z' });
    assert.equal(first.items.length, 100);
    assert.notEqual(first.nextCursor, null);
    const rest = await page(sim, token, { from: '2026-03-10T12:00:00Z', to: '2026-03-10T13:00:00Z', cursor: first.nextCursor as string });
    assert.deepEqual(rest.items.map((i) => i.id), ['tm-100']);
  });

  test('a captured item is served; archivedAt defaults to now; ids must be new', async () => {
    let clockMs = Date.UTC(2026, 2, 10, 20, 0, 0);
    const { sim, token } = await startWith({ 'att-network': [smsItem('tm-1', '2026-03-10T13:00:00Z')] }, { now: () => new Date(clockMs) });
    const window = { from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' };
    clockMs += 1234;
    const { archivedAt: _none, ...withoutArchivedAt } = smsItem('tm-live', 'unused');
    const stored = sim.capture('att-network', withoutArchivedAt);
    assert.equal(stored.archivedAt, '2026-03-10T20:00:01.234Z');
    assert.deepEqual((await page(sim, token, window)).items.map((i) => i.id), ['tm-1', 'tm-live']);
    assert.throws(() => sim.capture('att-network', smsItem('tm-1', '2026-03-10T14:00:00Z')), /already exists/);
    assert.throws(() => sim.capture('att-network', chatItem('tm-x', '2026-03-10T14:00:00Z')), /does not match/);
    assert.throws(() => sim.capture('att-network', smsItem('tm-y', 'not a time')), /archivedAt/);
    // Capture is lenient on content so tests can serve malformed items to the product.
    sim.capture('att-network', { id: 'tm-malformed', archivedAt: '2026-03-10T21:00:00Z', text: 42 as unknown as string });
    const malformed = await page(sim, token, { from: '2026-03-10T21:00:00Z', to: '2026-03-10T21:00:01Z' });
    assert.deepEqual(malformed.items, [{ id: 'tm-malformed', archivedAt: '2026-03-10T21:00:00Z', text: 42, product: 'att-network' }]);
  });

  test('an item captured after the cursor position appears on a later page', async () => {
    const items = ['a', 'b', 'c'].map((s, i) => smsItem(`tm-${s}`, `2026-03-10T1${i}:00:00Z`));
    const { sim, token } = await startWith({ 'att-network': items });
    const query = { from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z', limit: '2' };
    const first = await page(sim, token, query);
    sim.capture('att-network', smsItem('tm-between', '2026-03-10T11:30:00Z'));
    sim.capture('att-network', smsItem('tm-earlier', '2026-03-10T09:00:00Z'));
    const second = await page(sim, token, { ...query, cursor: first.nextCursor as string });
    assert.deepEqual(second.items.map((i) => i.id), ['tm-between', 'tm-c']);
  });

  test('any Unicode text round-trips', async () => {
    const text = '你好 👋🏽 مرحبا \u202Eabc\u202C tab\there\u0001 \u0000 end';
    const { sim, token } = await startWith({ 'att-network': [smsItem('tm-u', '2026-03-10T13:00:00Z', { text })] });
    const result = await page(sim, token, { from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' });
    assert.equal(result.items[0]?.text, text);
  });
});

describe('rebaseToNow', () => {
  const call = chatItem('tm-wc-call', '2026-03-10T14:00:00Z', {
    kind: 'call',
    sentAt: '2026-03-10T13:50:00Z',
    call: { media: 'voice', outcome: 'answered', startedAt: '2026-03-10T13:50:00Z', endedAt: '2026-03-10T13:55:00Z', durationSeconds: 300 },
  });
  const recall = chatItem('tm-wc-recall', '2026-03-10T12:00:00Z', { kind: 'recall', recall: { targetItemId: 'tm-wc-x', recalledAt: '2026-03-10T11:59:30Z' } });
  const sms = smsItem('tm-att-1', '2026-03-10T10:00:00.250Z', { sentAt: '2026-03-10T09:59:58Z' });

  async function served(sim: TeleMessageSimulator, token: string): Promise<Map<string, TeleMessageItem>> {
    const byId = new Map<string, TeleMessageItem>();
    for (const product of ['att-network', 'wechat']) {
      const now = sim.now().getTime();
      const query = { from: new Date(now - 10 * 86_400_000).toISOString(), to: new Date(now).toISOString() };
      for (const item of (await page(sim, token, query, product)).items) byId.set(item.id, item);
    }
    return byId;
  }

  test('true: the newest archivedAt lands one hour before start, every timestamp moves alike', async () => {
    const startMs = Date.UTC(2030, 6, 1, 8, 30, 15, 700);
    const { sim, token } = await startWith({ 'att-network': [sms], wechat: [call, recall] }, { rebaseToNow: true, now: () => new Date(startMs) });
    const items = await served(sim, token);
    assert.equal(items.size, 3);
    assert.equal(items.get('tm-wc-call')?.archivedAt, '2030-07-01T07:30:15Z');
    const offset = Date.parse('2030-07-01T07:30:15Z') - Date.parse(call.archivedAt);
    const moved = (iso: string): string => new Date(Date.parse(iso) + offset).toISOString().replace('.000Z', 'Z');
    assert.deepEqual(items.get('tm-wc-call')?.call, { ...call.call, startedAt: moved('2026-03-10T13:50:00Z'), endedAt: moved('2026-03-10T13:55:00Z') });
    assert.equal(items.get('tm-wc-call')?.sentAt, moved(call.sentAt));
    assert.deepEqual(items.get('tm-wc-recall')?.recall, { targetItemId: 'tm-wc-x', recalledAt: moved('2026-03-10T11:59:30Z') });
    assert.equal(items.get('tm-wc-recall')?.archivedAt, moved(recall.archivedAt));
    assert.equal(items.get('tm-att-1')?.archivedAt, moved(sms.archivedAt));
    assert.equal(items.get('tm-att-1')?.sentAt, moved(sms.sentAt));
  });

  test('a Date: the newest archivedAt lands on it', async () => {
    const anchor = new Date('2031-01-02T03:04:05Z');
    const { sim, token } = await startWith({ 'att-network': [sms], wechat: [call, recall] }, { rebaseToNow: anchor, now: () => new Date('2031-01-03T00:00:00Z') });
    const items = await served(sim, token);
    assert.equal(items.get('tm-wc-call')?.archivedAt, '2031-01-02T03:04:05Z');
    assert.equal(items.get('tm-att-1')?.archivedAt, '2031-01-01T23:04:05.250Z');
    assert.deepEqual(sim.items('wechat').map((i) => i.id), ['tm-wc-recall', 'tm-wc-call']);
  });
});
