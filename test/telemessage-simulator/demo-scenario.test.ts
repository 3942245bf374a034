import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { after, before, describe, test } from 'node:test';
import type { DirectoryUser } from '../../dev/scenario/directory-users';
import { findScenarioInconsistencies, loadScenario, type Scenario } from '../../dev/scenario/scenario';
import type { Participant, TeleMessageItem } from '../../dev/scenario/telemessage-item';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { DEMO_SCENARIO_DIR, listItems, signIn, type ListResponse } from './scenario-fixture';

/**
 * The directory users each demo item's participants correspond to, by email (mail, UPN or a proxy
 * address) or by phone (the directory's mobilePhone read with region US). This is the table in
 * dev/scenarios/demo/README.md; whether a user's mailbox receives the item is the pipeline's call
 * (Erik is disabled, Fatima has no mailbox).
 */
const EXPECTED_PARTICIPANT_USERS: Record<string, string[]> = {
  'tm-att-0001': ['ana'], 'tm-att-0002': ['ana'], 'tm-att-0003': ['ben'], 'tm-att-0004': ['ana'],
  'tm-att-0005': ['dana'], 'tm-att-0006': ['dana'], 'tm-att-0007': ['ana'], 'tm-att-0008': ['ana', 'ben', 'dana'],
  'tm-att-0009': ['ana', 'ben', 'dana'], 'tm-att-0010': ['ana'], 'tm-att-0011': ['ana'], 'tm-att-0012': ['erik'],
  'tm-att-0013': ['dana', 'fatima'], 'tm-att-0014': ['ben'], 'tm-att-0015': ['ben'], 'tm-att-0016': ['ana', 'greg'],
  'tm-att-0017': ['ana', 'greg'], 'tm-att-0018': ['ana', 'chen'], 'tm-att-0019': [], 'tm-att-0020': ['dana'],
  'tm-att-0021': ['dana'], 'tm-att-0022': ['ben', 'dana'], 'tm-att-0023': ['fatima'], 'tm-att-0024': ['ana'],
  'tm-att-0025': ['ana'],
  'tm-wc-0001': ['chen'], 'tm-wc-0002': ['chen'], 'tm-wc-0003': ['chen'], 'tm-wc-0004': ['chen'], 'tm-wc-0005': ['chen'],
  'tm-wc-0006': ['chen'], 'tm-wc-0007': ['chen'], 'tm-wc-0008': ['chen'], 'tm-wc-0009': ['chen'], 'tm-wc-0010': ['chen'],
  'tm-wc-0011': ['chen'], 'tm-wc-0012': ['ana'],
};

function participantUsers(item: TeleMessageItem, users: DirectoryUser[]): string[] {
  const participants: Participant[] = [item.account, item.from, ...item.to];
  const matched = new Set<string>();
  for (const user of users) {
    const emails = new Set(
      [user.mail, user.userPrincipalName, ...user.proxyAddresses.filter((p) => /^smtp:/i.test(p)).map((p) => p.slice(5))]
        .filter((e): e is string => e !== null)
        .map((e) => e.toLowerCase()),
    );
    const phone = user.mobilePhone === null ? undefined : parsePhoneNumberFromString(user.mobilePhone, 'US')?.number;
    if (participants.some((p) => (p.email !== undefined && emails.has(p.email.toLowerCase())) || (phone !== undefined && p.phone === phone))) {
      matched.add(user.userPrincipalName.split('.')[0] as string);
    }
  }
  return [...matched].sort();
}

