import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { inlineImageContentId, renderHtmlBody, toGraphMessage, type ConvertedMessage, type ToGraphMessageOptions } from '../../shared/conversion';
import { parseArchivedItem } from '../../shared/items';
import { attachment, bodyImages, factValues, foreignMarkup, groupMmsItem, wechatItem, type RawItem } from './item-fixtures';

function convert(raw: RawItem, options?: ToGraphMessageOptions): ConvertedMessage {
  return toGraphMessage(parseArchivedItem(raw), options);
}

/** Every kind of medium an MMS or a chat can carry, images of each shown type among them. */
const MEDIA = [
  attachment('m-jpeg', 'IMG_0042.jpg', 'image/jpeg', 482113),
  attachment('m-video', 'clip.mp4', 'video/mp4', 900),
  attachment('m-png', 'screen.png', 'image/png', 2000),
  attachment('m-audio', 'voice.amr', 'audio/amr', 300),
  attachment('m-gif', 'party.gif', 'image/gif', 4000),
  attachment('m-pdf', 'menu.pdf', 'application/pdf', 5000),
  attachment('m-webp', 'sticker.webp', 'image/webp', 800),
  attachment('m-svg', 'logo.svg', 'image/svg+xml', 700),
  attachment('m-vcard', 'ana.vcf', 'text/vcard', 200),
];
const SHOWN = ['m-jpeg', 'm-png', 'm-gif', 'm-webp'];

/** The body's images and the message's inline attachments refer to each other one to one, in order. */
function assertImagesMatchInlineAttachments(message: ConvertedMessage): void {
  const inline = message.attachments.filter((a) => a.isInline);
  assert.deepEqual(
    bodyImages(message.createBody.body.content),
    inline.map((a) => ({ src: `cid:${a.contentId}`, alt: a.name })),
  );
  for (const planned of message.attachments) {
    assert.equal(planned.contentId !== undefined, planned.isInline, `${planned.attachmentId}: a Content-ID exactly when inline`);
  }
  assert.deepEqual(foreignMarkup(message.createBody.body.content), []);
}

