import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExportedMessage } from '../../dev/simulators/graph';
import { itemBlobName } from '../../shared/archive/blob-names';
import {
  CLIENT_SUBMIT_TIME_PROPERTY_ID,
  DELIVERY_TIME_PROPERTY_ID,
  MESSAGE_FLAGS_PROPERTY_ID,
  SOURCE_HEADER_NAMES,
  sourceItemIdPropertyId,
} from '../../shared/conversion';
import { Containers } from '../../shared/platform/storage/storage-names';
import { logRowsOf } from '../../shared/admin/item-log';
import { ANA, BEN, CARA } from '../graph-writer/graph-fixture';
import { bytesOf, matching, sha256 } from '../graph-writer/graph-fixture';
import {
  BEN_BY_EMAIL,
  BEN_BY_PHONE,
  FOLDER,
  ImportFixture,
  LosesFirstImportedRecord,
  OUTSIDER,
  attachmentEntry,
  mmsItem,
  smsItem,
} from './import-fixture';

const MiB = 1024 * 1024;

function property(message: ExportedMessage | undefined, id: string): string | undefined {
  return message?.singleValueExtendedProperties.find((p) => p.id.toLowerCase() === id.toLowerCase())?.value;
}

function copiesOf(messages: readonly ExportedMessage[], itemId: string): ExportedMessage[] {
  return messages.filter((m) => property(m, sourceItemIdPropertyId()) === itemId);
}

