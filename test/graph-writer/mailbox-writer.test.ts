import { RETRY_BUDGETS } from '../../shared/platform/resilience';
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLimiter } from '../../shared/platform/concurrency/keyed-limiter';
import { toGraphMessage } from '../../shared/conversion';
import { Client, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { createGraphMiddleware, splitEndpoint } from '../../shared/graph/graph-client';
import { StaticTokenCredential } from '../../shared/graph/graph-credential';
import { GraphMailboxWriter } from '../../shared/graph/mailbox-writer';
import { GraphUserDirectory } from '../../shared/graph/graph-user-directory';
import { sourceItemIdPropertyId } from '../../shared/conversion';
import { parseArchivedItem } from '../../shared/items';
import { ANA, BEN, CARA, DAN, GRAPH_TEST_TOKEN, GraphFixture, USERS, bytesOf, deliveredMessage, matching, memoryAttachment, sha256 } from './graph-fixture';
import { SimulatorProcess } from './simulator-process';

const MiB = 1024 * 1024;

/**
 * A client middleware that holds the answers of the first `count` folder lookups (GET
 * …/mailFolders) until all of them have been answered; later requests pass straight through.
 * If the lookups could never all be in flight at once, the bound turns that hang into a failure.
 */
function lookupsAnsweredTogether(count: number, next: Middleware): Middleware {
  let answered = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return {
    async execute(context: Context): Promise<void> {
      await next.execute(context);
      const url = typeof context.request === 'string' ? context.request : context.request.url;
      if ((context.options?.method ?? 'GET').toUpperCase() !== 'GET' || !new URL(url).pathname.endsWith('/mailFolders') || answered >= count) return;
      answered += 1;
      if (answered === count) release();
      await Promise.race([all, sleep(10_000, undefined, { ref: false })]);
    },
  };
}

describe('GraphMailboxWriter: folders', () => {
  let fx: GraphFixture;
  before(async () => {
    fx = await GraphFixture.start();
  });
  after(async () => {
    await fx?.close();
  });

  test('ensureFolder creates the folder once when several calls race (the 409 of the losers is absorbed) and caches it', async () => {
    // Four writers share the client, as the import functions of one process do, but not a folder cache.
    // The client hands no folder lookup's answer back until all four lookups are answered, so every
    // writer has found no folder before any creates one: the race happens however the machine is loaded.
    const { baseUrl, version } = splitEndpoint(fx.sim.url);
    const client = Client.initWithMiddleware({
      baseUrl,
      defaultVersion: version,
      middleware: lookupsAnsweredTogether(4, createGraphMiddleware({ endpoint: fx.sim.url, credential: new StaticTokenCredential(GRAPH_TEST_TOKEN) })),
    });
    const writers = [fx.writer({ client }), fx.writer({ client }), fx.writer({ client }), fx.writer({ client })];
    const ids = await Promise.all(writers.map((w) => w.ensureFolder(ANA.id, 'AT&T SMS/MMS Network Archiver')));

    assert.equal(new Set(ids).size, 1, 'every caller gets the same folder');
    const named = fx.folders(ANA).filter((f) => f.displayName === 'AT&T SMS/MMS Network Archiver');
    assert.equal(named.length, 1);
    assert.equal(named[0]?.id, ids[0]);
    const creates = matching(await fx.requests(), 'POST', `/users/${ANA.id}/mailFolders`);
    assert.equal(creates.filter((r) => r.status === 201).length, 1);
    assert.ok(creates.some((r) => r.status === 409), 'the race was real: the simulator answered 409 ErrorFolderExists');

    const before = (await fx.requests()).length;
    assert.equal(await writers[0]?.ensureFolder(ANA.id, 'AT&T SMS/MMS Network Archiver'), ids[0]);
    assert.equal(await writers[0]?.ensureFolder(ANA.id, 'at&t sms/mms network archiver'), ids[0], 'folder names ignore case');
    assert.equal((await fx.requests()).length, before, 'a known folder costs no request');
  });

  test("folder names with quotes, &, /, #, + and % are found again rather than created twice", async () => {
    const names = ["O'Brien & Sons / SMS", '100% + #1 "Quoted"', 'Ünïcödé 微信 / WeChat'];
    for (const name of names) {
      const created = await fx.writer().ensureFolder(BEN.id, name);
      const found = await fx.writer().ensureFolder(BEN.id, name);
      assert.equal(found, created, `"${name}" is found by its own name`);
      assert.equal(fx.folder(BEN, name)?.id, created, `"${name}" is stored exactly as given`);
    }
    const entries = await fx.requests();
    assert.equal(matching(entries, 'POST', `/users/${BEN.id}/mailFolders`).length, names.length, 'one create per name, no 409');
    assert.equal(entries.filter((e) => e.mailbox === BEN.userPrincipalName && e.status >= 400).length, 0);
  });
});

describe('GraphMailboxWriter: messages', () => {
  let fx: GraphFixture;
  let writer: GraphMailboxWriter;
  let folderId: string;
  before(async () => {
    fx = await GraphFixture.start();
    writer = fx.writer();
    folderId = await writer.ensureFolder(ANA.id, 'SMS');
  });
  afterEach(() => fx.sim.faults.clear());
  after(async () => {
    await fx?.close();
  });

  test('a converted SMS is accepted as a delivered message (no ErrorInvalidProperty, not a draft)', async () => {
    const item = parseArchivedItem({
      id: 'tm-conv-1', product: 'att-network', kind: 'sms', archivedAt: '2026-11-20T14:03:07Z', sentAt: '2026-11-20T14:02:55Z',
      direction: 'outbound', account: { phone: '+12025550143', email: 'ana.diaz@contoso.com' },
      conversation: { id: 'c-1', type: 'direct', title: null },
      from: { phone: '+12025550143', email: 'ana.diaz@contoso.com', displayName: 'Ana Diaz' },
      to: [{ phone: '+13105550100' }], text: 'Running <10> min late & sorry', attachments: [],
    });
    const id = await writer.createMessage(ANA.id, folderId, toGraphMessage(item).createBody);

    const message = fx.messages(ANA, 'SMS').find((m) => m.id === id);
    assert.equal(message?.isDraft, false);
    assert.equal((await fx.requests()).filter((e) => e.status >= 400).length, 0);
  });

  test('findBySourceItemId finds a created message by the extended property, also for ids with quotes, & and +', async () => {
    const plain = await writer.createMessage(ANA.id, folderId, deliveredMessage('tm-find-1'));
    const awkwardId = "tm-o'neil&co/+1 #2";
    const awkward = await writer.createMessage(ANA.id, folderId, deliveredMessage(awkwardId));

    assert.deepEqual(await writer.findBySourceItemId(ANA.id, folderId, 'tm-find-1'), { id: plain });
    assert.deepEqual(await writer.findBySourceItemId(ANA.id, folderId, awkwardId), { id: awkward });
    assert.equal(await writer.findBySourceItemId(ANA.id, folderId, 'tm-never-created'), undefined);
    const otherFolder = await writer.ensureFolder(ANA.id, 'Elsewhere');
    assert.equal(await writer.findBySourceItemId(ANA.id, otherFolder, 'tm-find-1'), undefined, 'the search stays in the folder');
  });

  test('a create whose answer is lost after it took effect (503, then a dropped connection) makes one message', async () => {
    fx.sim.faults.add({ kind: 'status-503', phase: 'after', match: { method: 'POST', pathIncludes: '/messages' }, times: 1, retryAfterSeconds: 0 });
    const first = await writer.createMessage(ANA.id, folderId, deliveredMessage('tm-lost-503'));
    fx.sim.faults.add({ kind: 'reset', phase: 'after', match: { method: 'POST', pathIncludes: '/messages' }, times: 1 });
    const second = await writer.createMessage(ANA.id, folderId, deliveredMessage('tm-lost-reset'));

    assert.equal(fx.sim.stats.faultsInjected >= 2, true);
    for (const [sourceId, id] of [['tm-lost-503', first], ['tm-lost-reset', second]] as const) {
      const copies = fx.messages(ANA, 'SMS').filter((m) => m.singleValueExtendedProperties.some((p) => p.value === sourceId));
      assert.deepEqual(copies.map((m) => m.id), [id], `${sourceId}: one message, and its id is the one returned`);
    }
  });

  test('429 and 503 answers are retried after their Retry-After', async () => {
    fx.sim.faults.add({ kind: 'status-503', match: { method: 'GET', pathIncludes: '/mailFolders' }, times: 1, retryAfterSeconds: 1 });
    fx.sim.faults.add({ kind: 'status-429', match: { method: 'POST', pathIncludes: '/mailFolders/' }, times: 1, retryAfterSeconds: 1 });
    fx.sim.faults.add({ kind: 'status-503', match: { method: 'POST', pathIncludes: '/attachments' }, times: 1, retryAfterSeconds: 1 });

    const fresh = fx.writer();
    const id = await fresh.ensureFolder(ANA.id, 'Throttled');
    const messageId = await fresh.createMessage(ANA.id, id, deliveredMessage('tm-throttled'));
    await fresh.addAttachment(ANA.id, messageId, memoryAttachment('note.txt', Buffer.from('hello')));

    const message = fx.messages(ANA, 'Throttled');
    assert.equal(message.length, 1);
    assert.equal(message[0]?.attachments.length, 1);
    const entries = await fx.requests();
    for (const [method, part] of [['GET', '/mailFolders'], ['POST', `/mailFolders/${id}/messages`], ['POST', '/attachments']] as const) {
      const faulted = entries.findIndex((e) => e.method === method && decodeURIComponent(e.path).includes(part) && e.fault !== undefined);
      assert.ok(faulted >= 0, `${method} ${part} met its fault`);
      const retry = entries.slice(faulted + 1).find((e) => e.method === method && decodeURIComponent(e.path).includes(part));
      assert.ok(retry && retry.status < 300, `${method} ${part} was repeated and succeeded`);
      const waited = Date.parse(retry.time) - Date.parse(entries[faulted]?.time ?? '');
      assert.ok(waited >= 1000, `${method} ${part} waited ${waited} ms, at least the 1 s Retry-After`);
    }
  });
});

describe('GraphMailboxWriter: attachments', () => {
  let fx: GraphFixture;
  before(async () => {
    fx = await GraphFixture.start();
  });
  afterEach(() => fx.sim.faults.clear());
  after(async () => {
    await fx?.close();
  });

  test('small attachments are sent inline', async () => {
    const writer = fx.writer();
    const folderId = await writer.ensureFolder(BEN.id, 'Inline');
    const messageId = await writer.createMessage(BEN.id, folderId, deliveredMessage('tm-inline'));
    const bytes = bytesOf(10_000);
    await writer.addAttachment(BEN.id, messageId, memoryAttachment('photo.jpg', bytes, 'image/jpeg'));

    const [message] = fx.messages(BEN, 'Inline');
    assert.deepEqual(message?.attachments.map((a) => [a.name, a.size, a.sha256, a.contentType]), [['photo.jpg', 10_000, sha256(bytes), 'image/jpeg']]);
    const entries = await fx.requests();
    const post = matching(entries, 'POST', `/messages/${messageId}/attachments`);
    assert.equal(post.length, 1);
    assert.deepEqual((post[0]?.body as { contentBytes?: unknown }).contentBytes, { omittedBytes: 10_000 });
    assert.equal(matching(entries, 'POST', 'createUploadSession').length, 0);
  });

  test('an inline attachment whose answer is lost after it was added (503, then a dropped connection) is added once', async () => {
    const writer = fx.writer();
    const folderId = await writer.ensureFolder(BEN.id, 'Inline lost');
    const messageId = await writer.createMessage(BEN.id, folderId, deliveredMessage('tm-inline-lost'));
    fx.sim.faults.add({ kind: 'status-503', phase: 'after', match: { method: 'POST', pathIncludes: '/attachments' }, times: 1, retryAfterSeconds: 0 });
    await writer.addAttachment(BEN.id, messageId, memoryAttachment('a.jpg', bytesOf(2_000), 'image/jpeg'));
    fx.sim.faults.add({ kind: 'reset', phase: 'after', match: { method: 'POST', pathIncludes: '/attachments' }, times: 1 });
    await writer.addAttachment(BEN.id, messageId, memoryAttachment('b.jpg', bytesOf(3_000), 'image/jpeg'));
    fx.sim.faults.add({ kind: 'status-429', match: { method: 'POST', pathIncludes: '/attachments' }, times: 1, retryAfterSeconds: 0 });
    await writer.addAttachment(BEN.id, messageId, memoryAttachment('c.jpg', bytesOf(4_000), 'image/jpeg'));

    const [message] = fx.messages(BEN, 'Inline lost');
    assert.deepEqual(message?.attachments.map((a) => a.name).sort(), ['a.jpg', 'b.jpg', 'c.jpg']);
  });

  test('a 40 MB attachment goes through an upload session in chunks of at most 4 MiB, without Authorization', async () => {
    const writer = fx.writer();
    const folderId = await writer.ensureFolder(ANA.id, 'Large');
    const messageId = await writer.createMessage(ANA.id, folderId, deliveredMessage('tm-large'));
    const bytes = bytesOf(40 * MiB + 12_345);
    await writer.addAttachment(ANA.id, messageId, memoryAttachment('site-visit.mp4', bytes, 'video/mp4'));

    const [message] = fx.messages(ANA, 'Large');
    assert.deepEqual(message?.attachments.map((a) => [a.name, a.size, a.sha256]), [['site-visit.mp4', bytes.length, sha256(bytes)]]);
    const entries = await fx.requests();
    assert.equal(matching(entries, 'POST', 'createUploadSession').length, 1);
    const puts = matching(entries, 'PUT', 'AttachmentSessions');
    assert.equal(puts.length, Math.ceil(bytes.length / (12 * 320 * 1024)));
    for (const put of puts) assert.ok((put.body as { omittedBytes: number }).omittedBytes <= 4 * MiB);
    assert.deepEqual(puts.map((p) => p.status), [...puts.slice(1).map(() => 200), 201], 'every chunk accepted; an Authorization header would be 401');
    assert.ok(!(await fx.requestLogText()).includes(GRAPH_TEST_TOKEN));
  });

  test('an upload chunk whose answer is lost after it was stored is not sent twice: the upload carries on from the next expected byte', async () => {
    const writer = fx.writer();
    const folderId = await writer.ensureFolder(BEN.id, 'Resumed');
    const messageId = await writer.createMessage(BEN.id, folderId, deliveredMessage('tm-resumed'));
    const bytes = bytesOf(10 * MiB + 1, 3);
    fx.sim.faults.add({ kind: 'reset', phase: 'after', match: { method: 'PUT' }, times: 1 });
    fx.sim.faults.add({ kind: 'status-503', phase: 'after', match: { method: 'PUT' }, times: 1, retryAfterSeconds: 0 });

    await writer.addAttachment(BEN.id, messageId, memoryAttachment('scan.pdf', bytes, 'application/pdf'));

    const [message] = fx.messages(BEN, 'Resumed');
    assert.deepEqual(message?.attachments.map((a) => [a.size, a.sha256]), [[bytes.length, sha256(bytes)]]);
    const puts = matching(await fx.requests(), 'PUT', 'AttachmentSessions');
    assert.equal(puts.filter((p) => p.fault !== undefined).length, 2);
    assert.ok(puts.some((p) => p.status === 416), 'the repeated chunk was refused with the range the session expects');
  });

  test('a last upload chunk whose answer is lost is found on the message', async () => {
    const writer = fx.writer();
    const folderId = await writer.ensureFolder(BEN.id, 'Last chunk');
    const messageId = await writer.createMessage(BEN.id, folderId, deliveredMessage('tm-last-chunk'));
    // One chunk: the chunk that fails is the last one, after which the session is gone.
    const bytes = bytesOf(3 * MiB + 5, 5);
    fx.sim.faults.add({ kind: 'reset', phase: 'after', match: { method: 'PUT' }, times: 1 });
    await writer.addAttachment(BEN.id, messageId, memoryAttachment('last.bin', bytes));
    assert.equal(fx.messages(BEN, 'Last chunk')[0]?.attachments.length, 1);
  });

  test('listAttachments names the attachments without their content', async () => {
    const writer = fx.writer();
    const folderId = await writer.ensureFolder(BEN.id, 'Listed');
    const messageId = await writer.createMessage(BEN.id, folderId, deliveredMessage('tm-listed'));
    await writer.addAttachment(BEN.id, messageId, memoryAttachment('a.txt', Buffer.from('a')));
    assert.deepEqual((await writer.listAttachments(BEN.id, messageId)).map((a) => a.name), ['a.txt']);
  });
});

describe('GraphMailboxWriter: mailbox concurrency (simulator in its own process, so requests truly overlap)', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'graph-writer-process-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * Twenty-four messages with a 1 MiB attachment each, all at once, plus mailbox probes of the
   * directory. The simulator holds each request as Exchange does (at a tenth of its latency): without that, a loaded machine could
   * answer each request before the next arrived, and the 16-at-once control would see no overlap.
   */
  async function burst(sim: SimulatorProcess, limiter?: KeyedLimiter): Promise<void> {
    const client = GraphFixture.client(sim);
    const writer = new GraphMailboxWriter({ client, sourceItemIdPropertyId: sourceItemIdPropertyId(), retry: RETRY_BUDGETS.import.with({ baseDelayMs: 10, maxAttempts: 30 }), ...(limiter ? { limiter } : {}) });
    const directory = new GraphUserDirectory(client);
    const folderId = await writer.ensureFolder(ANA.id, 'Busy');
    const payload = bytesOf(MiB, 9);
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 24; i++) {
      work.push(
        writer.createMessage(ANA.id, folderId, deliveredMessage(`tm-busy-${i}`)).then((id) => writer.addAttachment(ANA.id, id, memoryAttachment(`a-${i}.bin`, payload))),
      );
      if (i % 4 === 0) work.push(directory.resolve(ANA.userPrincipalName));
    }
    await Promise.all(work);
  }

  test('never more than 4 requests in flight per mailbox: the simulator (limit 4) never throttles the writer and the directory probe', async () => {
    const sim = await SimulatorProcess.start({ users: USERS, dataDir: path.join(dataDir, 'four'), latency: { scale: 0.1, seed: 7 } });
    try {
      await burst(sim);
      const stats = await sim.stats();
      assert.equal(stats.throttled, 0, `no 429 ApplicationThrottled (answers: ${JSON.stringify(stats.byStatus)})`);
      assert.equal(stats.byStatus['201'], 1 + 24 * 2, 'the folder, 24 messages and 24 attachments');
      assert.ok((stats.byStatus['200'] ?? 0) >= 6, 'the mailbox probes ran alongside');
    } finally {
      await sim.stop();
    }
  });

  test('the check can fail: a writer allowed 16 at once is throttled by the same simulator, and its retries still make each message once', async () => {
    const sim = await SimulatorProcess.start({ users: USERS, dataDir: path.join(dataDir, 'sixteen'), latency: { scale: 0.1, seed: 7 } });
    try {
      await burst(sim, new KeyedLimiter(16));
      const stats = await sim.stats();
      assert.ok(stats.throttled > 0, 'the burst exceeds 4 in flight without the limiter');
      assert.equal(stats.byStatus['201'], 1 + 24 * 2, 'throttled creates were repeated, not duplicated');
    } finally {
      await sim.stop();
    }
  });
});

