import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  conversationKey,
  MAX_SUBJECT_LENGTH,
  SOURCE_PROPERTY_SET_GUID,
  sourceItemIdFilter,
  sourceItemIdPropertyId,
  toGraphMessage,
  type ConvertedMessage,
  type ToGraphMessageOptions,
} from '../../shared/conversion';
import { parseArchivedItem } from '../../shared/items';
import { productModule } from '../../shared/products';
import { ANA, attachment, BEN, bodyTextOf, factValues, foreignMarkup, groupMmsItem, groupOfTen, smsItem, type RawItem } from './item-fixtures';

function convert(raw: RawItem, options?: ToGraphMessageOptions): ConvertedMessage {
  return toGraphMessage(parseArchivedItem(raw, { expectedProduct: 'att-network' }), options);
}

function header(message: ConvertedMessage, name: string): string | undefined {
  return message.createBody.internetMessageHeaders.find((entry) => entry.name === name)?.value;
}

function property(message: ConvertedMessage, id: string): string | undefined {
  return message.createBody.singleValueExtendedProperties.find((entry) => entry.id === id)?.value;
}

describe('att-network product module', () => {
  test('is registered with its folder and kinds', () => {
    const module = productModule('att-network');
    assert.equal(module.defaultFolderName, 'AT&T SMS/MMS Network Archiver');
    assert.deepEqual([...module.kinds].sort(), ['mms', 'sms']);
    assert.equal(module.accepts('call'), false);
    assert.equal(productModule('wechat').defaultFolderName, 'WeChat Archiver');
  });
});

