import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ANA, BEN, SimulatorFixture, errorCode, filterQuery, odataString } from './graph-simulator-fixture';

describe('Graph simulator: mail folders', () => {
  let f: SimulatorFixture;
  before(async () => {
    f = await SimulatorFixture.start();
  });
  after(async () => {
    await f.close();
  });

  const folders = `/users/${ANA.id}/mailFolders`;

  test('a mailbox starts with the well-known folders, addressable by well-known name', async () => {
    const list = await f.call('GET', `${folders}?$top=50`);
    assert.equal(list.status, 200);
    const names = (list.json.value as { displayName: string }[]).map((x) => x.displayName);
    for (const name of ['Inbox', 'Drafts', 'Sent Items', 'Deleted Items', 'Archive']) assert.ok(names.includes(name), name);

    const inbox = await f.call('GET', `${folders}/inbox`);
    assert.equal(inbox.status, 200);
    assert.equal(inbox.json.displayName, 'Inbox');
    assert.equal(inbox.json.totalItemCount, 0);
  });

  test('POST creates a top-level folder; GET finds it by id', async () => {
    const created = await f.call('POST', folders, { displayName: 'SMS Archive' });
    assert.equal(created.status, 201);
    assert.equal(created.json.displayName, 'SMS Archive');
    assert.equal(typeof created.json.id, 'string');
    const inbox = await f.call('GET', `${folders}/inbox`);
    assert.equal(created.json.parentFolderId, inbox.json.parentFolderId, 'top-level: same parent as Inbox');

    const fetched = await f.call('GET', `${folders}/${encodeURIComponent(created.json.id as string)}`);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.json.displayName, 'SMS Archive');
  });

  test('a second folder of the same name, in any case, is 409 ErrorFolderExists', async () => {
    assert.equal((await f.call('POST', folders, { displayName: 'WeChat' })).status, 201);
    const again = await f.call('POST', folders, { displayName: 'WeChat' });
    assert.equal(again.status, 409);
    assert.equal(errorCode(again), 'ErrorFolderExists');
    const otherCase = await f.call('POST', folders, { displayName: 'WECHAT' });
    assert.equal(otherCase.status, 409);
    const wellKnown = await f.call('POST', folders, { displayName: 'inbox' });
    assert.equal(wellKnown.status, 409);

    const otherMailbox = await f.call('POST', `/users/${BEN.id}/mailFolders`, { displayName: 'WeChat' });
    assert.equal(otherMailbox.status, 201, 'names are unique per mailbox only');
  });

  test("$filter=displayName eq '…' finds names holding ', &, / and spaces", async () => {
    const awkward = ["O'Brien & Sons / SMS", 'A&B=C?D#E', "''quoted''", 'plus+sign 100%'];
    const ids = new Map<string, string>();
    for (const name of awkward) ids.set(name, await f.createFolder(ANA.id, name));

    for (const name of awkward) {
      const reply = await f.call('GET', `${folders}${filterQuery(`displayName eq ${odataString(name)}`)}`);
      assert.equal(reply.status, 200, name);
      const value = reply.json.value as { id: string; displayName: string }[];
      assert.deepEqual(value.map((x) => x.id), [ids.get(name)], name);
      assert.equal(value[0].displayName, name);
    }
  });

  test('the displayName filter ignores case, as Exchange does', async () => {
    const reply = await f.call('GET', `${folders}${filterQuery("displayName eq 'sms archive'")}`);
    assert.deepEqual((reply.json.value as { displayName: string }[]).map((x) => x.displayName), ['SMS Archive']);
  });

  test('folder bodies are checked against the schema', async () => {
    const unknown = await f.call('POST', folders, { displayName: 'X1', colour: 'blue' });
    assert.equal(unknown.status, 400);
    assert.equal(errorCode(unknown), 'ErrorInvalidProperty');

    const readOnly = await f.call('POST', folders, { displayName: 'X2', totalItemCount: 3 });
    assert.equal(readOnly.status, 400);

    const missingName = await f.call('POST', folders, { isHidden: false });
    assert.equal(missingName.status, 400);

    const wrongType = await f.call('POST', folders, { displayName: 42 });
    assert.equal(wrongType.status, 400);

    const notJson = await f.call('POST', folders, '{"displayName": ');
    assert.equal(notJson.status, 400);
  });

  test('the folder list pages 10 at a time by default', async () => {
    const first = await f.call('GET', folders);
    assert.equal((first.json.value as unknown[]).length, 10);
    const next = first.json['@odata.nextLink'] as string;
    assert.match(next, /\$skip=10/);
    const second = await f.call('GET', next);
    assert.equal(second.status, 200);
    assert.ok((second.json.value as unknown[]).length > 0);
  });

  test('an unknown folder id is 404', async () => {
    const reply = await f.call('GET', `${folders}/AAMkdoesnotexist`);
    assert.equal(reply.status, 404);
    assert.equal(errorCode(reply), 'ErrorItemNotFound');
  });
});
