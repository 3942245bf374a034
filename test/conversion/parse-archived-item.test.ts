import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ItemValidationError, parseArchivedItem, type ParseArchivedItemOptions } from '../../shared/items';
import { attachment, groupMmsItem, sha256Of, smsItem, wechatItem, type RawItem } from './item-fixtures';

function rejection(value: unknown, options?: ParseArchivedItemOptions): ItemValidationError {
  try {
    parseArchivedItem(value, options);
  } catch (error) {
    assert.ok(error instanceof ItemValidationError, `expected ItemValidationError, got ${String(error)}`);
    return error;
  }
  assert.fail('the item was accepted');
}

describe('parseArchivedItem accepts what the spec allows', () => {
  test('reads the spec example and leaves out unknown fields', () => {
    const item = parseArchivedItem({ ...smsItem(), carrierRoute: 'x', from: { ...smsItem().from as RawItem, nickname: 'A' } });
    assert.equal(item.id, 'tm-sms-0001');
    assert.equal(item.kind, 'sms');
    assert.equal('carrierRoute' in item, false);
    assert.equal('nickname' in item.from, false);
    assert.deepEqual(item.conversation, { id: 'c-1901', type: 'direct' });
    assert.deepEqual(item.to, [{ phone: '+13105550199', displayName: 'Ben Ng' }]);
  });

  test('normalises UTC times to the Z form and digests to lower case', () => {
    const digest = sha256Of('x').toUpperCase();
    const item = parseArchivedItem(
      groupMmsItem({
        sentAt: '2026-11-20t14:02:55.5+00:00',
        archivedAt: '2026-11-20T14:03:07.123456Z',
        attachments: [{ ...attachment('a1', 'a.jpg', 'image/jpeg', 1), sha256: digest }],
      }),
    );
    assert.equal(item.sentAt, '2026-11-20T14:02:55.5Z');
    assert.equal(item.archivedAt, '2026-11-20T14:03:07.123456Z');
    assert.equal(item.attachments[0].sha256, digest.toLowerCase());
  });

  test('takes a missing or null text and attachments as empty', () => {
    const item = parseArchivedItem(smsItem({ text: null, attachments: undefined }));
    assert.equal(item.text, '');
    assert.deepEqual(item.attachments, []);
  });

  test('accepts the product the connector expects', () => {
    assert.equal(parseArchivedItem(wechatItem('chat'), { expectedProduct: 'wechat' }).product, 'wechat');
  });

  test('keeps call and recall blocks for those kinds', () => {
    const call = parseArchivedItem(
      wechatItem('call', {
        text: undefined,
        call: { media: 'video', outcome: 'answered', startedAt: '2026-11-20T14:00:00Z', endedAt: '2026-11-20T14:12:04Z', durationSeconds: 724 },
      }),
    );
    assert.equal(call.kind, 'call');
    assert.ok(call.kind === 'call' && call.call.durationSeconds === 724);
    const recall = parseArchivedItem(
      wechatItem('recall', { recall: { targetItemId: 'wx-chat-0099', recalledAt: '2026-11-20T14:06:00Z' } }),
    );
    assert.ok(recall.kind === 'recall' && recall.recall.targetItemId === 'wx-chat-0099');
  });
});

interface Case {
  name: string;
  value: unknown;
  options?: ParseArchivedItemOptions;
  itemId: string | undefined;
  /** How the message shows an id that is known but unusable; default "(id unknown)". */
  shown?: string;
  field: string;
  reason: RegExp;
}

