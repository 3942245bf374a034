import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toGraphMessage } from '../../shared/conversion';
import { parseArchivedItem } from '../../shared/items';
import { loadMailSchema, messageCreateBodyViolations } from './graph-schema';
import { attachment, groupMmsItem, smsItem, wechatGroupOfForty, wechatItem, type RawItem } from './item-fixtures';

const { schema, file } = loadMailSchema();

const ITEMS: Record<string, RawItem> = {
  'direct SMS': smsItem(),
  'SMS with hostile text': smsItem({ text: '<script>x</script>\r\n"\'😀', from: { phone: '+13105550199', displayName: '\u202E"<b>' } }),
  'group MMS without text': groupMmsItem({ text: '' }),
  'MMS with images shown in the body and a video': groupMmsItem({
    attachments: [attachment('p', 'IMG_1.jpg', 'image/jpeg', 10), attachment('v', 'clip.mp4', 'video/mp4', 10), attachment('g', '"<b>.gif', 'image/gif', 10)],
  }),
  'WeChat chat with an image': wechatItem('chat', { attachments: [attachment('i', '照片.png', 'image/png', 10)] }),
  'WeChat chat in a group of 40': wechatItem('chat', { conversation: { id: 'g', type: 'group', title: '项目组' }, to: wechatGroupOfForty() }),
  'WeChat file': wechatItem('file', { attachments: [attachment('f', '报告.pdf', 'application/pdf', 1234)] }),
  'WeChat call': wechatItem('call', { text: undefined, call: { media: 'voice', outcome: 'missed', startedAt: '2026-11-20T14:00:00Z' } }),
  'WeChat recall': wechatItem('recall', { recall: { targetItemId: 'wx-unknown', recalledAt: '2026-11-20T14:06:00Z' } }),
  'WeChat system event': wechatItem('system', { conversation: { id: 'g', type: 'group' }, text: '王伟 邀请 李娜 加入了群聊' }),
};

describe(`create bodies use only properties Graph declares and accepts on create (${file})`, () => {
  for (const [name, raw] of Object.entries(ITEMS)) {
    test(name, () => {
      const { createBody } = toGraphMessage(parseArchivedItem(raw));
      assert.deepEqual(messageCreateBodyViolations(schema, JSON.parse(JSON.stringify(createBody))), []);
    });
  }

  test('the check itself refuses undeclared, server-computed and mistyped properties at any depth', () => {
    const { createBody } = toGraphMessage(parseArchivedItem(smsItem()));
    const broken = {
      ...JSON.parse(JSON.stringify(createBody)),
      receivedDateTime: '2026-11-20T14:02:55Z',
      conversationId: 'abc',
      threadTopic: 'x',
      body: { contentType: 'markdown', content: 'x', charset: 'utf-8' },
      singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: 1, propertyId: 'x' }],
    };
    const violations = messageCreateBodyViolations(schema, broken);
    for (const expected of [
      /^receivedDateTime: not writable/,
      /^conversationId: not writable/,
      /^\$\.threadTopic: message declares no such property/,
      /^\$\.body\.contentType: "markdown" is not one of bodyType/,
      /^\$\.body\.charset: itemBody declares no such property/,
      /^\$\.singleValueExtendedProperties\[0\]\.value: expected a string/,
      /^\$\.singleValueExtendedProperties\[0\]\.propertyId: singleValueLegacyExtendedProperty declares no such property/,
    ]) {
      assert.ok(violations.some((violation) => expected.test(violation)), `missing ${expected}: ${violations.join('; ')}`);
    }
  });
});
