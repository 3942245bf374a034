import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ANA,
  DELIVERED_FLAGS,
  SOURCE_ID_PROPERTY,
  SimulatorFixture,
  deliveredMessage,
  errorCode,
  errorMessage,
  filterQuery,
  messagesPath,
  odataString,
} from './graph-simulator-fixture';

/** The simulator's clock: fixed, so creation times are known. */
const NOW = Date.parse('2025-06-15T12:00:00.000Z');

describe('Graph simulator: messages', () => {
  let f: SimulatorFixture;
  let folderId: string;
  let messages: string;
  before(async () => {
    f = await SimulatorFixture.start({ now: () => NOW });
    folderId = await f.createFolder(ANA.id, 'SMS');
    messages = messagesPath(ANA.id, folderId);
  });
  after(async () => {
    await f.close();
  });

  test('a message created with PidTagMessageFlags (not unsent) is not a draft, and comes back as Graph returns it', async () => {
    const reply = await f.call('POST', messages, deliveredMessage('Hello', 'src-1'));
    assert.equal(reply.status, 201);
    const m = reply.json;
    assert.equal(typeof m.id, 'string');
    assert.equal(m.isDraft, false);
    assert.equal(m.isRead, true, 'flags value 1 is MSGFLAG_READ');
    assert.equal(m.parentFolderId, folderId);
    assert.equal(m.hasAttachments, false);
    assert.equal(typeof m.conversationId, 'string');
    assert.equal(typeof m.changeKey, 'string');
    assert.equal(m['@odata.etag'], `W/"${String(m.changeKey)}"`);
    assert.equal(m.createdDateTime, '2025-06-15T12:00:00Z');
    assert.equal(m.subject, 'Hello');
    assert.equal(m.bodyPreview, 'Body of Hello');
    assert.deepEqual(m.body, { contentType: 'text', content: 'Body of Hello' });
    assert.deepEqual(m.toRecipients, [{ emailAddress: { address: 'ana@contoso.example', name: 'Ana Lopez' } }]);
  });

  test('without PidTagMessageFlags, or with the unsent bit, the item is a draft', async () => {
    const plain = await f.call('POST', messages, { subject: 'no flags' });
    assert.equal(plain.status, 201);
    assert.equal(plain.json.isDraft, true);

    const unsent = await f.call('POST', messages, {
      subject: 'unsent',
      singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '9' }],
    });
    assert.equal(unsent.json.isDraft, true);

    const unread = await f.call('POST', messages, {
      subject: 'unread',
      singleValueExtendedProperties: [{ id: 'integer 0xe07', value: '0' }],
    });
    assert.equal(unread.json.isDraft, false, 'any spelling of the tag counts');
    assert.equal(unread.json.isRead, false);
  });

  test('receivedDateTime and sentDateTime come from creation time; delivery and submit times are kept as given', async () => {
    const created = await f.call('POST', messages, {
      ...deliveredMessage('Times', 'src-times'),
      receivedDateTime: '2020-01-01T00:00:00Z',
      sentDateTime: '2020-01-01T00:00:00Z',
    });
    assert.equal(created.status, 201);
    assert.equal(created.json.receivedDateTime, '2025-06-15T12:00:00Z');
    assert.equal(created.json.sentDateTime, '2025-06-15T12:00:00Z');

    const id = encodeURIComponent(created.json.id as string);
    const filter = "id eq 'SystemTime 0x0E06' or id eq 'SystemTime 0x0039'";
    const got = await f.call('GET', `/users/${ANA.id}/messages/${id}?$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=${filter})`)}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.json.singleValueExtendedProperties, [
      { id: 'SystemTime 0x0E06', value: '2024-03-01T09:30:00Z' },
      { id: 'SystemTime 0x0039', value: '2024-03-01T09:29:58Z' },
    ]);
  });

  test('an undeclared property is 400 ErrorInvalidProperty, naming it', async () => {
    const reply = await f.call('POST', messages, { subject: 'x', smsSender: '+1425' });
    assert.equal(reply.status, 400);
    assert.equal(errorCode(reply), 'ErrorInvalidProperty');
    assert.match(errorMessage(reply), /smsSender/);

    const nested = await f.call('POST', messages, { toRecipients: [{ emailAddress: { address: 'a@b.c', phone: '1' } }] });
    assert.equal(nested.status, 400);
    assert.match(errorMessage(nested), /toRecipients\[0\]\.emailAddress\.phone/);
  });

  test('server-computed properties are refused on create', async () => {
    for (const property of ['id', 'isDraft', 'hasAttachments', 'conversationId', 'parentFolderId', 'createdDateTime', 'webLink']) {
      const value = property === 'isDraft' || property === 'hasAttachments' ? false : 'x';
      const reply = await f.call('POST', messages, { subject: 'x', [property]: value });
      assert.equal(reply.status, 400, property);
      assert.match(errorMessage(reply), new RegExp(property));
    }
  });

  test('wrong shapes and enum values are 400; enum members match without regard to case', async () => {
    const cases: [string, unknown][] = [
      ['toRecipients', { emailAddress: { address: 'a@b.c' } }],
      ['subject', 42],
      ['isRead', 'yes'],
      ['importance', 'urgent'],
      ['body', { contentType: 'markdown', content: 'x' }],
      ['categories', 'one'],
      ['flag', { flagStatus: 'flagged', dueDateTime: '2024-01-01' }],
    ];
    for (const [property, value] of cases) {
      const reply = await f.call('POST', messages, { [property]: value });
      assert.equal(reply.status, 400, `${property}: ${JSON.stringify(value)}`);
    }
    const html = await f.call('POST', messages, { body: { contentType: 'HTML', content: '<p>Hi <b>there</b></p>' }, importance: 'High' });
    assert.equal(html.status, 201);
    assert.deepEqual(html.json.body, { contentType: 'html', content: '<p>Hi <b>there</b></p>' });
    assert.equal(html.json.importance, 'high');
    assert.equal(html.json.bodyPreview, 'Hi there');
  });

  test('internetMessageHeaders: only x- names', async () => {
    const good = await f.call('POST', messages, {
      subject: 'headers',
      internetMessageHeaders: [
        { name: 'x-telemessage-id', value: 'abc' },
        { name: 'X-Source', value: 'SMS' },
      ],
    });
    assert.equal(good.status, 201);
    assert.equal('internetMessageHeaders' in good.json, false, 'returned only with $select');
    const selected = await f.call('GET', `/users/${ANA.id}/messages/${encodeURIComponent(good.json.id as string)}?$select=internetMessageHeaders,subject`);
    assert.deepEqual(selected.json.internetMessageHeaders, [
      { name: 'x-telemessage-id', value: 'abc' },
      { name: 'X-Source', value: 'SMS' },
    ]);

    const bad = await f.call('POST', messages, { internetMessageHeaders: [{ name: 'Received', value: 'from x' }] });
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), 'InvalidInternetMessageHeader');
  });

  test('extended properties need MAPI id syntax and values of their type', async () => {
    const badIds = ['PidTagMessageFlags', 'Integer 0E07', 'String {not-a-guid} Name X', 'Text 0x0037', 'String {3f1c2b7e-5a4d-4c8b-9e21-7d6a5b4c3e2f} Label X'];
    for (const id of badIds) {
      const reply = await f.call('POST', messages, { singleValueExtendedProperties: [{ id, value: '1' }] });
      assert.equal(reply.status, 400, id);
    }
    const badValues: [string, string][] = [
      ['Integer 0x0E07', 'one'],
      ['SystemTime 0x0E06', '1 March 2024'],
      ['Boolean 0x0E1B', 'yes'],
    ];
    for (const [id, value] of badValues) {
      const reply = await f.call('POST', messages, { singleValueExtendedProperties: [{ id, value }] });
      assert.equal(reply.status, 400, `${id} = ${value}`);
    }
    const notString = await f.call('POST', messages, { singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: 1 }] });
    assert.equal(notString.status, 400, 'extended property values are strings');
    const twice = await f.call('POST', messages, { singleValueExtendedProperties: [DELIVERED_FLAGS, DELIVERED_FLAGS] });
    assert.equal(twice.status, 400);
  });

  test('a body over 4 MB is 413', async () => {
    const reply = await f.call('POST', messages, { subject: 'big', body: { contentType: 'text', content: 'x'.repeat(4 * 1024 * 1024 + 10) } });
    assert.equal(reply.status, 413);
  });

  test('an item is found by its source id through an extended-property filter', async () => {
    const target = await f.createMessage(ANA.id, folderId, deliveredMessage("Source O'Neil", "tm-42/o'neil&more"));
    await f.createMessage(ANA.id, folderId, deliveredMessage('Other', 'tm-43'));
    const filter =
      `singleValueExtendedProperties/any(ep: ep/id eq ${odataString(SOURCE_ID_PROPERTY)} and ep/value eq ${odataString("tm-42/o'neil&more")})`;
    const reply = await f.call('GET', `${messages}${filterQuery(filter, { $select: 'id,subject' })}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json.value, [{ '@odata.etag': target['@odata.etag'], id: target.id, subject: "Source O'Neil" }]);

    const missing = filterQuery(
      `singleValueExtendedProperties/any(ep: ep/id eq ${odataString(SOURCE_ID_PROPERTY)} and ep/value eq 'tm-404')`,
    );
    assert.deepEqual((await f.call('GET', `${messages}${missing}`)).json.value, []);
  });

  test('GET a message with $expand of one extended property', async () => {
    const created = await f.createMessage(ANA.id, folderId, deliveredMessage('Expand', 'src-expand'));
    const expand = encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${SOURCE_ID_PROPERTY}')`);
    const reply = await f.call('GET', `/users/${ANA.id}/messages/${encodeURIComponent(created.id as string)}?$expand=${expand}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json.singleValueExtendedProperties, [{ id: SOURCE_ID_PROPERTY, value: 'src-expand' }]);

    const inFolder = await f.call('GET', `${messages}/${encodeURIComponent(created.id as string)}`);
    assert.equal(inFolder.status, 200);
    assert.equal(inFolder.json.singleValueExtendedProperties, undefined, 'not expanded unless asked');

    const wrongFolder = await f.call('GET', `${messagesPath(ANA.id, 'inbox')}/${encodeURIComponent(created.id as string)}`);
    assert.equal(wrongFolder.status, 404);
  });

  test('$top and @odata.nextLink page through a folder, newest first, without repeats', async () => {
    const pagedFolder = await f.createFolder(ANA.id, 'Paged');
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      created.push((await f.createMessage(ANA.id, pagedFolder, deliveredMessage(`m${i}`, `page-${i}`))).id as string);
    }
    const seen: string[] = [];
    let next: string | undefined = `${messagesPath(ANA.id, pagedFolder)}?$top=3&$select=subject`;
    let pages = 0;
    while (next !== undefined) {
      const reply = await f.call('GET', next);
      assert.equal(reply.status, 200);
      const value = reply.json.value as { id: string; subject: string }[];
      assert.ok(value.length <= 3);
      for (const m of value) assert.deepEqual(Object.keys(m).sort(), ['@odata.etag', 'id', 'subject']);
      seen.push(...value.map((m) => m.id));
      next = reply.json['@odata.nextLink'] as string | undefined;
      pages += 1;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...created].reverse());
  });

  test('unknown $select properties and unsupported options are 400', async () => {
    assert.equal((await f.call('GET', `${messages}?$select=smsSender`)).status, 400);
    assert.equal((await f.call('GET', `${messages}?$orderby=subject`)).status, 400);
    assert.equal((await f.call('GET', `${messages}?$expand=extensions`)).status, 400);
  });

  test('creating in an unknown folder is 404', async () => {
    const reply = await f.call('POST', messagesPath(ANA.id, 'AAMkmissing'), { subject: 'x' });
    assert.equal(reply.status, 404);
  });
});