const CASES: Case[] = [
  { name: 'not an object', value: ['tm-1'], itemId: undefined, field: '$', reason: /JSON object/ },
  { name: 'no id', value: smsItem({ id: undefined }), itemId: undefined, field: 'id', reason: /missing/ },
  { name: 'id with CR/LF', value: smsItem({ id: 'tm-1\r\nBcc: x' }), itemId: undefined, shown: 'Archived item "tm-1\\r\\nBcc: x" is', field: 'id', reason: /control characters/ },
  // Issue #10 (smaller): an over-long id was reported as "(id unknown)" though it is known.
  { name: 'id too long', value: smsItem({ id: 'x'.repeat(257) }), itemId: undefined, shown: `Archived item "${'x'.repeat(64)}"… (193 more characters) is`, field: 'id', reason: /at most 256/ },
  { name: 'unknown product', value: smsItem({ product: 'signal' }), itemId: 'tm-sms-0001', field: 'product', reason: /"signal" is not a known product/ },
  {
    name: 'product other than expected',
    value: smsItem(),
    options: { expectedProduct: 'wechat' },
    itemId: 'tm-sms-0001',
    field: 'product',
    reason: /"att-network" but "wechat" was expected/,
  },
  { name: 'kind of another product', value: smsItem({ kind: 'call' }), itemId: 'tm-sms-0001', field: 'kind', reason: /"call" is not a kind of att-network \(one of sms, mms\)/ },
  { name: 'local-time offset', value: smsItem({ archivedAt: '2026-11-20T16:03:07+02:00' }), itemId: 'tm-sms-0001', field: 'archivedAt', reason: /RFC 3339 UTC/ },
  { name: 'impossible date', value: smsItem({ sentAt: '2026-02-30T00:00:00Z' }), itemId: 'tm-sms-0001', field: 'sentAt', reason: /RFC 3339 UTC/ },
  { name: 'unknown direction', value: smsItem({ direction: 'sideways' }), itemId: 'tm-sms-0001', field: 'direction', reason: /one of inbound, outbound/ },
  { name: 'participant without identifier', value: smsItem({ to: [{ displayName: 'Nobody' }] }), itemId: 'tm-sms-0001', field: 'to[0]', reason: /at least one of phone, email, wechatId, wecomUserId/ },
  { name: 'no account', value: smsItem({ account: null }), itemId: 'tm-sms-0001', field: 'account', reason: /missing/ },
  { name: 'conversation type', value: smsItem({ conversation: { id: 'c', type: 'channel' } }), itemId: 'tm-sms-0001', field: 'conversation.type', reason: /one of direct, group/ },
  {
    name: 'digest not hex',
    value: groupMmsItem({ attachments: [{ ...attachment('a1', 'a.jpg', 'image/jpeg', 1), sha256: 'not-a-digest' }] }),
    itemId: 'tm-mms-0002',
    field: 'attachments[0].sha256',
    reason: /64 hexadecimal digits/,
  },
  {
    name: 'negative size',
    value: groupMmsItem({ attachments: [attachment('a1', 'a.jpg', 'image/jpeg', 1), attachment('a2', 'b.jpg', 'image/jpeg', -1)] }),
    itemId: 'tm-mms-0002',
    field: 'attachments[1].size',
    reason: /whole number of bytes/,
  },
  {
    name: 'content type not a media type',
    value: groupMmsItem({ attachments: [attachment('a1', 'a.jpg', 'jpeg', 1)] }),
    itemId: 'tm-mms-0002',
    field: 'attachments[0].contentType',
    reason: /media type/,
  },
  {
    name: 'repeated attachment id',
    value: groupMmsItem({ attachments: [attachment('a1', 'a.jpg', 'image/jpeg', 1), attachment('a1', 'b.jpg', 'image/jpeg', 2)] }),
    itemId: 'tm-mms-0002',
    field: 'attachments[1].id',
    reason: /repeats the id of attachments\[0\]/,
  },
  { name: 'call without call block', value: wechatItem('call'), itemId: 'wx-call-0001', field: 'call', reason: /missing/ },
  {
    name: 'call that ends before it starts',
    value: wechatItem('call', { call: { media: 'voice', outcome: 'answered', startedAt: '2026-11-20T14:10:00Z', endedAt: '2026-11-20T14:00:00Z' } }),
    itemId: 'wx-call-0001',
    field: 'call.endedAt',
    reason: /earlier than call.startedAt/,
  },
  {
    name: 'unknown call outcome',
    value: wechatItem('call', { call: { media: 'voice', outcome: 'dropped', startedAt: '2026-11-20T14:10:00Z' } }),
    itemId: 'wx-call-0001',
    field: 'call.outcome',
    reason: /one of answered, missed, declined, cancelled/,
  },
  {
    name: 'recall without target',
    value: wechatItem('recall', { recall: { recalledAt: '2026-11-20T14:06:00Z' } }),
    itemId: 'wx-recall-0001',
    field: 'recall.targetItemId',
    reason: /missing/,
  },
  {
    name: 'file item with two files',
    value: wechatItem('file', { attachments: [attachment('f1', 'a.pdf', 'application/pdf', 1), attachment('f2', 'b.pdf', 'application/pdf', 1)] }),
    itemId: 'wx-file-0001',
    field: 'attachments',
    reason: /exactly one attachment/,
  },
];

describe('parseArchivedItem refuses what the pipeline cannot rely on', () => {
  for (const testCase of CASES) {
    test(`${testCase.name}: names the item, ${testCase.field} and the cause`, () => {
      const error = rejection(testCase.value, testCase.options);
      assert.equal(error.itemId, testCase.itemId);
      assert.equal(error.field, testCase.field);
      assert.match(error.reason, testCase.reason);
      assert.ok(error.message.includes(testCase.field), error.message);
      assert.ok(error.message.includes(error.reason), error.message);
      const shown = testCase.itemId !== undefined ? JSON.stringify(testCase.itemId) : (testCase.shown ?? 'id unknown');
      assert.ok(error.message.includes(shown), error.message);
      assert.ok(!/[\r\n]/.test(error.message), error.message);
    });
  }

  test('a bad participant identifier is that participant\'s problem: left out and named with field and cause, the item kept', () => {
    // Issue #10, defect 4: these once refused the whole item.
    const phone = parseArchivedItem(groupMmsItem({ to: [{ phone: '+13105551000' }, { phone: '+13105551001' }, { phone: 13105551002 }] }));
    assert.equal(phone.to[2]?.phone, undefined);
    assert.match(phone.to[2]?.unusableIdentifiers?.join() ?? '', /^to\[2\]\.phone: must be a string, not a number$/);
    const email = parseArchivedItem(smsItem({ from: { email: 'ana diaz at contoso' } }));
    assert.match(email.from.unusableIdentifiers?.join() ?? '', /^from\.email: .*email address/);
  });

  test('never quotes a refused value that may be personal data', () => {
    const item = parseArchivedItem(smsItem({ to: [{ phone: '+1 310 555 0199\u0007secret-number' }] }));
    const reason = item.to[0]?.unusableIdentifiers?.join() ?? '';
    assert.match(reason, /^to\[0\]\.phone: must not contain control characters$/);
    assert.equal(reason.includes('secret-number'), false);
    assert.equal(reason.includes('555'), false);
    const textError = rejection(smsItem({ text: 42, from: { email: 'private.person@example' } }));
    assert.equal(textError.message.includes('private.person'), false);
  });
});
