import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MailSchema, parseFileAttachment, parseMessageCreate, parseUploadSessionRequest } from '../../dev/simulators/graph';
import {
  CONVERSATION_INDEX_PROPERTY_ID,
  CONVERSATION_INDEX_TRACKING_PROPERTY_ID,
  CONVERSATION_TOPIC_PROPERTY_ID,
  toGraphMessage,
  type PlannedAttachment,
} from '../../shared/conversion';
import { parseArchivedItem } from '../../shared/items';
import { attachment, groupMmsItem, wechatItem } from './item-fixtures';

/**
 * What the converter asks of Graph, checked against the Graph simulator's own request parsing
 * (the same rules its HTTP routes apply): the create body with the conversation properties, and
 * the two ways the writer adds an inline image.
 */
const schema = MailSchema.load();

const message = toGraphMessage(
  parseArchivedItem(
    groupMmsItem({ attachments: [attachment('p', 'IMG_1.jpg', 'image/jpeg', 12), attachment('v', 'clip.mp4', 'video/mp4', 12)] }),
  ),
);
const image = message.attachments.find((a) => a.isInline) as PlannedAttachment;

/** `POST …/messages/{id}/attachments` for an attachment under 3 MB, as the writer must send it. */
function smallAttachmentRequest(planned: PlannedAttachment, bytes: Buffer): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    name: planned.name,
    contentType: planned.contentType,
    contentBytes: bytes.toString('base64'),
    ...(planned.isInline ? { contentId: planned.contentId, isInline: true } : {}),
  };
}

/** `POST …/attachments/createUploadSession` for a larger one. */
function uploadSessionRequest(planned: PlannedAttachment): Record<string, unknown> {
  return {
    AttachmentItem: {
      attachmentType: 'file',
      name: planned.name,
      size: planned.size,
      contentType: planned.contentType,
      ...(planned.isInline ? { contentId: planned.contentId, isInline: true } : {}),
    },
  };
}

describe('the Graph simulator accepts what the converter asks for', () => {
  test('create bodies of every kind, with topic, index and tracking, parse as Graph would take them', () => {
    for (const raw of [
      message,
      toGraphMessage(parseArchivedItem(wechatItem('chat', { attachments: [attachment('i', '照片.png', 'image/png', 10)] }))),
      toGraphMessage(parseArchivedItem(wechatItem('call', { text: undefined, call: { media: 'voice', outcome: 'missed', startedAt: '2026-11-20T14:00:00Z' } }))),
    ]) {
      const parsed = parseMessageCreate(schema, JSON.parse(JSON.stringify(raw.createBody)));
      const types = Object.fromEntries(parsed.singleValueExtendedProperties.map((p) => [p.id, [p.parsedId.type, p.parsedId.tag]]));
      assert.deepEqual(types[CONVERSATION_TOPIC_PROPERTY_ID], ['String', 0x0070]);
      assert.deepEqual(types[CONVERSATION_INDEX_PROPERTY_ID], ['Binary', 0x0071]);
      assert.deepEqual(types[CONVERSATION_INDEX_TRACKING_PROPERTY_ID], ['Boolean', 0x3016]);
    }
  });

  test('the check is live: a conversation index that is not base64 is refused', () => {
    const body = JSON.parse(JSON.stringify(message.createBody)) as { singleValueExtendedProperties: { id: string; value: string }[] };
    body.singleValueExtendedProperties = body.singleValueExtendedProperties.map((p) =>
      p.id === CONVERSATION_INDEX_PROPERTY_ID ? { ...p, value: 'not base64!' } : p,
    );
    assert.throws(() => parseMessageCreate(schema, body), /Binary' needs base64/);
  });

  test('an inline image added with contentBytes keeps its Content-ID and inline flag', () => {
    const parsed = parseFileAttachment(schema, smallAttachmentRequest(image, Buffer.from('twelve bytes')));
    assert.equal(parsed.isInline, true);
    assert.equal(parsed.contentId, image.contentId);
    assert.equal(parsed.contentType, 'image/jpeg');
    const video = parseFileAttachment(schema, smallAttachmentRequest(message.attachments[1], Buffer.from('twelve bytes')));
    assert.deepEqual([video.isInline, video.contentId], [false, null]);
  });

  test('an inline image added through an upload session keeps its Content-ID and inline flag', () => {
    const parsed = parseUploadSessionRequest(schema, uploadSessionRequest(image));
    assert.deepEqual(parsed, { name: 'IMG_1.jpg', size: 12, contentType: 'image/jpeg', isInline: true, contentId: image.contentId ?? null });
  });
});
