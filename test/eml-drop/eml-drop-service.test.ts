import { buffer } from 'node:stream/consumers';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import iconv from 'iconv-lite';
import { GeneratedBytes } from '../../dev/bench/generated-attachment';
import type { TeleMessageItem } from '../../dev/scenario/telemessage-item';
import { emlExportEntries, emlManifest, itemEml, writeEmlExportZip, zipEntries, type EmlExportEntry } from '../../dev/simulators/telemessage';
import { attachmentBlobName, itemBlobName } from '../../shared/archive/blob-names';
import { TableConnectorStore } from '../../shared/connectors/connector-store';
import type { Connector } from '../../shared/connectors/connector';
import { EmlDropService, type DropOutcome } from '../../shared/eml-drop';
import { parseArchivedItem } from '../../shared/items/parse-archived-item';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';

const MB = 1024 * 1024;
const SENT = '2026-03-10T13:02:06Z';

function item(id: string, overrides: Partial<TeleMessageItem> = {}): TeleMessageItem {
  return {
    id,
    product: 'att-network',
    kind: 'sms',
    archivedAt: SENT,
    sentAt: SENT,
    direction: 'outbound',
    account: { phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' },
    conversation: { id: 'c-1', type: 'direct' },
    from: { phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' },
    to: [{ phone: '+13105550199', displayName: 'Jordan Lee' }],
    text: `Message ${id}`,
    attachments: [],
    ...overrides,
  };
}

const PICTURE = Buffer.from('not really a jpeg, but bytes all the same');
const VCARD = Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jordan Lee\r\nEND:VCARD\r\n');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const pictureBytes = (_item: TeleMessageItem, attachmentId: string): Buffer => (attachmentId === 'v1' ? VCARD : PICTURE);


/** Replaces a placeholder entry name in a ZIP's bytes with another of the same length (yazl refuses unsafe names). */
function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  assert.equal(Buffer.byteLength(from), Buffer.byteLength(to));
  const copy = Buffer.from(zip);
  const needle = Buffer.from(from);
  for (let at = copy.indexOf(needle); at >= 0; at = copy.indexOf(needle, at + 1)) Buffer.from(to).copy(copy, at);
  return copy;
}

describe('EmlDropService: TeleMessage EML exports against Azurite', () => {
  let azurite: TestAzurite;
  let blobs: BlobServiceClient;
  let connectors: TableConnectorStore;
  let service: EmlDropService;
  let items: ContainerClient;
  let attachments: ContainerClient;
  let quarantine: ContainerClient;
  let n = 0;

  before(async () => {
    azurite = await startTestAzurite();
    const storage = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
    blobs = storage.blobs;
    connectors = new TableConnectorStore(storage.table('connectors'));
    items = blobs.getContainerClient('archive-items');
    attachments = blobs.getContainerClient('archive-attachments');
    quarantine = blobs.getContainerClient('quarantine');
    await Promise.all([items.createIfNotExists(), attachments.createIfNotExists()]);
    service = new EmlDropService({ connectors, blobs });
  });

  after(async () => azurite?.stop());

  /** A fresh connector on the EML transport, so that each test sees only its own items. */
  async function dropConnector(overrides: Partial<Connector> = {}): Promise<string> {
    n++;
    const id = `drop-${n}`;
    const now = '2026-03-01T00:00:00Z';
    await connectors.create({
      id, product: 'att-network', folderName: 'AT&T SMS/MMS Network Archiver', baseUrl: '', username: '', passwordSecretName: '',
      transport: 'eml-drop', enabled: true, autoMapping: true, defaultRegion: 'US',
      checkpoint: now, scheduledThrough: now, createdAt: now, updatedAt: now, ...overrides,
    });
    return id;
  }

  async function storedItemNames(connectorId: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of items.listBlobsFlat({ prefix: `${connectorId}/` })) names.push(blob.name);
    return names.sort();
  }

  async function storedItem(connectorId: string, itemId: string): Promise<Record<string, unknown>> {
    return JSON.parse((await items.getBlockBlobClient(itemBlobName(connectorId, itemId)).downloadToBuffer()).toString('utf8')) as Record<string, unknown>;
  }

  async function expectQuarantined(outcome: DropOutcome, connectorId: string, reason: RegExp): Promise<void> {
    assert.equal(outcome.status, 'quarantined', JSON.stringify(outcome));
    assert.match(outcome.reason ?? '', reason);
    assert.deepEqual(await storedItemNames(connectorId), [], 'nothing of a refused ZIP is imported');
    const copy = quarantine.getBlockBlobClient(outcome.quarantinedAs ?? '');
    const properties = await copy.getProperties();
    assert.match(properties.metadata?.reason ?? '', reason);
  }

  const three = (): TeleMessageItem[] => [
    item('tm-1'),
    item('tm-2', { direction: 'inbound', from: { phone: '+13105550199', displayName: 'Jordan Lee' }, to: [{ phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' }] }),
    item('tm-3', {
      kind: 'mms',
      subject: 'Photo',
      attachments: [
        { id: 'p1', fileName: 'photo.jpg', contentType: 'image/jpeg', size: PICTURE.length, sha256: sha256(PICTURE) },
        { id: 'v1', fileName: 'jordan.vcf', contentType: 'text/vcard', size: VCARD.length, sha256: sha256(VCARD) },
      ],
    }),
  ];

  test('imports a good ZIP as the items the fetch stage would store, attachments hashed into the archive', async () => {
    const connectorId = await dropConnector();
    const zip = await writeEmlExportZip(three(), pictureBytes, { zippedAt: new Date('2026-03-11T00:10:00Z') });
    assert.match(zip.name, /^202603110000-TeleMessage_1_001000\.zip$/);
    const outcome = await service.importDrop(`${connectorId}/${zip.name}`, zip.bytes);
    assert.deepEqual({ status: outcome.status, messages: outcome.messages, stored: outcome.stored, alreadyStored: outcome.alreadyStored }, { status: 'imported', messages: 3, stored: 3, alreadyStored: 0 });
    assert.equal((await storedItemNames(connectorId)).length, 3);

    const outbound = await storedItem(connectorId, 'tm-1@archive.telemessage.invalid');
    const parsed = parseArchivedItem(outbound, { expectedProduct: 'att-network' });
    assert.equal(parsed.kind, 'sms');
    assert.equal(parsed.direction, 'outbound');
    assert.equal(parsed.sentAt, SENT);
    assert.equal(parsed.text, 'Message tm-1');
    assert.deepEqual(parsed.from, { phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' });
    assert.deepEqual(parsed.to, [{ phone: '+13105550199', displayName: 'Jordan Lee' }], 'a number-only address carries the number, not a mailbox');
    assert.deepEqual(parsed.account, parsed.from);
    assert.deepEqual(outbound._archive, { version: 1, connectorId, product: 'att-network', missingAttachments: [] });

    const inbound = parseArchivedItem(await storedItem(connectorId, 'tm-2@archive.telemessage.invalid'));
    assert.equal(inbound.direction, 'inbound');
    assert.equal(inbound.account.email, 'ana.diaz@contoso.com');

    const mms = parseArchivedItem(await storedItem(connectorId, 'tm-3@archive.telemessage.invalid'));
    assert.equal(mms.kind, 'mms');
    assert.equal(mms.subject, 'Photo');
    assert.deepEqual(mms.attachments, [
      { id: '1', fileName: 'photo.jpg', contentType: 'image/jpeg', size: PICTURE.length, sha256: sha256(PICTURE) },
      { id: '2', fileName: 'jordan.vcf', contentType: 'text/vcard', size: VCARD.length, sha256: sha256(VCARD) },
    ]);
    for (const [id, bytes] of [['1', PICTURE], ['2', VCARD]] as const) {
      const blob = attachments.getBlockBlobClient(attachmentBlobName(connectorId, mms.id, id));
      assert.deepEqual(await blob.downloadToBuffer(), bytes);
      assert.equal((await blob.getProperties()).metadata?.sha256, sha256(bytes));
    }
  });

  test('imports nothing twice when the same ZIP is delivered again (or under another name)', async () => {
    const connectorId = await dropConnector();
    const zip = await writeEmlExportZip(three(), pictureBytes);
    const first = await service.importDrop(`${connectorId}/${zip.name}`, zip.bytes);
    assert.equal(first.stored, 3);
    const etags = await Promise.all((await storedItemNames(connectorId)).map(async (name) => (await items.getBlockBlobClient(name).getProperties()).etag));
    const again = await service.importDrop(`${connectorId}/${zip.name}`, zip.bytes);
    assert.deepEqual({ status: again.status, stored: again.stored, alreadyStored: again.alreadyStored }, { status: 'imported', stored: 0, alreadyStored: 3 });
    const renamed = await service.importDrop(`${connectorId}/20260312-TeleMessage_2_000000.zip`, zip.bytes);
    assert.equal(renamed.stored, 0);
    const after = await Promise.all((await storedItemNames(connectorId)).map(async (name) => (await items.getBlockBlobClient(name).getProperties()).etag));
    assert.deepEqual(after, etags, 'no item JSON was rewritten, so no import is triggered again');
  });

  describe('quarantines a ZIP whose manifest breaks a rule, with the reason', () => {
    async function zipWith(mutate: (entries: EmlExportEntry[]) => EmlExportEntry[]): Promise<Buffer> {
      return zipEntries(mutate(emlExportEntries(three(), pictureBytes, new Date(SENT))));
    }
    const manifest = (text: string): EmlExportEntry => ({ name: 'TeleMessage.mf', content: Buffer.from(text) });
    const cases: Array<[string, (entries: EmlExportEntry[]) => EmlExportEntry[], RegExp]> = [
      ['Count differs from the EML files', (e) => [...e.slice(0, 3), manifest(emlManifest(['000001.eml', '000002.eml', '000003.eml'], new Date()).replace('Count: 3', 'Count: 4'))], /"Count: 4" but the ZIP holds 3 EML files/],
      ['a listed file is missing', (e) => [e[0]!, e[1]!, manifest('Count: 2\r\n000001.eml\r\n000003.eml\r\n')], /lists "000003\.eml", which is not in the ZIP/],
      ['a listed file has zero bytes', (e) => [e[0]!, e[1]!, { name: '000003.eml', content: Buffer.alloc(0) }, e[3]!], /000003\.eml: The EML file is empty \(zero bytes\)/],
      ['an EML file is not listed', (e) => [e[0]!, e[1]!, e[2]!, { name: 'extra.eml', content: Buffer.from('x') }, manifest('Count: 4\r\n000001.eml\r\n000002.eml\r\n000003.eml\r\nother.eml\r\n')], /lists "other\.eml"/],
      ['there is no manifest', (e) => e.slice(0, 3), /no \.mf manifest/],
      ['there are two manifests', (e) => [...e, { name: 'second.mf', content: Buffer.from('Count: 3\r\n') }], /2 \.mf manifests/],
      ['Count is not a number', (e) => [...e.slice(0, 3), manifest('Count: three\r\n000001.eml\r\n')], /"Count:" is "three", not a whole number/],
      ['Count is missing', (e) => [...e.slice(0, 3), manifest('000001.eml\r\n000002.eml\r\n000003.eml\r\n')], /no "Count:" line/],
    ];
    for (const [name, mutate, reason] of cases) {
      test(name, async () => {
        const connectorId = await dropConnector();
        await expectQuarantined(await service.importDrop(`${connectorId}/bad.zip`, await zipWith(mutate)), connectorId, reason);
      });
    }

    test('an EML file is not listed though Count matches', async () => {
      const connectorId = await dropConnector();
      const zip = await zipWith((e) => [e[0]!, e[1]!, { name: 'stray.eml', content: Buffer.from('x') }, manifest('Count: 3\r\n000001.eml\r\n000002.eml\r\n')]);
      await expectQuarantined(await service.importDrop(`${connectorId}/bad.zip`, zip), connectorId, /stray\.eml: The EML file is in the ZIP but not in the manifest/);
    });
  });

  test('never imports part of a ZIP: one unreadable message holds back the others', async () => {
    const connectorId = await dropConnector();
    const broken = Buffer.from('From: someone\r\nTo: nobody\r\nSubject: no date\r\n\r\nhello\r\n');
    const zip = await zipEntries([
      { name: '000001.eml', content: itemEml(item('tm-ok'), pictureBytes) },
      { name: '000002.eml', content: broken },
      { name: 'TeleMessage.mf', content: Buffer.from(emlManifest(['000001.eml', '000002.eml'], new Date())) },
    ]);
    await expectQuarantined(await service.importDrop(`${connectorId}/bad.zip`, zip), connectorId, /000002\.eml: The message has no readable Date header/);
  });

  test('refuses a zip bomb from its declared sizes, before inflating it', async () => {
    const connectorId = await dropConnector();
    const zip = await zipEntries([
      { name: '000001.eml', content: Buffer.alloc(20 * MB) },
      { name: 'TeleMessage.mf', content: Buffer.from(emlManifest(['000001.eml'], new Date())) },
    ]);
    assert.ok(zip.length < 100_000, `the bomb is small packed (${zip.length} bytes)`);
    await expectQuarantined(await service.importDrop(`${connectorId}/bomb.zip`, zip), connectorId, /000001\.eml: The entry unpacks \d+ times its packed size.*zip bomb/);
    const small = new EmlDropService({ connectors, blobs, limits: { maxEntries: 2 } });
    const many = await zipEntries([1, 2, 3].map((i) => ({ name: `${i}.eml`, content: Buffer.from('x') })));
    await expectQuarantined(await small.importDrop(`${connectorId}/many.zip`, many), connectorId, /3 entries; the limit is 2/);
  });

  for (const [placeholder, unsafe, reason] of [
    ['aaaaaaaaaa.eml', '../../evil.eml', /climbs out of the folder/],
    ['aaaaaaaa.eml', '/etc/cron.eml', /absolute path/],
    ['aaaaaaaaa.eml', '..\\evil.eml', /backslash/],
    ['aaaaaaaaaa.eml', 'C:/Windows.eml', /drive letter/],
  ] as const) {
    test(`refuses a ZIP with an entry named ${JSON.stringify(unsafe)}`, async () => {
      const connectorId = await dropConnector();
      const name = placeholder.length === unsafe.length ? placeholder : placeholder.slice(0, unsafe.length - 4) + '.eml';
      const zip = renameEntry(
        await zipEntries([
          { name, content: itemEml(item('tm-evil'), pictureBytes) },
          { name: 'TeleMessage.mf', content: Buffer.from(emlManifest([name], new Date())) },
        ]),
        name,
        unsafe,
      );
      await expectQuarantined(await service.importDrop(`${connectorId}/evil.zip`, zip), connectorId, reason);
    });
  }

  test('reads headers in other character sets (RFC 2047 ISO-8859-1 and GB2312) into the participants', async () => {
    const connectorId = await dropConnector();
    const gb = iconv.encode('李伟', 'gb2312').toString('base64');
    const eml = Buffer.from(
      [
        'Message-ID: <tm-charset@archive.telemessage.invalid>',
        'Date: Tue, 10 Mar 2026 13:02:06 +0000',
        'From: =?ISO-8859-1?Q?Jos=E9_=C1lvarez?= +12025550143 <jose@contoso.com>',
        `To: =?GB2312?B?${gb}?= 8613800138000 <8613800138000@mobile.telemessage.invalid>`,
        'Subject: =?ISO-8859-1?Q?Caf=E9?=',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=ISO-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Un caf=E9 =E0 15h ?',
        '',
      ].join('\r\n'),
      'latin1',
    );
    const zip = await zipEntries([
      { name: '000001.eml', content: eml },
      { name: 'TeleMessage.mf', content: Buffer.from(emlManifest(['000001.eml'], new Date())) },
    ]);
    const outcome = await service.importDrop(`${connectorId}/charset.zip`, zip);
    assert.equal(outcome.status, 'imported', outcome.reason);
    const stored = parseArchivedItem(await storedItem(connectorId, 'tm-charset@archive.telemessage.invalid'));
    assert.deepEqual(stored.from, { phone: '+12025550143', email: 'jose@contoso.com', displayName: 'José Álvarez' });
    assert.deepEqual(stored.to, [{ phone: '+8613800138000', displayName: '李伟' }]);
    assert.equal(stored.subject, 'Café');
    assert.equal(stored.text, 'Un café à 15h ?');
  });

  test('streams a 40 MB attachment into the archive with its hash', async () => {
    const connectorId = await dropConnector();
    const big = new GeneratedBytes(40 * MB, 40);
    const expectedSha = big.sha256();
    const bigItem = item('tm-big', { kind: 'mms', attachments: [{ id: 'v1', fileName: 'video.mp4', contentType: 'video/mp4', size: big.size, sha256: expectedSha }] });
    // Stored, not deflated: random data does not compress, and deflating 54 MB of base64 only costs time.
    const zip = await writeEmlExportZip([bigItem], () => big.stream(), { compress: false });
    const outcome = await service.importDrop(`${connectorId}/${zip.name}`, zip.bytes);
    assert.equal(outcome.status, 'imported', outcome.reason);
    const stored = parseArchivedItem(await storedItem(connectorId, 'tm-big@archive.telemessage.invalid'));
    assert.deepEqual(stored.attachments.map((a) => ({ size: a.size, sha256: a.sha256 })), [{ size: 40 * MB, sha256: expectedSha }]);
    const blob = attachments.getBlockBlobClient(attachmentBlobName(connectorId, stored.id, '1'));
    const hash = createHash('sha256').update(await buffer((await blob.download()).readableStreamBody!)).digest('hex');
    assert.equal(hash, expectedSha);
  });

  test('quarantines a ZIP for an unknown connector or one on the archive API, and ignores what is not a .zip', async () => {
    const zip = await writeEmlExportZip([item('tm-x')], pictureBytes);
    const unknown = await service.importDrop(`nobody/${zip.name}`, zip.bytes);
    assert.equal(unknown.status, 'quarantined');
    assert.match(unknown.reason ?? '', /no connector "nobody"/);
    const apiConnector = await dropConnector({ transport: 'archive-api' });
    await expectQuarantined(await service.importDrop(`${apiConnector}/${zip.name}`, zip.bytes), apiConnector, /fetches through the archive API/);
    const connectorId = await dropConnector();
    assert.equal((await service.importDrop(`${connectorId}/${zip.name}.filepart`, zip.bytes)).status, 'ignored');
    assert.equal((await service.importDrop(zip.name, zip.bytes)).status, 'ignored');
  });
});
