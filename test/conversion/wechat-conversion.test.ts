import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toGraphMessage, type ConvertedMessage } from '../../shared/conversion';
import { parseArchivedItem } from '../../shared/items';
import { productModule } from '../../shared/products';
import {
  attachment,
  bodyTextOf,
  factValues,
  foreignMarkup,
  LI_NA,
  WANG_WEI,
  wechatGroupOfForty,
  wechatItem,
  type RawItem,
} from './item-fixtures';

function convert(raw: RawItem): ConvertedMessage {
  return toGraphMessage(parseArchivedItem(raw, { expectedProduct: 'wechat' }));
}

function header(message: ConvertedMessage, name: string): string | undefined {
  return message.createBody.internetMessageHeaders.find((entry) => entry.name === name)?.value;
}

/** Chinese, emoji (with a ZWJ sequence) and mixed-direction text with an explicit isolate. */
const MIXED_TEXT = '周五开会 🙏🏻 👩‍💻\nمرحبا \u2067עולם\u2069 ok <i>"引号"</i> & done';

const GROUP = { id: 'wxg-project-01', type: 'group', title: '项目组 🚀' };

const CALL = { media: 'video', outcome: 'answered', startedAt: '2026-11-20T14:00:00Z', endedAt: '2026-11-20T14:12:04Z', durationSeconds: 724 };

const EVERY_KIND: Record<string, RawItem> = {
  chat: wechatItem('chat', { text: MIXED_TEXT }),
  file: wechatItem('file', { text: MIXED_TEXT, attachments: [attachment('wf-1', '季度报告 📊.pdf', 'application/pdf', 1048576)] }),
  call: wechatItem('call', { text: MIXED_TEXT, call: CALL }),
  recall: wechatItem('recall', { text: MIXED_TEXT, recall: { targetItemId: 'wx-chat-0042', recalledAt: '2026-11-20T14:06:30Z' } }),
  system: wechatItem('system', { conversation: GROUP, to: wechatGroupOfForty().slice(0, 1), text: MIXED_TEXT }),
};

describe('wechat product module', () => {
  test('is registered with its folder and every WeChat kind', () => {
    const module = productModule('wechat');
    assert.equal(module.defaultFolderName, 'WeChat Archiver');
    assert.deepEqual([...module.kinds].sort(), ['call', 'chat', 'file', 'recall', 'system']);
  });

  for (const [kind, raw] of Object.entries(EVERY_KIND)) {
    test(`${kind}: Chinese, emoji and mixed-direction text is kept exactly and never becomes markup`, () => {
      const message = convert(raw);
      const html = message.createBody.body.content;
      assert.equal(bodyTextOf(html), MIXED_TEXT);
      assert.deepEqual(foreignMarkup(html), []);
      assert.doesNotMatch(message.createBody.subject, /[\r\n\u202a-\u202e\u2066-\u2069]/);
      assert.equal(header(message, 'x-telemessage-kind'), kind);
      assert.equal(message.folderName, 'WeChat Archiver');
    });
  }
});

describe('toGraphMessage: WeChat chats', () => {
  test('a direct chat is named after the other person and uses a non-routable WeChat address', () => {
    const message = convert(wechatItem('chat'));
    assert.equal(message.createBody.subject, 'WeChat chat with 王伟');
    assert.deepEqual(message.createBody.from.emailAddress, {
      name: '王伟 (WeChat ID wxid_wangwei88)',
      address: 'wxid_wangwei88@wechat.telemessage.invalid',
    });
    assert.deepEqual(message.createBody.toRecipients[0].emailAddress, { name: '李娜', address: 'li.na@contoso.com' });
    const reply = convert(wechatItem('chat', { id: 'wx-chat-0002', direction: 'outbound', from: { ...LI_NA }, to: [{ ...WANG_WEI }] }));
    assert.equal(reply.createBody.subject, message.createBody.subject);
    assert.equal(reply.conversationKey, message.conversationKey);
  });

  test('a group of 40 is named by its title and lists all members', () => {
    const members = wechatGroupOfForty();
    const message = convert(wechatItem('chat', { conversation: GROUP, to: members.filter((member) => member.wechatId !== WANG_WEI.wechatId) }));
    assert.equal(message.createBody.subject, 'WeChat group “项目组 🚀”');
    assert.equal(message.createBody.toRecipients.length, 39);
    assert.equal(factValues(message.createBody.body.content, 'To')?.length, 39);
    for (const recipient of message.createBody.toRecipients) {
      assert.match(recipient.emailAddress.address, /^(li\.na@contoso\.com|wxid_member\d\d@wechat\.telemessage\.invalid)$/);
    }
  });

  test('an untitled group is summed up by size and first names, the same for every member', () => {
    const members = wechatGroupOfForty();
    const fromWang = convert(wechatItem('chat', { conversation: { id: 'g2', type: 'group' }, to: members.slice(2).concat(members[0]) }));
    assert.match(fromWang.createBody.subject, /^WeChat group of 40: .+ and 36 others$/);
    const fromMember = convert(
      wechatItem('chat', { id: 'wx-chat-0003', conversation: { id: 'g2', type: 'group' }, from: members[5], to: members.filter((_, i) => i !== 5) }),
    );
    assert.equal(fromMember.createBody.subject, fromWang.createBody.subject);
  });

  test('a WeCom account reads as WeCom and WeCom ids get their own non-routable domain', () => {
    const message = convert(
      wechatItem('chat', { account: { wecomUserId: 'LiNa' }, from: { wecomUserId: 'ZhangSan.HR', displayName: '张三' }, to: [{ wecomUserId: 'LiNa' }] }),
    );
    assert.equal(message.createBody.subject, 'WeCom chat with 张三');
    assert.match(message.createBody.from.emailAddress.address, /^zhangsan-hr-[0-9a-f]{10}@wecom\.telemessage\.invalid$/);
    assert.equal(message.createBody.toRecipients[0].emailAddress.address, 'lina@wecom.telemessage.invalid');
  });

  test('a shared file is named in subject and facts and planned as the attachment', () => {
    const message = convert(wechatItem('file', { text: '', attachments: [attachment('wf-1', '季度报告.pdf', 'application/pdf', 1048576)] }));
    assert.equal(message.createBody.subject, 'File 季度报告.pdf in WeChat chat with 王伟');
    assert.deepEqual(factValues(message.createBody.body.content, 'File'), ['季度报告.pdf']);
    assert.deepEqual(factValues(message.createBody.body.content, 'File size'), ['1 MB (1,048,576 bytes)']);
    assert.deepEqual(message.attachments.map((a) => [a.attachmentId, a.name, a.disposition]), [['wf-1', '季度报告.pdf', 'import']]);
  });
});