describe('toGraphMessage: AT&T SMS', () => {
  const outbound = convert(smsItem());

  test('subject names the service and the other party with the number formatted', () => {
    assert.equal(outbound.createBody.subject, 'SMS with Ben Ng (+1 310 555 0199)');
  });

  test('an inbound SMS of the same conversation gets the same subject and conversation key', () => {
    const inbound = convert(smsItem({ id: 'tm-sms-0002', direction: 'inbound', from: { ...BEN }, to: [{ ...ANA }] }));
    assert.equal(inbound.createBody.subject, outbound.createBody.subject);
    assert.equal(inbound.conversationKey, outbound.conversationKey);
    assert.equal(outbound.conversationKey, 'att-network:c-1901');
    assert.equal(header(inbound, 'x-telemessage-conversation-id'), 'c-1901');
  });

  test('a participant with email keeps it; a phone-only one gets a non-routable address and its number as name', () => {
    assert.deepEqual(outbound.createBody.from, { emailAddress: { name: 'Ana Diaz', address: 'ana.diaz@contoso.com' } });
    assert.deepEqual(outbound.createBody.sender, outbound.createBody.from);
    assert.deepEqual(outbound.createBody.toRecipients, [
      { emailAddress: { name: 'Ben Ng (+1 310 555 0199)', address: '13105550199@phone.telemessage.invalid' } },
    ]);
    const numberOnly = convert(smsItem({ to: [{ phone: '+13105550199', displayName: '+1 310 555 0199' }] }));
    assert.deepEqual(numberOnly.createBody.toRecipients[0].emailAddress, {
      name: '+1 310 555 0199',
      address: '13105550199@phone.telemessage.invalid',
    });
    assert.equal(numberOnly.createBody.subject, 'SMS with +1 310 555 0199');
  });

  test('short codes and alphanumeric senders get valid, distinct non-routable addresses', () => {
    const addresses = ['22000', 'AT&T Free Msg', 'AT&T Free-Msg', '(310) 555-0199'].map(
      (phone) => convert(smsItem({ direction: 'inbound', from: { phone }, to: [{ ...ANA }] })).createBody.from.emailAddress.address,
    );
    for (const address of addresses) {
      assert.match(address, /^[a-z0-9_-]{1,64}@phone\.telemessage\.invalid$/);
    }
    assert.equal(addresses[0], '22000@phone.telemessage.invalid');
    assert.equal(addresses[3], '3105550199@phone.telemessage.invalid');
    assert.equal(new Set(addresses).size, addresses.length);
  });

  test('makes the item look delivered at its sent time and carries the source id in a named property', () => {
    assert.equal(property(outbound, 'Integer 0x0E07'), '1');
    assert.equal(property(outbound, 'SystemTime 0x0E06'), '2026-11-20T14:02:55.000Z');
    assert.equal(property(outbound, 'SystemTime 0x0039'), '2026-11-20T14:02:55.000Z');
    assert.equal(sourceItemIdPropertyId(), `String {${SOURCE_PROPERTY_SET_GUID}} Name TeleMessageItemId`);
    assert.match(SOURCE_PROPERTY_SET_GUID, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(property(outbound, sourceItemIdPropertyId()), 'tm-sms-0001');
    assert.equal(
      sourceItemIdFilter("tm-o'brien"),
      `singleValueExtendedProperties/any(ep: ep/id eq '${sourceItemIdPropertyId()}' and ep/value eq 'tm-o''brien')`,
    );
  });

  test('carries the source ids in x- headers', () => {
    assert.deepEqual(
      Object.fromEntries(outbound.createBody.internetMessageHeaders.map(({ name, value }) => [name, value])),
      {
        'x-telemessage-item-id': 'tm-sms-0001',
        'x-telemessage-product': 'att-network',
        'x-telemessage-kind': 'sms',
        'x-telemessage-conversation-id': 'c-1901',
        'x-telemessage-conversation-type': 'direct',
        'x-telemessage-direction': 'outbound',
        'x-telemessage-sent-at': '2026-11-20T14:02:55Z',
        'x-telemessage-archived-at': '2026-11-20T14:03:07Z',
      },
    );
  });

  test('the body shows the text and the facts an eDiscovery reviewer needs', () => {
    const html = outbound.createBody.body.content;
    assert.equal(outbound.createBody.body.contentType, 'html');
    assert.equal(bodyTextOf(html), 'Running 10 min late');
    assert.deepEqual(factValues(html, 'Direction'), ['outbound, sent by the archived account']);
    assert.deepEqual(factValues(html, 'Conversation'), ['c-1901 (direct)']);
    assert.deepEqual(factValues(html, 'Sent'), ['2026-11-20 14:02:55 UTC']);
    assert.deepEqual(factValues(html, 'Archived'), ['2026-11-20 14:03:07 UTC']);
    assert.deepEqual(factValues(html, 'Archived account'), ['Ana Diaz (+1 202 555 0143, ana.diaz@contoso.com)']);
    assert.deepEqual(factValues(html, 'To'), ['Ben Ng (+1 310 555 0199)']);
    assert.deepEqual(factValues(html, 'Attachments'), ['none']);
    assert.deepEqual(factValues(html, 'Source item id'), ['tm-sms-0001']);
    assert.equal(outbound.folderName, 'AT&T SMS/MMS Network Archiver');
    assert.deepEqual(outbound.attachments, []);
  });

  test('the folder name can be overridden by the connector', () => {
    assert.equal(convert(smsItem(), { folderName: 'Texts' }).folderName, 'Texts');
  });
});

describe('toGraphMessage: AT&T MMS', () => {
  test('an MMS with no text says so and lists its attachments with names and sizes', () => {
    const message = convert(
      groupMmsItem({
        conversation: { id: 'c-1901', type: 'direct' },
        to: [{ ...BEN }],
        text: '',
        attachments: [attachment('att-1', 'IMG_0042.jpg', 'image/jpeg', 482113), attachment('att-2', 'clip.mp4', 'video/mp4', 900)],
      }),
    );
    const html = message.createBody.body.content;
    assert.equal(message.createBody.subject, 'MMS with Ben Ng (+1 310 555 0199)');
    assert.equal(bodyTextOf(html), undefined);
    assert.match(html, /This MMS has no text\./);
    assert.deepEqual(factValues(html, 'Attachments'), ['IMG_0042.jpg (image/jpeg, 470.8 KB), shown above', 'clip.mp4 (video/mp4, 900 bytes)']);
    assert.deepEqual(
      message.attachments.map(({ attachmentId, name, size, disposition }) => ({ attachmentId, name, size, disposition })),
      [
        { attachmentId: 'att-1', name: 'IMG_0042.jpg', size: 482113, disposition: 'import' },
        { attachmentId: 'att-2', name: 'clip.mp4', size: 900, disposition: 'import' },
      ],
    );
  });

  test('a group MMS of ten: subject sums up the group the same way in both directions', () => {
    const outbound = convert(groupMmsItem());
    assert.equal(outbound.createBody.subject, 'MMS in group of 10: Björn Ek (+1 310 555 1002), Chen Li (+1 310 555 1001), Dana Cruz (+1 310 555 1003) and 6 others');
    assert.equal(outbound.createBody.toRecipients.length, 9);
    const members = groupOfTen();
    const inbound = convert(
      groupMmsItem({ id: 'tm-mms-0003', direction: 'inbound', from: members[4], to: [{ ...ANA }, ...members.filter((_, i) => i !== 4)] }),
    );
    assert.equal(inbound.createBody.subject, outbound.createBody.subject);
    assert.equal(inbound.conversationKey, outbound.conversationKey);
    assert.equal(inbound.createBody.toRecipients.length, 9);
    assert.equal(factValues(inbound.createBody.body.content, 'To')?.length, 9);
  });

  test('a titled group is named by its title, and an MMS subject line is shown as a fact', () => {
    const message = convert(groupMmsItem({ conversation: { id: 'c-fam', type: 'group', title: 'Family' }, subject: 'Weekend' }));
    assert.equal(message.createBody.subject, 'MMS in group “Family”');
    assert.deepEqual(factValues(message.createBody.body.content, 'MMS subject'), ['Weekend']);
    assert.deepEqual(factValues(message.createBody.body.content, 'Conversation title'), ['Family']);
  });

  test('attachments over the limits stay in storage, and the body says where', () => {
    const message = convert(
      groupMmsItem({
        attachments: [
          attachment('big', 'video.mov', 'video/quicktime', 5000),
          attachment('a', 'a.jpg', 'image/jpeg', 600),
          attachment('b', 'b.jpg', 'image/jpeg', 600),
          attachment('gone', 'c.jpg', 'image/jpeg', 10),
        ],
      }),
      {
        maxAttachmentBytes: 1000,
        maxTotalAttachmentBytes: 1000,
        attachmentDisposition: (a) => (a.id === 'gone' ? 'unavailable' : undefined),
        storageLocation: (a) => `archive-attachments/conn-1/tm-mms-0002/${a.id}`,
      },
    );
    assert.deepEqual(
      message.attachments.map(({ attachmentId, disposition, reason }) => [attachmentId, disposition, reason]),
      [
        ['big', 'keepInStorage', 'tooLarge'],
        ['a', 'import', undefined],
        ['b', 'keepInStorage', 'messageTooLarge'],
        ['gone', 'unavailable', 'unavailable'],
      ],
    );
    const lines = factValues(message.createBody.body.content, 'Attachments') ?? [];
    assert.equal(lines[0], 'video.mov (video/quicktime, 4.9 KB): not imported (larger than 1,000 bytes), kept in archive storage at archive-attachments/conn-1/tm-mms-0002/big');
    assert.equal(lines[1], 'a.jpg (image/jpeg, 600 bytes), shown above');
    assert.match(lines[2], /^b\.jpg .*not imported \(the message's attachments would exceed 1,000 bytes\), kept in archive storage at archive-attachments\/conn-1\/tm-mms-0002\/b$/);
    assert.equal(lines[3], 'c.jpg (image/jpeg, 10 bytes): not imported, the source no longer had it');
  });
});

describe('toGraphMessage: hostile content', () => {
  test('HTML, script and attribute-breaking quotes in text and names never become markup', () => {
    const text = `<script>alert("x")</script><img src=x onerror='alert(1)'> " onmouseover="steal()" & <a href="http://evil.example/">click</a>`;
    const message = convert(
      smsItem({ text, from: { ...ANA, displayName: `"><img src=https://evil.example/p.png>` }, conversation: { id: 'c"><b>', type: 'direct' } }),
    );
    const html = message.createBody.body.content;
    assert.equal(bodyTextOf(html), text);
    assert.deepEqual(foreignMarkup(html), []);
    assert.doesNotMatch(html, /<script|<img|<a /i);
    assert.deepEqual(factValues(html, 'Conversation'), ['c"><b> (direct)']);
    assert.equal(message.createBody.from.emailAddress.name, `"><img src=https://evil.example/p.png>`);
  });

  test('emoji, Chinese and right-to-left text with bidi controls survive in the body exactly', () => {
    const text = 'Family 👨‍👩‍👧‍👦 dinner 🎉\n晚饭七点见\nشكرا جزيلا\u202Egnp.exe\u202C\nשלום \u2067עולם\u2069 ok';
    const message = convert(smsItem({ text }));
    assert.equal(bodyTextOf(message.createBody.body.content), text);
    assert.match(message.createBody.body.content, /<div dir="auto"/);
  });

  test('bidi controls, CR/LF and other controls never reach a subject, a name or a header', () => {
    const name = 'مريم\u202E\r\nBcc: victim@example.com\u0000 \u2066שרה\u2069';
    const message = convert(
      smsItem({
        direction: 'inbound',
        from: { phone: '+13105550199', displayName: name },
        to: [{ ...ANA }],
        conversation: { id: 'c-é群\u2028x', type: 'direct' },
      }),
    );
    const { subject, from, internetMessageHeaders } = message.createBody;
    for (const line of [subject, from.emailAddress.name]) {
      assert.doesNotMatch(line, /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u);
      assert.match(line, /مريم/);
      assert.match(line, /שרה/);
    }
    assert.equal(subject, 'SMS with مريم Bcc: victim@example.com שרה (+1 310 555 0199)');
    for (const entry of internetMessageHeaders) {
      assert.match(entry.name, /^x-telemessage-[a-z-]+$/);
      assert.match(entry.value, /^[\x21-\x7e]{1,256}$/);
    }
    const conversationHeader = internetMessageHeaders.find((entry) => entry.name === 'x-telemessage-conversation-id');
    assert.equal(decodeURIComponent(conversationHeader?.value ?? ''), 'c-é群\u2028x');
  });

  test('a 50,000-character text is kept whole in the body; subject and names stay bounded', () => {
    const text = 'Lorem ipsum 😀 <b>&</b> 中文 '.repeat(2000).slice(0, 50000);
    const longName = 'Ana '.repeat(12500);
    const message = convert(smsItem({ text, from: { ...ANA, displayName: longName }, to: [{ phone: '+13105550199', displayName: longName }] }));
    assert.equal(bodyTextOf(message.createBody.body.content), text);
    assert.equal(message.fullTextAttachment, undefined);
    assert.ok(message.createBody.subject.length <= MAX_SUBJECT_LENGTH);
    assert.ok(message.createBody.subject.endsWith('…'));
    assert.ok(message.createBody.from.emailAddress.name.length <= 200);
    assert.ok(Buffer.byteLength(JSON.stringify(message.createBody)) < 4 * 1024 * 1024);
  });

  test('text too long for the body is cut there and planned in full as a text attachment', () => {
    const text = '<&>'.repeat(2000) + '🎉';
    const message = convert(smsItem({ text }), { maxBodyTextBytes: 1000 });
    const shown = bodyTextOf(message.createBody.body.content) ?? '';
    assert.ok(shown.length > 0 && text.startsWith(shown) && shown.length < text.length);
    assert.ok(Buffer.byteLength(message.createBody.body.content) < 1000 + 4000);
    assert.deepEqual(message.fullTextAttachment, {
      name: 'message-text.txt',
      contentType: 'text/plain; charset=utf-8',
      size: Buffer.byteLength(text, 'utf8'),
      text,
    });
    assert.match(factValues(message.createBody.body.content, 'Text')?.[0] ?? '', /full text is attached as message-text\.txt/);
  });

  test('a long file name keeps its extension and loses path separators', () => {
    const fileName = `..\\..\\${'très long nom '.repeat(30)}.pdf`;
    const message = convert(groupMmsItem({ attachments: [attachment('f', fileName, 'application/pdf', 1)] }));
    const { name } = message.attachments[0];
    assert.ok(name.length <= 200);
    assert.ok(name.endsWith('.pdf'));
    assert.doesNotMatch(name, /[\\/]/);
  });

  test('conversationKey is product-qualified', () => {
    assert.equal(conversationKey({ product: 'wechat', conversation: { id: 'c-1901', type: 'direct' } }), 'wechat:c-1901');
  });
});