describe('GraphUserDirectory', () => {
  let fx: GraphFixture;
  before(async () => {
    fx = await GraphFixture.start();
  });
  after(async () => {
    await fx?.close();
  });

  test('resolves principal names, mail, SMTP aliases (a + included) and tells disabled accounts and missing mailboxes apart', async () => {
    const directory = new GraphUserDirectory(fx.client);
    assert.deepEqual(await directory.resolve('ana.diaz@contoso.com'), { status: 'valid', userId: ANA.id, userPrincipalName: ANA.userPrincipalName });
    assert.deepEqual(await directory.resolve('ANA+SMS@contoso.com'), { status: 'valid', userId: ANA.id, userPrincipalName: ANA.userPrincipalName });
    assert.deepEqual(await directory.resolve('nobody@contoso.com'), { status: 'not-found' });
    assert.deepEqual(await directory.resolve(CARA.userPrincipalName), { status: 'account-disabled', userId: CARA.id, userPrincipalName: CARA.userPrincipalName });
    assert.deepEqual(await directory.resolve(DAN.userPrincipalName), { status: 'no-mailbox', userId: DAN.id, userPrincipalName: DAN.userPrincipalName });
    assert.deepEqual(await directory.resolve("o'hara&co@contoso.com"), { status: 'not-found' });
    assert.equal((await fx.requests()).filter((e) => e.status === 400).length, 0);
  });
});