describe('the bundled demo scenario', () => {
  let scenario: Scenario;
  before(async () => {
    scenario = await loadScenario(DEMO_SCENARIO_DIR);
  });

  test('loads, and its files agree with each other (attachment sizes and hashes, connector accounts)', async () => {
    assert.deepEqual(await findScenarioInconsistencies(scenario), []);
  });

  test('holds the described company, account and connectors', () => {
    const users = scenario.directoryUsers;
    assert.equal(users.length, 7);
    assert.equal(users.filter((u) => !u.accountEnabled).map((u) => u.userPrincipalName).join(), 'erik.larsen@contoso.com');
    assert.equal(users.filter((u) => !u.hasMailbox).map((u) => u.userPrincipalName).join(), 'fatima.hassan@contoso.com');
    assert.ok(users.some((u) => u.proxyAddresses.some((p) => p.startsWith('SMTP:'))));
    assert.ok(users.some((u) => u.proxyAddresses.some((p) => p.startsWith('smtp:'))));
    assert.deepEqual(scenario.accounts.map((a) => a.products), [['att-network', 'wechat']]);
    const [att, wechat] = scenario.connectors;
    assert.deepEqual([att?.id, att?.product, att?.autoMapping, att?.defaultRegion], ['contoso-att', 'att-network', true, 'US']);
    assert.deepEqual([wechat?.id, wechat?.product, wechat?.folderName], ['contoso-wechat', 'wechat', 'WeChat Archiver']);
  });

  test('att-network: 25 items over about 12 hours covering SMS, MMS, group, both directions, CJK and emoji', () => {
    const items = scenario.items['att-network'].map((l) => l.item);
    assert.deepEqual(items.map((i) => i.id), Array.from({ length: 25 }, (_, i) => `tm-att-${String(i + 1).padStart(4, '0')}`));
    const times = items.map((i) => Date.parse(i.archivedAt));
    const spanHours = (Math.max(...times) - Math.min(...times)) / 3_600_000;
    assert.ok(spanHours >= 11 && spanHours <= 13, `span ${spanHours} h`);
    assert.deepEqual(new Set(items.map((i) => i.kind)), new Set(['sms', 'mms']));
    assert.deepEqual(new Set(items.map((i) => i.direction)), new Set(['inbound', 'outbound']));
    assert.ok(items.some((i) => i.kind === 'mms' && i.conversation.type === 'group' && i.to.length >= 3 && i.attachments.length > 0));
    assert.ok(items.some((i) => /\p{Script=Han}/u.test(i.text) && /\p{Extended_Pictographic}/u.test(i.text)));
    const types = new Set(items.flatMap((i) => i.attachments.map((a) => a.contentType)));
    assert.deepEqual(types, new Set(['image/jpeg', 'image/png']));
  });

  test('wechat: chat (direct and group), file, answered voice call, missed video call, recall, system', () => {
    const items = scenario.items.wechat.map((l) => l.item);
    const has = (predicate: (i: TeleMessageItem) => boolean): boolean => items.some(predicate);
    assert.ok(has((i) => i.kind === 'chat' && i.conversation.type === 'direct'));
    assert.ok(has((i) => i.kind === 'chat' && i.conversation.type === 'group'));
    assert.ok(has((i) => i.kind === 'file' && i.attachments.length === 1));
    assert.ok(has((i) => i.kind === 'call' && i.call?.media === 'voice' && i.call.outcome === 'answered'));
    assert.ok(has((i) => i.kind === 'call' && i.call?.media === 'video' && i.call.outcome === 'missed'));
    assert.ok(has((i) => i.kind === 'recall' && items.some((t) => t.id === i.recall?.targetItemId)));
    assert.ok(has((i) => i.kind === 'recall' && !items.some((t) => t.id === i.recall?.targetItemId)), 'a recall whose target was never archived');
    assert.ok(has((i) => i.kind === 'system'));
  });

  test('participants correspond to the directory users listed in the README', () => {
    const all = [...scenario.items['att-network'], ...scenario.items.wechat].map((l) => l.item);
    const actual = Object.fromEntries(all.map((item) => [item.id, participantUsers(item, scenario.directoryUsers)]));
    assert.deepEqual(actual, EXPECTED_PARTICIPANT_USERS);
  });
});

describe('the demo scenario served rebased to now', () => {
  let sim: TeleMessageSimulator;
  let token: string;
  const startedAt = new Date();
  before(async () => {
    sim = await TeleMessageSimulator.start({ scenarioDir: DEMO_SCENARIO_DIR, rebaseToNow: true, now: () => startedAt });
    token = await signIn(sim.url, 'contoso-archive', 'demo-only-Tm-2026!');
  });
  after(() => sim.stop());

  test('every item falls in the last day, the newest one hour before start, attachments intact', async () => {
    const query = { from: new Date(startedAt.getTime() - 86_400_000).toISOString(), to: startedAt.toISOString(), limit: '500' };
    let newest = 0;
    for (const [product, count] of [['att-network', 25], ['wechat', 12]] as const) {
      const response = await listItems(sim.url, token, product, query);
      const { items, nextCursor } = (await response.json()) as ListResponse;
      assert.equal(items.length, count);
      assert.equal(nextCursor, null);
      newest = Math.max(newest, ...items.map((i) => Date.parse(i.archivedAt)));
      for (const attachment of items.flatMap((i) => i.attachments)) {
        const download = await fetch(`${sim.url}/api/v1/archive/${product}/attachments/${attachment.id}`, { headers: { Authorization: `Bearer ${token}` } });
        assert.equal(download.headers.get('content-type'), attachment.contentType);
        const bytes = Buffer.from(await download.arrayBuffer());
        assert.equal(bytes.length, attachment.size);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), attachment.sha256);
        if (attachment.contentType === 'image/png') assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
        if (attachment.contentType === 'image/jpeg') assert.ok(bytes.subarray(0, 3).toString('hex') === 'ffd8ff' && bytes.subarray(-2).toString('hex') === 'ffd9');
      }
    }
    assert.equal(newest, Math.floor(startedAt.getTime() / 1000) * 1000 - 3_600_000);
  });
});
