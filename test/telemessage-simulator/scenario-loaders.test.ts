import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { loadScenarioConnectors } from '../../dev/scenario/connectors';
import { loadDirectoryUsers } from '../../dev/scenario/directory-users';
import { ScenarioError } from '../../dev/scenario/scenario-error';
import { loadTeleMessageAccounts } from '../../dev/scenario/telemessage-accounts';
import { loadProductItems } from '../../dev/scenario/telemessage-items';
import { chatItem, createTempScenario, smsItem, type TempScenario } from './scenario-fixture';

const created: TempScenario[] = [];
async function scenario(): Promise<TempScenario> {
  const s = await createTempScenario();
  created.push(s);
  return s;
}
after(async () => {
  for (const s of created) await s.remove();
});

/** Asserts a ScenarioError naming the file (by suffix) and, when given, the index, line and field. */
async function rejectsWith(
  promise: Promise<unknown>,
  expected: { fileEndsWith: string; index?: number; line?: number; field?: string; message: RegExp },
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${String(error)}`);
    assert.ok(error.file.endsWith(expected.fileEndsWith), `file ${error.file}`);
    assert.ok(error.message.includes(error.file), 'the message names the file');
    assert.equal(error.index, expected.index);
    assert.equal(error.line, expected.line);
    assert.equal(error.field, expected.field);
    if (expected.field !== undefined) assert.ok(error.message.includes(`"${expected.field}"`), error.message);
    assert.match(error.message, expected.message);
    return true;
  });
}

const user = {
  id: 'u1',
  userPrincipalName: 'ana.diaz@contoso.com',
  mail: 'ana.diaz@contoso.com',
  proxyAddresses: ['SMTP:ana.diaz@contoso.com', 'smtp:ana@contoso.com'],
  accountEnabled: true,
  hasMailbox: true,
  mobilePhone: '+1 202 555 0143',
};

describe('directory users', () => {
  test('loads users and keeps displayName when given', async () => {
    const s = await scenario();
    await s.write('directory/users.json', JSON.stringify([user, { ...user, id: 'u2', userPrincipalName: 'x@contoso.com', mail: null, mobilePhone: null, proxyAddresses: [], displayName: 'X' }]));
    const users = await loadDirectoryUsers(s.dir);
    assert.deepEqual(users[0], user);
    assert.equal(users[1]?.mail, null);
    assert.equal(users[1]?.displayName, 'X');
  });

  test('a missing file is named', async () => {
    const s = await scenario();
    await rejectsWith(loadDirectoryUsers(s.dir), { fileEndsWith: 'users.json', message: /file not found/ });
  });

  test('a missing field names index and field', async () => {
    const s = await scenario();
    const { accountEnabled: _omitted, ...withoutEnabled } = user;
    await s.write('directory/users.json', JSON.stringify([user, { ...withoutEnabled, id: 'u2', userPrincipalName: 'b@contoso.com' }]));
    await rejectsWith(loadDirectoryUsers(s.dir), { fileEndsWith: 'users.json', index: 1, field: 'accountEnabled', message: /missing/ });
  });

  test('a wrong type, a bad proxy address and duplicates are refused', async () => {
    const s = await scenario();
    await s.write('directory/users.json', JSON.stringify([{ ...user, hasMailbox: 'yes' }]));
    await rejectsWith(loadDirectoryUsers(s.dir), { fileEndsWith: 'users.json', index: 0, field: 'hasMailbox', message: /true or false/ });
    await s.write('directory/users.json', JSON.stringify([{ ...user, proxyAddresses: ['SMTP:a@contoso.com', 'no-prefix@contoso.com'] }]));
    await rejectsWith(loadDirectoryUsers(s.dir), { fileEndsWith: 'users.json', index: 0, field: 'proxyAddresses[1]', message: /TYPE:address/ });
    await s.write('directory/users.json', JSON.stringify([user, { ...user, userPrincipalName: 'other@contoso.com' }]));
    await rejectsWith(loadDirectoryUsers(s.dir), { fileEndsWith: 'users.json', index: 1, field: 'id', message: /duplicate/ });
  });

  test('invalid JSON reports line and column', async () => {
    const s = await scenario();
    await s.write('directory/users.json', '[\n  {"id": "u1",\n   "mail" "x"}\n]');
    await rejectsWith(loadDirectoryUsers(s.dir), { fileEndsWith: 'users.json', message: /invalid JSON \(line 3, column \d+\)/ });
  });
});

describe('TeleMessage accounts', () => {
  test('loads accounts', async () => {
    const s = await scenario();
    assert.deepEqual(await loadTeleMessageAccounts(s.dir), [
      { username: 'contoso-test', password: 'pa55-wörd with spaces', products: ['att-network', 'wechat'] },
    ]);
  });

  test('unknown products and empty product lists are refused, and the password is never quoted', async () => {
    const s = await scenario();
    await s.write('telemessage/accounts.json', JSON.stringify([{ username: 'a', password: 'Sekr1t!', products: ['att-network', 'signal'] }]));
    await rejectsWith(loadTeleMessageAccounts(s.dir), { fileEndsWith: 'accounts.json', index: 0, field: 'products[1]', message: /"signal" is not one of/ });
    await s.write('telemessage/accounts.json', JSON.stringify([{ username: 'a', password: 'Sekr1t!', products: [] }]));
    await assert.rejects(loadTeleMessageAccounts(s.dir), (error: Error) => !error.message.includes('Sekr1t!') && /at least one/.test(error.message));
  });
});

describe('items', () => {
  test('a JSON array and one item per line load alike; unknown fields are kept', async () => {
    const s = await scenario();
    const a = smsItem('tm-1', '2026-03-10T13:00:00Z', { extraField: { nested: true } });
    const b = smsItem('tm-2', '2026-03-10T13:01:00.250Z');
    await s.write('telemessage/att-network/a.json', JSON.stringify([a]));
    await s.write('telemessage/att-network/b.json', `\n${JSON.stringify(b)}\n\n`);
    const items = await loadProductItems(s.dir, 'att-network');
    assert.deepEqual(items.map((i) => i.item), [a, b]);
    assert.deepEqual(items[1]?.location.line, 2);
    assert.deepEqual(items[0]?.location.index, 0);
  });

  test('a product without a folder has no items', async () => {
    const s = await scenario();
    assert.deepEqual(await loadProductItems(s.dir, 'wechat'), []);
  });

  test('errors in a line-per-item file name the line', async () => {
    const s = await scenario();
    const bad = smsItem('tm-2', '2026-03-10T13:00:00Z', { to: [{ displayName: 'nobody' }] });
    await s.write('telemessage/att-network/items.json', `${JSON.stringify(smsItem('tm-1', '2026-03-10T13:00:00Z'))}\n${JSON.stringify(bad)}\n`);
    await rejectsWith(loadProductItems(s.dir, 'att-network'), {
      fileEndsWith: 'items.json',
      line: 2,
      field: 'to[0]',
      message: /at least one of phone, email, wechatId, wecomUserId/,
    });
    await s.write('telemessage/att-network/items.json', `${JSON.stringify(smsItem('tm-1', '2026-03-10T13:00:00Z'))}\n{"id": \n`);
    await rejectsWith(loadProductItems(s.dir, 'att-network'), { fileEndsWith: 'items.json', line: 2, message: /invalid JSON/ });
  });

  const at = '2026-03-10T13:00:00Z';
  const png = { id: 'a1', fileName: 'a.png', contentType: 'image/png', size: 1, sha256: 'a'.repeat(64) };
  const cases: { name: string; folder?: 'wechat'; item: Record<string, unknown>; field: string; message: RegExp }[] = [
    { name: 'product other than its folder', item: smsItem('x', at, { product: 'wechat' }), field: 'product', message: /does not match/ },
    { name: 'unknown kind', item: smsItem('x', at, { kind: 'chat' }), field: 'kind', message: /"chat" is not one of "sms", "mms"/ },
    { name: 'archivedAt with an offset', item: smsItem('x', '2026-03-10T13:00:00+01:00'), field: 'archivedAt', message: /RFC 3339 UTC/ },
    { name: 'impossible date', item: smsItem('x', '2026-02-30T13:00:00Z'), field: 'archivedAt', message: /RFC 3339 UTC/ },
    { name: 'bad direction', item: smsItem('x', at, { direction: 'sideways' as 'inbound' }), field: 'direction', message: /not one of/ },
    { name: 'conversation type', item: smsItem('x', at, { conversation: { id: 'c', type: 'channel' as 'group' } }), field: 'conversation.type', message: /not one of/ },
    { name: 'missing text', item: { ...smsItem('x', at), text: undefined }, field: 'text', message: /missing/ },
    { name: 'sms with an attachment', item: smsItem('x', at, { attachments: [png] }), field: 'attachments', message: /no attachments/ },
    {
      name: 'attachment id that could leave the folder',
      item: smsItem('x', at, { kind: 'mms', attachments: [{ ...png, id: '../accounts.json' }] }),
      field: 'attachments[0].id',
      message: /file name/,
    },
    { name: 'attachment sha256 not hex', item: smsItem('x', at, { kind: 'mms', attachments: [{ ...png, sha256: 'XYZ' }] }), field: 'attachments[0].sha256', message: /hexadecimal/ },
    {
      name: 'call without durationSeconds',
      folder: 'wechat',
      item: chatItem('x', at, { kind: 'call', call: { media: 'voice', outcome: 'answered', startedAt: at, endedAt: at } as never }),
      field: 'call.durationSeconds',
      message: /missing/,
    },
    { name: 'recall without target', folder: 'wechat', item: chatItem('x', at, { kind: 'recall', recall: { recalledAt: at } as never }), field: 'recall.targetItemId', message: /missing/ },
    { name: 'file without its attachment', folder: 'wechat', item: chatItem('x', at, { kind: 'file' }), field: 'attachments', message: /exactly one/ },
  ];
  for (const c of cases) {
    test(`refuses ${c.name}`, async () => {
      const s = await scenario();
      // A valid item first shows that the error points at the bad item's index.
      const folder = c.folder ?? 'att-network';
      const valid = folder === 'wechat' ? chatItem('ok', at) : smsItem('ok', at);
      await s.write(`telemessage/${folder}/items.json`, JSON.stringify([valid, c.item]));
      await rejectsWith(loadProductItems(s.dir, folder), { fileEndsWith: 'items.json', index: 1, field: c.field, message: c.message });
    });
  }

  test('duplicate ids across files name both places', async () => {
    const s = await scenario();
    await s.write('telemessage/att-network/1.json', JSON.stringify([smsItem('tm-1', '2026-03-10T13:00:00Z')]));
    await s.write('telemessage/att-network/2.json', JSON.stringify([smsItem('tm-2', '2026-03-10T13:00:00Z'), smsItem('tm-1', '2026-03-10T14:00:00Z')]));
    await rejectsWith(loadProductItems(s.dir, 'att-network'), { fileEndsWith: '2.json', index: 1, field: 'id', message: /duplicate item id "tm-1" \(first seen in .*1\.json \[0\]\)/ });
  });
});

describe('connectors', () => {
  const connector = { id: 'contoso-att', product: 'att-network', username: 'u', password: 'p', autoMapping: true, defaultRegion: 'US' };

  test('listed fields are checked and every other field passes through', async () => {
    const s = await scenario();
    const withExtras = { ...connector, folderName: 'AT&T', startFrom: '2026-03-01T00:00:00Z', mappingCsv: 'mapping.csv', pipelineOption: { x: 1 } };
    await s.write('connectors.json', JSON.stringify([withExtras]));
    assert.deepEqual(await loadScenarioConnectors(s.dir), [withExtras]);
  });

  test('bad region, bad startFrom, missing autoMapping and duplicate ids are refused', async () => {
    const s = await scenario();
    await s.write('connectors.json', JSON.stringify([{ ...connector, defaultRegion: 'usa' }]));
    await rejectsWith(loadScenarioConnectors(s.dir), { fileEndsWith: 'connectors.json', index: 0, field: 'defaultRegion', message: /two-letter/ });
    await s.write('connectors.json', JSON.stringify([{ ...connector, startFrom: 'yesterday' }]));
    await rejectsWith(loadScenarioConnectors(s.dir), { fileEndsWith: 'connectors.json', index: 0, field: 'startFrom', message: /RFC 3339/ });
    const { autoMapping: _omitted, ...withoutMapping } = connector;
    await s.write('connectors.json', JSON.stringify([withoutMapping]));
    await rejectsWith(loadScenarioConnectors(s.dir), { fileEndsWith: 'connectors.json', index: 0, field: 'autoMapping', message: /missing/ });
    await s.write('connectors.json', JSON.stringify([connector, connector]));
    await rejectsWith(loadScenarioConnectors(s.dir), { fileEndsWith: 'connectors.json', index: 1, field: 'id', message: /duplicate/ });
  });
});
