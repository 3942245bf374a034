import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ANA,
  SimulatorFixture,
  TEST_TOKEN,
  deliveredMessage,
  errorCode,
  toReply,
  type GraphReply,
} from './graph-simulator-fixture';

const MiB = 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('Graph simulator: attachments', () => {
  let f: SimulatorFixture;
  let folderId: string;
  before(async () => {
    f = await SimulatorFixture.start();
    folderId = await f.createFolder(ANA.id, 'MMS');
  });
  after(async () => {
    await f.close();
  });

  async function newMessage(subject: string): Promise<string> {
    return (await f.createMessage(ANA.id, folderId, deliveredMessage(subject, `att-${subject}`))).id as string;
  }

  const attachmentsOf = (messageId: string): string => `/users/${ANA.id}/messages/${encodeURIComponent(messageId)}/attachments`;

  async function createSession(messageId: string, size: number, name = 'video.mp4'): Promise<GraphReply> {
    return f.call('POST', `${attachmentsOf(messageId)}/createUploadSession`, {
      AttachmentItem: { attachmentType: 'file', name, size, contentType: 'video/mp4' },
    });
  }

  /** PUTs one chunk to an upload URL the way a client must: no Authorization header. */
  async function putChunk(uploadUrl: string, bytes: Uint8Array, first: number, total: number, headers: Record<string, string> = {}): Promise<GraphReply> {
    const response = await fetch(uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes ${first}-${first + bytes.length - 1}/${total}`, ...headers },
      body: bytes,
    });
    return toReply(response);
  }

  test('listing attachments honours $select and refuses an unknown property', async () => {
    const messageId = await newMessage('select');
    await f.call('POST', attachmentsOf(messageId), {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'note.txt',
      contentType: 'text/plain',
      contentBytes: Buffer.from('hello').toString('base64'),
    });
    const listed = await f.call('GET', `${attachmentsOf(messageId)}?$select=name,size`);
    assert.equal(listed.status, 200);
    const [only] = (listed.json as { value: Array<Record<string, unknown>> }).value;
    assert.deepEqual(Object.keys(only!).sort(), ['@odata.type', 'id', 'name', 'size']);
    assert.equal(only!.name, 'note.txt');
    assert.equal(only!.size, 5);
    const refused = await f.call('GET', `${attachmentsOf(messageId)}?$select=colour`);
    assert.equal(refused.status, 400);
  });

  test('a small file attachment is stored under its sha256 and marks the message', async () => {
    const messageId = await newMessage('small');
    const content = randomBytes(50_000);
    const reply = await f.call('POST', attachmentsOf(messageId), {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'photo.jpg',
      contentType: 'image/jpeg',
      contentBytes: content.toString('base64'),
    });
    assert.equal(reply.status, 201);
    assert.equal(reply.json.size, content.length);
    assert.equal(reply.json.name, 'photo.jpg');

    const message = await f.call('GET', `/users/${ANA.id}/messages/${encodeURIComponent(messageId)}?$expand=attachments`);
    assert.equal(message.json.hasAttachments, true);
    assert.deepEqual((message.json.attachments as { id: string }[]).map((a) => a.id), [reply.json.id]);

    const list = await f.call('GET', attachmentsOf(messageId));
    assert.equal((list.json.value as unknown[]).length, 1);

    const exported = f.sim.mailbox(ANA.userPrincipalName)?.folders.find((x) => x.id === folderId)?.messages.find((m) => m.id === messageId);
    assert.equal(exported?.attachments[0].sha256, sha256(content));
    const onDisk = await readFile(path.join(f.dataDir, 'mailboxes', ANA.userPrincipalName, 'attachments', sha256(content)));
    assert.ok(onDisk.equals(content));
  });

  test('attachment bodies are checked: type, undeclared properties, base64', async () => {
    const messageId = await newMessage('checks');
    const base = { '@odata.type': '#microsoft.graph.fileAttachment', name: 'a.txt', contentBytes: 'aGk=' };
    assert.equal((await f.call('POST', attachmentsOf(messageId), { ...base, '@odata.type': undefined })).status, 400);
    assert.equal((await f.call('POST', attachmentsOf(messageId), { ...base, '@odata.type': '#microsoft.graph.itemAttachment' })).status, 400);
    const unknown = await f.call('POST', attachmentsOf(messageId), { ...base, path: '/tmp/a.txt' });
    assert.equal(errorCode(unknown), 'ErrorInvalidProperty');
    assert.equal((await f.call('POST', attachmentsOf(messageId), { ...base, contentBytes: 'not base64!' })).status, 400);
    assert.equal((await f.call('POST', attachmentsOf(messageId), { ...base, name: undefined })).status, 400);
  });

  test('inline contentBytes of 3 MB or more is 413, as is a body over 4 MB', async () => {
    const messageId = await newMessage('too-big-inline');
    const threeMb = await f.call('POST', attachmentsOf(messageId), {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'three.bin',
      contentBytes: Buffer.alloc(3 * MiB).toString('base64'),
    });
    assert.equal(threeMb.status, 413);
    const fourMb = await f.call('POST', attachmentsOf(messageId), {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'four.bin',
      contentBytes: Buffer.alloc(3.5 * MiB).toString('base64'),
    });
    assert.equal(fourMb.status, 413);
    const list = await f.call('GET', attachmentsOf(messageId));
    assert.deepEqual(list.json.value, []);
  });

  test('createUploadSession refuses sizes under 3 MB or over 150 MB, and other attachment types', async () => {
    const messageId = await newMessage('session-sizes');
    const small = await createSession(messageId, 1 * MiB);
    assert.equal(small.status, 400);
    assert.equal(errorCode(small), 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
    assert.equal((await createSession(messageId, 150 * MiB + 1)).status, 400);
    const item = await f.call('POST', `${attachmentsOf(messageId)}/createUploadSession`, {
      AttachmentItem: { attachmentType: 'item', name: 'x', size: 4 * MiB },
    });
    assert.equal(item.status, 400);
    const wrongParameter = await f.call('POST', `${attachmentsOf(messageId)}/createUploadSession`, {
      attachmentItem: { attachmentType: 'file', name: 'x', size: 4 * MiB },
    });
    assert.equal(wrongParameter.status, 400);
  });

  test('a 40 MB attachment uploaded in 4 MB chunks lands whole, with its sha256 in the export', async () => {
    const messageId = await newMessage('large');
    const content = randomBytes(40 * MiB);
    const session = await createSession(messageId, content.length, 'recording.mp4');
    assert.equal(session.status, 201);
    assert.deepEqual(session.json.nextExpectedRanges, ['0-']);
    const uploadUrl = session.json.uploadUrl as string;
    assert.ok(uploadUrl.startsWith(f.sim.origin));
    assert.ok(!uploadUrl.startsWith(f.sim.url), 'the upload URL is not a Graph URL');

    const chunk = 4 * MiB;
    let last: GraphReply | undefined;
    for (let first = 0; first < content.length; first += chunk) {
      const piece = content.subarray(first, Math.min(first + chunk, content.length));
      last = await putChunk(uploadUrl, piece, first, content.length);
      if (first + piece.length < content.length) {
        assert.equal(last.status, 200, `chunk at ${first}`);
        assert.deepEqual(last.json.NextExpectedRanges, [String(first + piece.length)]);
      }
    }
    assert.equal(last?.status, 201);
    const location = last?.headers.get('location') ?? '';
    const attachmentId = decodeURIComponent(/Attachments\('([^']+)'\)/.exec(location)?.[1] ?? '');
    assert.notEqual(attachmentId, '');

    const list = await f.call('GET', attachmentsOf(messageId));
    const attachments = list.json.value as { id: string; name: string; size: number }[];
    assert.deepEqual(attachments.map((a) => [a.id, a.name, a.size]), [[attachmentId, 'recording.mp4', content.length]]);

    const exported = f.sim.mailbox(ANA.id)?.folders.find((x) => x.id === folderId)?.messages.find((m) => m.id === messageId);
    assert.equal(exported?.attachments[0].sha256, sha256(content));
    assert.equal(exported?.hasAttachments, true);
    const file = path.join(f.dataDir, 'mailboxes', ANA.userPrincipalName, 'attachments', sha256(content));
    assert.equal((await stat(file)).size, content.length);
    assert.equal(sha256(await readFile(file)), sha256(content));
    assert.deepEqual(await readdir(path.join(f.dataDir, 'uploads')), [], 'no part file left behind');

    const afterwards = await putChunk(uploadUrl, content.subarray(0, 10), 0, content.length);
    assert.equal(afterwards.status, 404, 'a finished session is gone');
  });

  test('an Authorization header on the upload URL is refused', async () => {
    const messageId = await newMessage('auth-upload');
    const session = await createSession(messageId, 3 * MiB);
    const reply = await putChunk(session.json.uploadUrl as string, Buffer.alloc(1024), 0, 3 * MiB, {
      Authorization: `Bearer ${TEST_TOKEN}`,
    });
    assert.equal(reply.status, 401);
    const accepted = await putChunk(session.json.uploadUrl as string, Buffer.alloc(1024), 0, 3 * MiB);
    assert.equal(accepted.status, 200, 'the refused chunk left the session untouched');
  });

  test('chunks out of order are 416 with nextExpectedRanges; bad ranges and big chunks are refused', async () => {
    const messageId = await newMessage('ranges');
    const total = 5 * MiB;
    const session = await createSession(messageId, total);
    const uploadUrl = session.json.uploadUrl as string;

    const skipAhead = await putChunk(uploadUrl, Buffer.alloc(1024), 1024, total);
    assert.equal(skipAhead.status, 416);
    assert.deepEqual((skipAhead.json.error as { nextExpectedRanges: string[] }).nextExpectedRanges, ['0']);

    assert.equal((await putChunk(uploadUrl, Buffer.alloc(MiB), 0, total)).status, 200);
    const repeat = await putChunk(uploadUrl, Buffer.alloc(MiB), 0, total);
    assert.equal(repeat.status, 416);
    assert.deepEqual((repeat.json.error as { nextExpectedRanges: string[] }).nextExpectedRanges, [String(MiB)]);

    const tooBig = await putChunk(uploadUrl, Buffer.alloc(4 * MiB + 1), MiB, total);
    assert.equal(tooBig.status, 413);
    const wrongTotal = await putChunk(uploadUrl, Buffer.alloc(1024), MiB, total + 1);
    assert.equal(wrongTotal.status, 400);
    const noRange = await toReply(await fetch(uploadUrl, { method: 'PUT', body: Buffer.alloc(10) }));
    assert.equal(noRange.status, 400);
    const badToken = await putChunk(uploadUrl.replace(/authtoken=[^&]+/, 'authtoken=forged'), Buffer.alloc(1024), MiB, total);
    assert.equal(badToken.status, 401);

    assert.equal((await putChunk(uploadUrl, Buffer.alloc(4 * MiB), MiB, total)).status, 201);
  });

  test('DELETE on the upload URL cancels the session', async () => {
    const messageId = await newMessage('cancel');
    const session = await createSession(messageId, 3 * MiB);
    const uploadUrl = session.json.uploadUrl as string;
    assert.equal((await fetch(uploadUrl, { method: 'DELETE' })).status, 204);
    assert.equal((await putChunk(uploadUrl, Buffer.alloc(10), 0, 3 * MiB)).status, 404);
  });
});