describe('inline images: shown in the body, and attached all the same', () => {
  for (const [name, raw] of Object.entries({
    'an MMS': groupMmsItem({ text: 'Photos from the site visit', attachments: MEDIA }),
    'a WeChat chat message': wechatItem('chat', { attachments: MEDIA }),
  })) {
    test(`${name}: imported PNG, JPEG, GIF and WebP are shown by cid; video, audio, SVG and files only attached`, () => {
      const message = convert(raw);
      assert.deepEqual(
        message.attachments.filter((a) => a.isInline).map((a) => a.attachmentId),
        SHOWN,
      );
      assert.deepEqual(message.attachments.map((a) => a.attachmentId), MEDIA.map((m) => m.id), 'every medium is still attached');
      assert.ok(message.attachments.every((a) => a.disposition === 'import'));
      assertImagesMatchInlineAttachments(message);
      const html = message.createBody.body.content;
      assert.ok(html.indexOf('<img') > html.indexOf('</div>') && html.includes('<div dir="auto"'), 'images follow the text');
      assert.ok(html.lastIndexOf('<img') < html.indexOf('<hr>'), 'images come before the facts');
      const lines = factValues(html, 'Attachments') ?? [];
      assert.equal(lines.length, MEDIA.length);
      assert.deepEqual(
        lines.filter((line) => line.endsWith(', shown above')).map((line) => line.split(' ')[0]),
        ['IMG_0042.jpg', 'screen.png', 'party.gif', 'sticker.webp'],
      );
    });
  }

  test('a media type is recognised whatever its case and parameters', () => {
    const message = convert(groupMmsItem({ attachments: [attachment('a', 'A.JPG', 'Image/JPEG; name="A.JPG"', 10)] }));
    assert.equal(message.attachments[0].isInline, true);
    assertImagesMatchInlineAttachments(message);
  });

  test('images kept in storage or no longer available are not shown; the facts say where they are', () => {
    const message = convert(
      groupMmsItem({
        attachments: [
          attachment('big', 'panorama.jpg', 'image/jpeg', 5000),
          attachment('gone', 'lost.png', 'image/png', 10),
          attachment('kept', 'kept.gif', 'image/gif', 10),
          attachment('ok', 'ok.png', 'image/png', 10),
        ],
      }),
      {
        maxAttachmentBytes: 1000,
        attachmentDisposition: (a) => (a.id === 'gone' ? 'unavailable' : a.id === 'kept' ? 'keepInStorage' : undefined),
        storageLocation: (a) => `conn-1/tm-mms-0002/${a.id}`,
      },
    );
    assert.deepEqual(message.attachments.map((a) => [a.attachmentId, a.disposition, a.isInline]), [
      ['big', 'keepInStorage', false],
      ['gone', 'unavailable', false],
      ['kept', 'keepInStorage', false],
      ['ok', 'import', true],
    ]);
    assertImagesMatchInlineAttachments(message);
    assert.equal(bodyImages(message.createBody.body.content).length, 1);
    const lines = factValues(message.createBody.body.content, 'Attachments') ?? [];
    assert.match(lines[0], /kept in archive storage at conn-1\/tm-mms-0002\/big$/);
    assert.match(lines[1], /the source no longer had it$/);
    assert.match(lines[2], /kept in archive storage at conn-1\/tm-mms-0002\/kept$/);
  });

  test('images over maxInlineImageBytes are attached but not shown', () => {
    const message = convert(
      groupMmsItem({ attachments: [attachment('small', 'small.png', 'image/png', 3000), attachment('large', 'large.jpg', 'image/jpeg', 3001)] }),
      { maxInlineImageBytes: 3000 },
    );
    assert.deepEqual(message.attachments.map((a) => [a.attachmentId, a.disposition, a.isInline]), [
      ['small', 'import', true],
      ['large', 'import', false],
    ]);
    assertImagesMatchInlineAttachments(message);
  });

  test('only chat messages and MMS show images: a shared file, a call recording, a recall and an SMS do not', () => {
    const image = [attachment('img', 'photo.jpg', 'image/jpeg', 100)];
    for (const raw of [
      wechatItem('file', { attachments: image }),
      wechatItem('call', { text: undefined, attachments: image, call: { media: 'video', outcome: 'answered', startedAt: '2026-11-20T14:00:00Z' } }),
      wechatItem('recall', { attachments: image, recall: { targetItemId: 'wx-1', recalledAt: '2026-11-20T14:06:00Z' } }),
      groupMmsItem({ kind: 'sms', attachments: image }),
    ]) {
      const message = convert(raw);
      assert.equal(message.attachments.length, 1);
      assert.equal(message.attachments[0].isInline, false, `${message.kind} keeps its image as an ordinary attachment`);
      assert.deepEqual(bodyImages(message.createBody.body.content), []);
    }
  });

  test('a hostile file name is escaped in the alt text and cannot add markup or a source', () => {
    const fileName = `"><script>alert('x')</script><img src="https://evil.example/p.png" onerror=x>&amp;\u202E.png`;
    const message = convert(wechatItem('chat', { attachments: [attachment('h', fileName, 'image/png', 10)] }));
    const html = message.createBody.body.content;
    assertImagesMatchInlineAttachments(message);
    assert.doesNotMatch(html, /<script/);
    assert.equal(bodyImages(html).length, 1, 'the name adds no image');
    const [image] = bodyImages(html);
    assert.equal(image.alt, message.attachments[0].name);
    assert.ok(image.alt?.startsWith(`"><script>alert('x')`), 'the name reads back as the sender wrote it');
  });
});

describe('inline images: Content-IDs', () => {
  test('derived from product, item and attachment ids: the same on every conversion, distinct otherwise', () => {
    const first = convert(groupMmsItem({ attachments: MEDIA }));
    const again = convert(groupMmsItem({ attachments: MEDIA }));
    const otherItem = convert(groupMmsItem({ id: 'tm-mms-0099', attachments: MEDIA }));
    const ids = first.attachments.flatMap((a) => (a.contentId === undefined ? [] : [a.contentId]));
    assert.deepEqual(again.attachments.map((a) => a.contentId), first.attachments.map((a) => a.contentId));
    assert.equal(new Set([...ids, ...otherItem.attachments.flatMap((a) => a.contentId ?? [])]).size, ids.length * 2);
    const expected = createHash('sha256').update('att-network\ntm-mms-0002\nm-jpeg', 'utf8').digest('hex').slice(0, 32);
    assert.equal(first.attachments[0].contentId, `${expected}@telemessage.invalid`);
    assert.notEqual(inlineImageContentId({ product: 'wechat', id: 'tm-mms-0002' }, 'm-jpeg'), first.attachments[0].contentId);
  });

  test('safe in a MIME header, a cid: URL and an HTML attribute, whatever the ids hold', () => {
    for (const [itemId, attachmentId] of [['tm 1', 'a"b'], ['群<1>', '%0D%0A'], ['x'.repeat(256), 'é\u202E']]) {
      const contentId = inlineImageContentId({ product: 'wechat', id: itemId }, attachmentId);
      assert.match(contentId, /^[0-9a-f]{32}@telemessage\.invalid$/);
    }
  });

  test('the body refuses an image whose Content-ID it did not make', () => {
    for (const contentId of ['https://evil.example/p.png', 'x" onerror="alert(1)', `${'a'.repeat(32)}@evil.example`]) {
      assert.throws(() => renderHtmlBody({ headline: 'h', facts: [], images: [{ contentId, alt: 'x' }] }), /not a Content-ID made by inlineImageContentId/);
    }
  });
});
