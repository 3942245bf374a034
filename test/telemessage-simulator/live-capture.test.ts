import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TeleMessageItem } from '../../dev/scenario/telemessage-item';
import { startLiveCapture, TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { DEMO_SCENARIO_DIR, createTempScenario, listItems, signIn, smsItem, type ListResponse } from './scenario-fixture';

/** A small deterministic generator so runs repeat. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('live capture', () => {
  let sim: TeleMessageSimulator;
  let scenarioItems: TeleMessageItem[];
  let clockMs = Date.UTC(2026, 2, 11, 9, 0, 0);
  before(async () => {
    sim = await TeleMessageSimulator.start({ scenarioDir: DEMO_SCENARIO_DIR, now: () => new Date(clockMs) });
    scenarioItems = sim.items('att-network');
  });
  after(() => sim.stop());

  test('captures SMS between the account and counterpart of a scenario conversation', async () => {
    const live = startLiveCapture(sim, { intervalMs: 3_600_000, product: 'att-network', random: seeded(42) });
    try {
      const captured: TeleMessageItem[] = [];
      for (let i = 0; i < 20; i++) {
        clockMs += 61_000;
        captured.push(live.captureNow());
      }
      assert.equal(live.captured, 20);
      assert.equal(new Set(captured.map((i) => i.id)).size, 20);
      const conversations = new Map(scenarioItems.map((i) => [i.conversation.id, i]));
      for (const item of captured) {
        assert.equal(item.kind, 'sms');
        assert.equal(item.archivedAt, new Date(Date.parse(item.archivedAt)).toISOString().replace('.000Z', 'Z'));
        assert.ok(Date.parse(item.sentAt) < Date.parse(item.archivedAt));
        assert.ok(item.text.length > 0);
        assert.deepEqual(item.attachments, []);
        const original = conversations.get(item.conversation.id);
        assert.ok(original !== undefined && item.conversation.type === 'direct', 'reuses a direct conversation of the scenario');
        assert.deepEqual(item.account, original.account);
        assert.deepEqual(item.direction === 'outbound' ? item.from : item.to[0], item.account);
        assert.ok(typeof item.from.phone === 'string' && typeof item.to[0]?.phone === 'string');
      }
      assert.ok(new Set(captured.map((i) => i.direction)).size === 2, 'both directions occur');
      assert.ok(new Set(captured.map((i) => i.conversation.id)).size > 1, 'several conversations occur');

      const token = await signIn(sim.url, 'contoso-archive', 'demo-only-Tm-2026!');
      const response = await listItems(sim.url, token, 'att-network', { from: '2026-03-11T09:00:00Z', to: '2026-03-11T10:00:00Z' });
      assert.deepEqual(((await response.json()) as ListResponse).items.map((i) => i.id), captured.map((i) => i.id));
    } finally {
      live.stop();
    }
  });

  test('captures on its own timer until stopped', async () => {
    const seen: TeleMessageItem[] = [];
    let live: ReturnType<typeof startLiveCapture> | undefined;
    await new Promise<void>((resolve) => {
      live = startLiveCapture(sim, {
        intervalMs: 5,
        product: 'wechat',
        onCapture: (item) => {
          clockMs += 1000;
          seen.push(item);
          if (seen.length === 3) resolve();
        },
      });
    });
    live?.stop();
    const count = live?.captured;
    // The capture timer is what is under test: ten of its 5 ms intervals pass without a capture.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(live?.captured, count, 'no capture after stop');
    for (const item of seen) {
      assert.equal(item.kind, 'chat');
      assert.equal(item.product, 'wechat');
      assert.ok(item.from.wechatId !== undefined || item.from.wecomUserId !== undefined);
    }
  });

  test('a scenario without a direct conversation is refused', async () => {
    const scenario = await createTempScenario({
      items: { 'att-network': [smsItem('tm-g', '2026-03-10T13:00:00Z', { conversation: { id: 'g', type: 'group', title: 'x' } })] },
    });
    const other = await TeleMessageSimulator.start({ scenarioDir: scenario.dir });
    try {
      assert.throws(() => startLiveCapture(other, { intervalMs: 1000, product: 'att-network' }), /no direct att-network conversation/);
      assert.throws(() => startLiveCapture(other, { intervalMs: 0, product: 'att-network' }), RangeError);
    } finally {
      await other.stop();
      await scenario.remove();
    }
  });
});