describe('toGraphMessage: WeChat calls', () => {
  test('an answered video call says who, how it went and how long, with start and end', () => {
    const message = convert(wechatItem('call', { text: undefined, call: CALL }));
    const html = message.createBody.body.content;
    assert.equal(message.createBody.subject, 'Video call with 王伟, answered, 12 min 4 s');
    assert.deepEqual(factValues(html, 'Started'), ['2026-11-20 14:00:00 UTC']);
    assert.deepEqual(factValues(html, 'Ended'), ['2026-11-20 14:12:04 UTC']);
    assert.deepEqual(factValues(html, 'Duration'), ['12 min 4 s']);
  });

  test('a call with no recording says none was kept and plans no attachment', () => {
    const message = convert(wechatItem('call', { text: undefined, call: { ...CALL, media: 'voice', outcome: 'missed', endedAt: null, durationSeconds: null } }));
    const html = message.createBody.body.content;
    assert.equal(message.createBody.subject, 'Voice call with 王伟, missed');
    assert.deepEqual(factValues(html, 'Recording'), ['none kept']);
    assert.deepEqual(factValues(html, 'Ended'), ['not recorded by the source']);
    assert.equal(factValues(html, 'Duration'), undefined);
    assert.deepEqual(message.attachments, []);
    assert.equal(bodyTextOf(html), undefined);
  });

  test('a recorded group call keeps the recording as an attachment', () => {
    const message = convert(
      wechatItem('call', { conversation: GROUP, text: undefined, call: CALL, attachments: [attachment('rec-1', 'call.m4a', 'audio/mp4', 2048)] }),
    );
    assert.equal(message.createBody.subject, 'Video call in WeChat group “项目组 🚀”, answered, 12 min 4 s');
    assert.deepEqual(factValues(message.createBody.body.content, 'Recording'), ['kept, see attachments']);
    assert.equal(message.attachments[0].disposition, 'import');
  });
});

describe('toGraphMessage: WeChat recalls and group events', () => {
  test('a recall whose target was never archived says who recalled what and when, and keeps the content', () => {
    const message = convert(
      wechatItem('recall', {
        text: '发错群了 😅',
        attachments: [attachment('img-9', 'photo.jpg', 'image/jpeg', 3000)],
        recall: { targetItemId: 'wx-never-archived-7', recalledAt: '2026-11-20T14:06:30Z' },
      }),
    );
    const html = message.createBody.body.content;
    assert.equal(message.createBody.subject, '王伟 recalled a message at 2026-11-20 14:06 UTC');
    assert.match(html, /王伟 recalled this message \(sent to 李娜\) at 2026-11-20 14:06:30 UTC/);
    assert.equal(bodyTextOf(html), '发错群了 😅');
    assert.deepEqual(factValues(html, 'Recalled message (source id)'), ['wx-never-archived-7']);
    assert.equal(header(message, 'x-telemessage-recall-target-id'), 'wx-never-archived-7');
    assert.equal(message.attachments[0].attachmentId, 'img-9');
  });

  test('a group event is a short item in the same conversation as the group chat', () => {
    const members = wechatGroupOfForty();
    const chat = convert(wechatItem('chat', { conversation: GROUP, to: members }));
    const event = convert(wechatItem('system', { id: 'wx-sys-1', conversation: GROUP, to: members, text: '王伟 邀请 张三 加入了群聊' }));
    assert.equal(event.createBody.subject, 'WeChat group “项目组 🚀”: 王伟 邀请 张三 加入了群聊');
    assert.ok(event.createBody.subject.startsWith(chat.createBody.subject));
    assert.equal(event.conversationKey, chat.conversationKey);
    assert.match(event.createBody.body.content, /Group event in WeChat group “项目组 🚀”/);
  });
});
