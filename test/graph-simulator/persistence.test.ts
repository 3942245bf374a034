import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { MailboxExport } from '../../dev/simulators/graph';
import {
  ANA,
  SOURCE_ID_PROPERTY,
  SimulatorFixture,
  TEST_TOKEN,
  deliveredMessage,
  filterQuery,
  makeDataDir,
  messagesPath,
  odataString,
  removeDir,
} from './graph-simulator-fixture';

const MiB = 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('Graph simulator: persistence and the request log', () => {
  let dataDir: string;
  let mailboxFile: string;
  const small = randomBytes(20_000);
  const large = randomBytes(3 * MiB + 123);
  let folderId: string;
  let messageId: string;
  let requestsMade = 0;

  before(async () => {
    dataDir = await makeDataDir();
    mailboxFile = path.join(dataDir, 'mailboxes', ANA.userPrincipalName, 'mailbox.json');
  });
  after(async () => {
    await removeDir(dataDir);
  });

  test('mailbox.json is written as the mailbox changes', async () => {
    const f = await SimulatorFixture.start({ dataDir });
    try {
      folderId = await f.createFolder(ANA.userPrincipalName, 'Persisted');
      const created = await f.createMessage(ANA.userPrincipalName, folderId, {
        ...deliveredMessage('Kept', 'persist-1'),
        internetMessageHeaders: [{ name: 'x-source-id', value: 'persist-1' }],
      });
      messageId = created.id as string;
      requestsMade += 2;

      // Read while the simulator runs, once pending writes are flushed.
      await f.sim.flush();
      const running = JSON.parse(await readFile(mailboxFile, 'utf8')) as MailboxExport;
      const message = running.folders.find((x) => x.id === folderId)?.messages[0];
      assert.equal(message?.id, messageId);
      assert.equal(message?.isDraft, false);

      const attachments = `/users/${ANA.id}/messages/${encodeURIComponent(messageId)}/attachments`;
      const inline = await f.call('POST', attachments, {
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: 'note.txt',
        contentType: 'text/plain',
        contentBytes: small.toString('base64'),
      });
      assert.equal(inline.status, 201);
      const session = await f.call('POST', `${attachments}/createUploadSession`, {
        AttachmentItem: { attachmentType: 'file', name: 'clip.mp4', size: large.length, contentType: 'video/mp4' },
      });
      requestsMade += 2;
      const uploadUrl = session.json.uploadUrl as string;
      for (let first = 0; first < large.length; first += 2 * MiB) {
        const piece = large.subarray(first, Math.min(first + 2 * MiB, large.length));
        const put = await fetch(uploadUrl, {
          method: 'PUT',
          headers: { 'Content-Range': `bytes ${first}-${first + piece.length - 1}/${large.length}` },
          body: piece,
        });
        await put.arrayBuffer();
        requestsMade += 1;
      }
      const unauthenticated = await fetch(`${f.sim.url}/users/${ANA.id}`);
      assert.equal(unauthenticated.status, 401);
      requestsMade += 1;
    } finally {
      await f.sim.stop();
    }
  });

  test('the export holds each message as Graph returns it, with extended properties, headers and attachments', async () => {
    const exported = JSON.parse(await readFile(mailboxFile, 'utf8')) as MailboxExport;
    assert.equal(exported.user.id, ANA.id);
    assert.equal(exported.user.userPrincipalName, ANA.userPrincipalName);
    const folder = exported.folders.find((x) => x.id === folderId);
    assert.equal(folder?.displayName, 'Persisted');
    const message = folder?.messages[0];
    assert.ok(message);
    for (const property of ['id', 'createdDateTime', 'parentFolderId', 'conversationId', 'isDraft', 'hasAttachments', 'subject', 'body']) {
      assert.ok(property in message, property);
    }
    assert.equal(message.hasAttachments, true);
    assert.deepEqual(message.internetMessageHeaders, [{ name: 'x-source-id', value: 'persist-1' }]);
    assert.ok(message.singleValueExtendedProperties.some((p) => p.id === SOURCE_ID_PROPERTY && p.value === 'persist-1'));
    assert.deepEqual(
      message.attachments.map((a) => [a.name, a.contentType, a.size, a.sha256]),
      [
        ['note.txt', 'text/plain', small.length, sha256(small)],
        ['clip.mp4', 'video/mp4', large.length, sha256(large)],
      ],
    );
    const stored = path.join(dataDir, 'mailboxes', ANA.userPrincipalName, 'attachments');
    assert.deepEqual((await readdir(stored)).sort(), [sha256(small), sha256(large)].sort());
    assert.ok((await readFile(path.join(stored, sha256(large)))).equals(large));
    const leftovers = (await readdir(path.dirname(mailboxFile))).filter((name) => name.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'atomic writes leave no temporary files');
  });

  test('requests.ndjson has one line per request, without the token or attachment bytes', async () => {
    const text = await readFile(path.join(dataDir, 'requests.ndjson'), 'utf8');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, requestsMade);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of entries) {
      for (const key of ['time', 'method', 'path', 'query', 'status']) assert.ok(key in entry, `${key} in ${JSON.stringify(entry)}`);
    }
    assert.ok(!text.includes(TEST_TOKEN), 'no token');
    assert.ok(!/authorization/i.test(text), 'no Authorization header');
    assert.ok(!/authtoken/i.test(text), 'no upload URL token');
    assert.ok(!text.includes(small.toString('base64').slice(0, 64)), 'no inline attachment bytes');
    assert.ok(!text.includes(large.subarray(0, 48).toString('base64')), 'no uploaded bytes');

    const inline = entries.find((e) => e.method === 'POST' && String(e.path).endsWith('/attachments'));
    assert.deepEqual((inline?.body as { contentBytes: unknown }).contentBytes, { omittedBytes: small.length });
    const puts = entries.filter((e) => e.method === 'PUT');
    assert.deepEqual(puts.map((e) => e.status), [200, 201]);
    assert.deepEqual(puts.map((e) => e.body), [{ omittedBytes: 2 * MiB }, { omittedBytes: large.length - 2 * MiB }]);
    const created = entries.find((e) => e.method === 'POST' && String(e.path).endsWith('/messages'));
    assert.equal(created?.status, 201);
    assert.equal(created?.mailbox, ANA.userPrincipalName);
    assert.equal((created?.body as { subject: string }).subject, 'Kept');
    assert.equal(entries[entries.length - 1].status, 401);
  });

  test('a simulator started again on the same data folder continues from what it persisted', async () => {
    const f = await SimulatorFixture.start({ dataDir });
    try {
      const folders = `/users/${ANA.id}/mailFolders`;
      const byName = await f.call('GET', `${folders}${filterQuery("displayName eq 'Persisted'")}`);
      assert.deepEqual((byName.json.value as { id: string }[]).map((x) => x.id), [folderId]);
      assert.equal((await f.call('POST', folders, { displayName: 'persisted' })).status, 409);

      const lookup = filterQuery(
        `singleValueExtendedProperties/any(ep: ep/id eq ${odataString(SOURCE_ID_PROPERTY)} and ep/value eq 'persist-1')`,
      );
      const found = await f.call('GET', `${messagesPath(ANA.id, folderId)}${lookup}`);
      assert.deepEqual((found.json.value as { id: string }[]).map((m) => m.id), [messageId]);

      const attachments = await f.call('GET', `/users/${ANA.id}/messages/${encodeURIComponent(messageId)}/attachments`);
      assert.deepEqual((attachments.json.value as { name: string }[]).map((a) => a.name), ['note.txt', 'clip.mp4']);

      await f.createMessage(ANA.id, folderId, deliveredMessage('After restart', 'persist-2'));
      const exported = f.sim.mailbox(ANA.userPrincipalName);
      assert.deepEqual(
        exported?.folders.find((x) => x.id === folderId)?.messages.map((m) => m.subject),
        ['Kept', 'After restart'],
      );
    } finally {
      await f.sim.stop();
    }
    const lines = (await readFile(path.join(dataDir, 'requests.ndjson'), 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, requestsMade + 5, 'the log is appended to, not replaced');
  });
});