describe('ImportItemService (Azurite, Graph simulator)', () => {
  let fx: ImportFixture;
  before(async () => {
    fx = await ImportFixture.start();
  });
  afterEach(() => fx.graph.sim.faults.clear());
  after(async () => {
    await fx?.close();
  });

  test("an SMS between a mapped employee and a phone-only outsider lands once in the employee's folder as a delivered message", async () => {
    const item = smsItem();
    const { blobName, bytes, itemId } = await fx.store(item);

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported');
    assert.deepEqual(outcome.mailboxes.map((m) => [m.userPrincipalName, m.status, m.via]), [[ANA.userPrincipalName, 'imported', 'email']]);
    assert.deepEqual(outcome.unmapped, [{ participant: '+1 310 555 0100', reason: '+1 310 555 0100: not in the mapping file, no email address' }]);
    const copies = copiesOf(fx.graph.messages(ANA, FOLDER), itemId);
    assert.equal(copies.length, 1, 'one message in the connector folder');
    assert.equal(fx.graph.allMessages(ANA).length, 1, 'and nowhere else');
    assert.equal(fx.graph.allMessages(BEN).length, 0);
    const [message] = copies;
    assert.equal(message?.id, outcome.mailboxes[0]?.messageId);
    assert.equal(message?.isDraft, false);
    assert.equal(property(message, MESSAGE_FLAGS_PROPERTY_ID), '1');
    assert.equal(property(message, DELIVERY_TIME_PROPERTY_ID), '2026-11-20T14:02:55.000Z', 'delivery time is sentAt');
    assert.equal(property(message, CLIENT_SUBMIT_TIME_PROPERTY_ID), '2026-11-20T14:02:55.000Z', 'submit time is sentAt');
    const headers = message?.internetMessageHeaders as Array<{ name: string; value: string }>;
    assert.ok(headers.length >= 8 && headers.every((h) => h.name.startsWith('x-')));
    assert.equal(headers.find((h) => h.name === SOURCE_HEADER_NAMES.itemId)?.value, itemId);
    const body = message?.body as { contentType: string; content: string };
    assert.equal(body.contentType, 'html');
    assert.ok(body.content.includes('Running &lt;b&gt;10&lt;/b&gt; min late &amp; &quot;sorry&quot; &lt;script&gt;'), 'the text is escaped');
    assert.ok(!body.content.includes('<script>'));
    assert.deepEqual(
      (message?.from as { emailAddress: { name: string } }).emailAddress.name,
      'Ana Diaz',
    );

    const delivery = await fx.imports.getDelivery(fx.connector.id, itemId, ANA.id);
    assert.deepEqual([delivery?.status, delivery?.messageId, delivery?.attempts], ['imported', message?.id, 1]);
    const recorded = await fx.imports.getOutcome(fx.connector.id, itemId);
    assert.equal(recorded?.status, 'imported');
    const event = fx.telemetry.events.find((e) => e.name === 'ItemImport' && e.properties.itemId === itemId);
    assert.deepEqual(event?.properties, { connectorId: fx.connector.id, itemId, outcome: 'imported' });
    assert.equal(event?.measurements.mailboxes, 1);
  });

  test("a group MMS lands once in each mapped participant's mailbox, once only for a user who appears twice", async () => {
    const photo = bytesOf(20_000, 21);
    const item = mmsItem([attachmentEntry('att-photo', 'IMG_0042.jpg', photo)], {
      conversation: { id: 'c-group-7', type: 'group', title: 'Site team' },
      to: [{ ...BEN_BY_PHONE }, { ...BEN_BY_EMAIL }, { ...OUTSIDER }],
    });
    const { blobName, bytes, itemId } = await fx.store(item, { 'att-photo': photo });

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported');
    assert.deepEqual(
      outcome.mailboxes.map((m) => [m.userPrincipalName, m.status, m.via]).sort(),
      [[ANA.userPrincipalName, 'imported', 'email'], [BEN.userPrincipalName, 'imported', 'mapping-file']],
    );
    // The download log names the participants that led to each mailbox, the mapping file's phone number too.
    const recorded = await fx.imports.getOutcome(fx.connector.id, itemId);
    assert.ok(recorded);
    assert.deepEqual(
      logRowsOf(recorded).map((r) => [r.mailbox, r.participant, r.reason]).sort(),
      [
        ['', '+1 310 555 0100', '+1 310 555 0100: not in the mapping file, no email address'],
        [ANA.userPrincipalName, '+1 202 555 0143 (ana.diaz@contoso.com)', 'mapped by its email address'],
        [BEN.userPrincipalName, 'Ben Ng (+1 310 555 0199); Ben (ben.ng@contoso.com)', 'mapped by the mapping file'],
      ],
    );
    for (const user of [ANA, BEN]) {
      const copies = copiesOf(fx.graph.messages(user, FOLDER), itemId);
      assert.equal(copies.length, 1, `one copy for ${user.userPrincipalName}`);
      assert.deepEqual(copies[0]?.attachments.map((a) => [a.name, a.sha256]), [['IMG_0042.jpg', sha256(photo)]]);
      assert.equal(copies[0]?.isDraft, false);
      const [image] = copies[0]?.attachments ?? [];
      assert.equal(image?.isInline, true, 'the photo is shown in the body');
      assert.ok((copies[0]?.body as { content: string }).content.includes(`cid:${image?.contentId}`));
    }
  });

  test('an unmapped item is recorded unmapped with a reason per participant, and nothing is written to Graph', async () => {
    const item = smsItem({
      account: { phone: '+13105550111' },
      from: { phone: '+13105550111', displayName: 'Front desk' },
      to: [{ phone: '+13105550122', email: 'ghost@contoso.com' }, { email: CARA.userPrincipalName }],
    });
    const { blobName, bytes, itemId } = await fx.store(item);
    const before = (await fx.graph.requests()).length;

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'unmapped');
    assert.deepEqual(outcome.mailboxes, []);
    assert.deepEqual(outcome.unmapped.map((u) => u.reason), [
      '+1 310 555 0111: not in the mapping file, no email address',
      '+1 310 555 0122: not in the mapping file; email address ghost@contoso.com: not found in the directory',
      'cara.lee@contoso.com: account disabled',
    ]);
    const requests = (await fx.graph.requests()).slice(before);
    assert.deepEqual(requests.filter((r) => r.method !== 'GET'), [], 'no Graph write at all');
    assert.equal((await fx.imports.getOutcome(fx.connector.id, itemId))?.status, 'unmapped');
    assert.equal(fx.telemetry.events.find((e) => e.properties.itemId === itemId)?.properties.outcome, 'unmapped');
  });

  test('a malformed stored item is quarantined with the reason, its outcome recorded, and nothing thrown', async () => {
    const cases: Array<{ itemId: string; bytes: Buffer; reason: RegExp }> = [];
    // JSON.parse's own message would quote this text.
    const secretText = 'CONFIDENTIAL merger text';
    cases.push({ itemId: 'tm-bad-json', bytes: Buffer.from(`{"id":"tm-bad-json","text":${secretText}}`, 'utf8'), reason: /"tm-bad-json" is invalid: field \$ is not valid JSON/ });
    const noSentAt = smsItem({ id: 'tm-bad-field' });
    delete noSentAt.sentAt;
    cases.push({ itemId: 'tm-bad-field', bytes: (await fx.store(noSentAt)).bytes, reason: /"tm-bad-field" is invalid: field sentAt/ });
    const futureVersion = await fx.store(smsItem({ id: 'tm-bad-archive' }), {}, { version: 2 as 1 });
    cases.push({ itemId: 'tm-bad-archive', bytes: futureVersion.bytes, reason: /field _archive\.version must be 1/ });
    const before = (await fx.graph.requests()).length;

    for (const { itemId, bytes, reason } of cases) {
      const blobName = itemBlobName(fx.connector.id, itemId);
      const outcome = await fx.service().importBlob(blobName, bytes);

      assert.equal(outcome.status, 'quarantined', itemId);
      assert.match(outcome.reason ?? '', reason);
      assert.ok(!(outcome.reason ?? '').includes('CONFIDENTI'), 'the reason never quotes the item');
      const quarantined = fx.blobs.getContainerClient(Containers.quarantine).getBlobClient(blobName);
      assert.deepEqual(await quarantined.downloadToBuffer(), bytes, `${itemId}: the bytes are kept as they were`);
      assert.match((await quarantined.getProperties()).metadata?.reason ?? '', reason);
      assert.equal((await fx.imports.getOutcome(fx.connector.id, itemId))?.status, 'quarantined');
      assert.equal(fx.telemetry.events.find((e) => e.properties.itemId === itemId)?.properties.outcome, 'quarantined');
    }
    assert.equal((await fx.graph.requests()).length, before, 'Graph is not asked about a refused item');
  });

  test('importing the same blob twice makes no second copy', async () => {
    const { blobName, bytes, itemId } = await fx.store(smsItem());
    const service = fx.service();

    await service.importBlob(blobName, bytes);
    const again = await service.importBlob(blobName, bytes);

    assert.equal(again.status, 'imported');
    assert.deepEqual(again.mailboxes.map((m) => m.status), ['alreadyImported']);
    assert.equal(again.attempts, 2);
    assert.equal(copiesOf(fx.graph.messages(ANA, FOLDER), itemId).length, 1);
    assert.equal(fx.telemetry.events.filter((e) => e.properties.itemId === itemId).at(-1)?.properties.outcome, 'alreadyImported');
  });

  test('the ambiguous case: the message was created but its record was lost; importing again still leaves exactly one message', async () => {
    const { blobName, bytes, itemId } = await fx.store(smsItem());
    const flaky = new LosesFirstImportedRecord(fx.imports);

    await assert.rejects(fx.service({ imports: flaky }).importBlob(blobName, bytes), { name: 'ItemImportFailedError' });
    assert.equal(flaky.lost, 1);
    const created = copiesOf(fx.graph.messages(ANA, FOLDER), itemId);
    assert.equal(created.length, 1, 'the create took effect');
    assert.equal((await fx.imports.getDelivery(fx.connector.id, itemId, ANA.id))?.status, 'pending');
    assert.equal((await fx.imports.getOutcome(fx.connector.id, itemId))?.status, 'failed');
    assert.deepEqual(
      fx.telemetry.events.filter((e) => e.properties.itemId === itemId).map((e) => [e.properties.outcome, e.properties.error]),
      [['failed', 'mailbox write failed']],
    );

    // The host delivers the blob again (a new process: nothing cached but the tables).
    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported');
    const copies = copiesOf(fx.graph.messages(ANA, FOLDER), itemId);
    assert.deepEqual(copies.map((m) => m.id), [created[0]?.id], 'the message found again is the one recorded');
    assert.equal((await fx.imports.getDelivery(fx.connector.id, itemId, ANA.id))?.messageId, created[0]?.id);
  });

  test('the ambiguous case inside one import: the create takes effect but its answer is lost; one message', async () => {
    const { blobName, bytes, itemId } = await fx.store(smsItem());
    fx.graph.sim.faults.add({ kind: 'status-503', phase: 'after', match: { method: 'POST', pathIncludes: '/messages' }, times: 1, retryAfterSeconds: 0 });

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported');
    assert.equal(fx.graph.sim.faults.list().length, 0, 'the fault was met');
    assert.equal(copiesOf(fx.graph.messages(ANA, FOLDER), itemId).length, 1);
  });

  test(
    'the ambiguous case with attachments: the attachment request after the create fails; importing again adds it to the message found',
    async () => {
      const photo = bytesOf(30_000, 5);
      const { blobName, bytes, itemId } = await fx.store(mmsItem([attachmentEntry('att-next', 'next.jpg', photo)]), { 'att-next': photo });
      // Every attempt the writer makes in this invocation fails (it retries a 500 up to 6 times).
      fx.graph.sim.faults.add({ kind: 'status-500', match: { method: 'POST', pathIncludes: '/attachments' }, times: 6 });

      await assert.rejects(fx.service().importBlob(blobName, bytes), (err: Error) => {
        // What is thrown reaches the host's logs and Application Insights: ids only, no address.
        assert.match(err.message, /failed for 1 mailbox\(es\) \(user ids /);
        assert.doesNotMatch(err.message, /@/);
        return true;
      });
      const outcome = await fx.service().importBlob(blobName, bytes);

      assert.equal(outcome.status, 'imported');
      const copies = copiesOf(fx.graph.messages(ANA, FOLDER), itemId);
      assert.equal(copies.length, 1);
      assert.deepEqual(copies[0]?.attachments.map((a) => a.name), ['next.jpg']);
    },
  );

  test('an attachment over the inline limit goes through an upload session; one under it in the request itself', async () => {
    const video = bytesOf(4 * MiB + 3, 8);
    const photo = bytesOf(50_000, 9);
    const panorama = bytesOf(3 * MiB + 7, 10);
    const item = mmsItem([
      attachmentEntry('att-video', 'clip.mp4', video, 'video/mp4'),
      attachmentEntry('att-small', 'pic.jpg', photo),
      attachmentEntry('att-pano', 'panorama.jpg', panorama),
    ]);
    const { blobName, bytes, itemId } = await fx.store(item, { 'att-video': video, 'att-small': photo, 'att-pano': panorama });
    const before = (await fx.graph.requests()).length;

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported');
    const [message] = copiesOf(fx.graph.messages(ANA, FOLDER), itemId);
    assert.deepEqual(message?.attachments.map((a) => [a.name, a.size, a.sha256, a.isInline]), [
      ['clip.mp4', video.length, sha256(video), false],
      ['pic.jpg', photo.length, sha256(photo), true],
      ['panorama.jpg', panorama.length, sha256(panorama), true],
    ]);
    const content = (message?.body as { content: string }).content;
    for (const image of message?.attachments.slice(1) ?? []) {
      assert.ok(image.contentId !== null && content.includes(`cid:${image.contentId}`), `${image.name} keeps its Content-ID whichever way it was uploaded`);
    }
    const requests = (await fx.graph.requests()).slice(before);
    assert.equal(matching(requests, 'POST', 'createUploadSession').length, 2);
    assert.equal(matching(requests, 'PUT', 'AttachmentSessions').length, 3);
    assert.equal(matching(requests, 'POST', /\/attachments$/).length, 1, 'the small one in one request');
  });

  test('attachments over the size limit are not uploaded and the body says they are kept in storage', async () => {
    // The plan's sizes come from the item: an item may declare 151 MiB without the test storing it.
    const huge = { id: 'att-huge', fileName: 'raw-footage.mov', contentType: 'video/quicktime', size: 151 * MiB, sha256: 'b'.repeat(64) };
    const { blobName, bytes, itemId } = await fx.store(mmsItem([huge]));
    const before = (await fx.graph.requests()).length;

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported');
    const [message] = copiesOf(fx.graph.messages(ANA, FOLDER), itemId);
    assert.deepEqual(message?.attachments, []);
    const content = (message?.body as { content: string }).content;
    assert.match(content, /raw-footage\.mov/);
    assert.match(content, /not imported \(larger than 150 MB\), kept in archive storage/);
    assert.ok(content.includes(`${fx.connector.id}/${itemId}/att-huge`), 'the body says where');
    const requests = (await fx.graph.requests()).slice(before);
    assert.equal(matching(requests, 'POST', 'attachments').length, 0);

    // A lower limit from the conversion options applies the same way to a real, small attachment.
    const kept = bytesOf(60_000, 12);
    const taken = bytesOf(10_000, 13);
    const second = await fx.store(mmsItem([attachmentEntry('att-kept', 'kept.pdf', kept, 'application/pdf'), attachmentEntry('att-taken', 'taken.jpg', taken)]), {
      'att-kept': kept,
      'att-taken': taken,
    });
    await fx.service({ conversion: { maxAttachmentBytes: 50_000 } }).importBlob(second.blobName, second.bytes);
    const [limited] = copiesOf(fx.graph.messages(ANA, FOLDER), second.itemId);
    assert.deepEqual(limited?.attachments.map((a) => a.name), ['taken.jpg']);
    assert.match((limited?.body as { content: string }).content, /kept\.pdf.*kept in archive storage/);
  });

  test('an attachment the fetch stage found gone is left out and the body says so', async () => {
    const gone = { id: 'att-gone', fileName: 'lost.jpg', contentType: 'image/jpeg', size: 999, sha256: 'c'.repeat(64) };
    const { blobName, bytes, itemId } = await fx.store(mmsItem([gone]), {}, { missingAttachments: [{ id: 'att-gone', reason: 'not-found' }] });

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported');
    const [message] = copiesOf(fx.graph.messages(ANA, FOLDER), itemId);
    assert.deepEqual(message?.attachments, []);
    assert.match((message?.body as { content: string }).content, /lost\.jpg.*not imported, the source no longer had it/);
  });

  test('attachments with the same file name get distinct names on the message', async () => {
    const first = bytesOf(1_000, 30);
    const second = bytesOf(2_000, 31);
    const item = mmsItem([attachmentEntry('att-1', 'IMG_0001.jpg', first), attachmentEntry('att-2', 'IMG_0001.jpg', second)]);
    const { blobName, bytes, itemId } = await fx.store(item, { 'att-1': first, 'att-2': second });

    await fx.service().importBlob(blobName, bytes);

    const [message] = copiesOf(fx.graph.messages(ANA, FOLDER), itemId);
    assert.deepEqual(message?.attachments.map((a) => [a.name, a.sha256]), [
      ['IMG_0001.jpg', sha256(first)],
      ['IMG_0001 (2).jpg', sha256(second)],
    ]);
  });

  test('503 and 429 from Graph mid-import are waited out and the item is imported once', async () => {
    const photo = bytesOf(40_000, 40);
    const { blobName, bytes, itemId } = await fx.store(mmsItem([attachmentEntry('att-t', 'throttled.jpg', photo)]), { 'att-t': photo });
    fx.graph.sim.faults.add({ kind: 'status-429', match: { method: 'POST', pathIncludes: '/messages' }, times: 1, retryAfterSeconds: 1 });
    fx.graph.sim.faults.add({ kind: 'status-503', match: { method: 'POST', pathIncludes: '/attachments' }, times: 1, retryAfterSeconds: 1 });
    fx.graph.sim.faults.add({ kind: 'status-503', match: { method: 'GET', pathIncludes: '/users' }, times: 1, retryAfterSeconds: 0 });

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported');
    assert.equal(fx.graph.sim.faults.list().length, 0, 'every fault was met');
    const copies = copiesOf(fx.graph.messages(ANA, FOLDER), itemId);
    assert.equal(copies.length, 1);
    assert.deepEqual(copies[0]?.attachments.map((a) => a.sha256), [sha256(photo)]);
  });

  test('a directory that cannot answer fails the import with the reason recorded, for the host to retry', async () => {
    const { blobName, bytes, itemId } = await fx.store(smsItem());
    fx.graph.sim.faults.add({ kind: 'status-500', match: { method: 'GET', pathIncludes: '/users/' }, times: 1 });

    await assert.rejects(fx.service().importBlob(blobName, bytes));

    const outcome = await fx.imports.getOutcome(fx.connector.id, itemId);
    assert.equal(outcome?.status, 'failed');
    assert.match(outcome?.error ?? '', /participant mapping failed: Graph 500/);
    assert.equal(fx.telemetry.events.find((e) => e.properties.itemId === itemId)?.properties.error, 'participant mapping failed');
    assert.equal(copiesOf(fx.graph.allMessages(ANA), itemId).length, 0);
    assert.equal((await fx.service().importBlob(blobName, bytes)).status, 'imported', 'the retry succeeds');
  });

  test('an item of a connector that does not exist is quarantined', async () => {
    const item = smsItem();
    const blobName = itemBlobName('att-deleted', item.id as string);
    const bytes = Buffer.from(JSON.stringify(item));

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'quarantined');
    assert.equal(outcome.reason, 'connector "att-deleted" does not exist');
  });

  test('an item whose id is too long to be read back from its blob name is imported by the id it holds', async () => {
    // 253 characters, each of the Chinese ones escaped as three bytes: far over the limits of a
    // blob name segment and of a table key once encoded.
    const longId = `tm-${'微'.repeat(250)}`;
    const { blobName, bytes } = await fx.store(smsItem({ id: longId }));
    assert.ok(blobName.includes('~~'), 'the blob name ends in a hash');

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.deepEqual([outcome.itemId, outcome.status], [longId, 'imported']);
    assert.equal(copiesOf(fx.graph.messages(ANA, FOLDER), longId).length, 1);
    assert.equal((await fx.imports.getOutcome(fx.connector.id, longId))?.itemId, longId);
    assert.equal((await fx.imports.getDelivery(fx.connector.id, longId, ANA.id))?.status, 'imported');
    assert.equal((await fx.service().importBlob(blobName, bytes)).mailboxes[0]?.status, 'alreadyImported');
  });

  test('a blob name that is not an item name is refused with an error naming it', async () => {
    await assert.rejects(fx.service().importBlob('not-an-item.txt', Buffer.from('{}')), /"not-an-item.txt" is not an item blob name/);
  });
});
