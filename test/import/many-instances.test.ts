import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExportedMessage } from '../../dev/simulators/graph';
import { sourceItemIdPropertyId } from '../../shared/conversion';
import { RETRY_BUDGETS } from '../../shared/platform/resilience';
import type { ImportStore } from '../../shared/outcomes/import-store';
import type { ItemOutcome, MailboxDelivery } from '../../shared/outcomes/item-outcome';
import { ANA, BEN, bytesOf, sha256 } from '../graph-writer/graph-fixture';
import { BEN_BY_PHONE, DiesAfterCreate, FOLDER, ImportFixture, attachmentEntry, mmsItem, smsItem } from './import-fixture';
import { waitFor } from '../support/wait-for';

/**
 * Event Grid delivers each blob at least once, to any instance: one item can be imported by two
 * invocations at the same moment, in different processes. Each "instance" here is a service with
 * its own storage and Graph clients over the same Azurite account and Graph simulator, which
 * answers a create after a few hundred milliseconds, so the invocations overlap.
 */
describe('one item imported by several instances at once (Azurite, Graph simulator with latency)', () => {
  let fx: ImportFixture;
  before(async () => {
    const quick = { medianMs: 2, p95Ms: 5 };
    fx = await ImportFixture.start({
      latency: {
        profiles: {
          messageCreate: { medianMs: 400, p95Ms: 600 },
          attachmentAdd: { medianMs: 150, p95Ms: 250 },
          messageSearch: quick, folderLookup: quick, directoryLookup: quick, uploadSessionCreate: quick, uploadRange: quick, other: quick,
        },
        seed: 11,
      },
    });
  });
  afterEach(() => fx.graph.sim.faults.clear());
  after(async () => {
    await fx?.close();
  });

  function copiesOf(user: typeof ANA, itemId: string): ExportedMessage[] {
    return fx.graph.messages(user, FOLDER).filter(
      (m) => m.singleValueExtendedProperties.find((p) => p.id.toLowerCase() === sourceItemIdPropertyId().toLowerCase())?.value === itemId,
    );
  }

  async function createsOf(user: typeof ANA): Promise<number> {
    return (await fx.graph.requests()).filter((r) => r.method === 'POST' && r.mailbox === user.userPrincipalName && /\/mailFolders\/[^/]+\/messages$/.test(r.path)).length;
  }

  test('three instances import the same group MMS at the same instant: one copy per mailbox, each with its photo once, and no invocation fails', async () => {
    const photo = bytesOf(40_000, 31);
    const item = mmsItem([attachmentEntry('att-photo', 'IMG_0107.jpg', photo)], { to: [{ ...BEN_BY_PHONE }] });
    const { blobName, bytes, itemId } = await fx.store(item, { 'att-photo': photo });
    const createsBefore = (await createsOf(ANA)) + (await createsOf(BEN));

    const outcomes = await Promise.all([fx.otherInstance(), fx.otherInstance(), fx.otherInstance()].map((s) => s.importBlob(blobName, bytes)));

    assert.deepEqual(outcomes.map((o) => o.status), ['imported', 'imported', 'imported']);
    for (const user of [ANA, BEN]) {
      const copies = copiesOf(user, itemId);
      assert.equal(copies.length, 1, `one copy for ${user.userPrincipalName}`);
      assert.deepEqual(copies[0]?.attachments.map((a) => [a.name, a.sha256]), [['IMG_0107.jpg', sha256(photo)]]);
      const results = outcomes.map((o) => o.mailboxes.find((m) => m.userId === user.id));
      assert.deepEqual(results.map((r) => r?.status).sort(), ['alreadyImported', 'alreadyImported', 'imported'], 'one invocation made it, the others found it made');
      assert.ok(results.every((r) => r?.messageId === copies[0]?.id), 'all three name the one copy');
      const delivery = await fx.imports.getDelivery(fx.connector.id, itemId, user.id);
      assert.deepEqual([delivery?.status, delivery?.messageId, delivery?.leaseUntil], ['imported', copies[0]?.id, undefined]);
    }
    assert.equal((await createsOf(ANA)) + (await createsOf(BEN)) - createsBefore, 2, 'Graph was asked to create two messages, one per mailbox');
  });

  test('a holder that died after the create leaves its claim; the next invocation waits for it to expire, finds the copy and makes no second one', async () => {
    const { blobName, bytes, itemId } = await fx.store(smsItem());
    const dying = new DiesAfterCreate(fx.imports);
    // The instances' clock, moved on by the test past the dead holder's lease once the next
    // invocation has found the claim held: a lease of a few seconds on the wall clock could run
    // out on a loaded machine (the create alone takes 400 ms here) before anyone looked at it.
    let movedOnMs = 0;
    const clock = (): Date => new Date(Date.now() + movedOnMs);

    await assert.rejects(fx.otherInstance({ imports: dying, clock }).importBlob(blobName, bytes));
    assert.equal(dying.died, true);
    const [created] = copiesOf(ANA, itemId);
    assert.ok(created, 'the create took effect');
    const left = await fx.imports.getDelivery(fx.connector.id, itemId, ANA.id);
    assert.equal(left?.status, 'pending');
    assert.ok(left?.leaseUntil !== undefined && Date.parse(left.leaseUntil) > clock().getTime(), 'the claim is still held: nobody released it');
    const createsBefore = await createsOf(ANA);

    // The trigger delivers the blob again, to another instance, while the dead holder's claim holds.
    const watched = new SeesClaimsHeld(fx.imports, clock);
    const next = fx.otherInstance({ imports: watched, clock }).importBlob(blobName, bytes);
    await waitFor('the next invocation to find the claim held', () => (watched.held > 0 ? true : undefined));
    assert.equal(copiesOf(ANA, itemId).length, 1, 'nothing made while it waits');
    movedOnMs = Date.parse(left.leaseUntil) - Date.now() + 1;
    const outcome = await next;

    assert.equal(outcome.status, 'imported');
    assert.deepEqual(outcome.mailboxes.map((m) => [m.status, m.messageId]), [['imported', created.id]]);
    assert.deepEqual(copiesOf(ANA, itemId).map((m) => m.id), [created.id], 'exactly one copy');
    assert.equal(await createsOf(ANA), createsBefore, 'no second create');
    const delivery = await fx.imports.getDelivery(fx.connector.id, itemId, ANA.id);
    assert.deepEqual([delivery?.status, delivery?.messageId, delivery?.attempts], ['imported', created.id, 2]);
  });

  test('a holder whose create fails gives the claim up at once: the invocation waiting for it creates the copy', async () => {
    const { blobName, bytes, itemId } = await fx.store(smsItem());
    fx.graph.sim.faults.add({ kind: 'status-500', match: { method: 'POST', pathIncludes: '/messages' }, times: 1 });
    const holder = fx.otherInstance({ writer: { retry: RETRY_BUDGETS.import.with({ maxAttempts: 1 }) } }).importBlob(blobName, bytes);
    const failed = holder.then(() => undefined, (err: unknown) => err);
    await waitFor('the first invocation to claim the copy', async () => (await fx.imports.getDelivery(fx.connector.id, itemId, ANA.id)) ?? failedEarly(await Promise.race([failed, undefined])));

    // The lease (60 s) is far longer than the wait allowed: only the release lets it go on.
    const waiting = await fx.otherInstance({ deliveryWaitMs: 20_000 }).importBlob(blobName, bytes);

    assert.ok((await failed) instanceof Error, 'the holder failed');
    assert.equal(waiting.status, 'imported');
    assert.deepEqual(waiting.mailboxes.map((m) => m.status), ['imported']);
    assert.equal(copiesOf(ANA, itemId).length, 1);
  });

  test('an invocation that finds the copy claimed for longer than it may wait fails, naming the reason, and its retry finds the copy', async () => {
    const { blobName, bytes, itemId } = await fx.store(smsItem());
    const holder = fx.otherInstance().importBlob(blobName, bytes);
    await waitFor('the first invocation to claim the copy', () => fx.imports.getDelivery(fx.connector.id, itemId, ANA.id));

    const written: ItemOutcome[] = [];
    const busy = fx.otherInstance({ deliveryWaitMs: 1, imports: new KeepsOutcomes(fx.imports, written) }).importBlob(blobName, bytes);

    await assert.rejects(busy, { name: 'ItemImportFailedError' });
    assert.equal(written.at(-1)?.status, 'failed');
    assert.match(written.at(-1)?.mailboxes[0]?.error ?? '', /another invocation is importing this copy .*the trigger will retry/);
    assert.equal((await holder).status, 'imported');
    const retried = await fx.otherInstance().importBlob(blobName, bytes);
    assert.deepEqual(retried.mailboxes.map((m) => m.status), ['alreadyImported']);
    assert.equal(copiesOf(ANA, itemId).length, 1);
  });
});

function failedEarly(err: unknown): undefined {
  if (err !== undefined) throw new Error('the first invocation ended before its claim was seen', { cause: err });
  return undefined;
}

/** The real store, counting the reads of a copy's claim that found it held by another invocation. */
class SeesClaimsHeld implements ImportStore {
  held = 0;

  constructor(private readonly inner: ImportStore, private readonly clock: () => Date) {}

  getOutcome: ImportStore['getOutcome'] = (c, i) => this.inner.getOutcome(c, i);
  listOutcomes: ImportStore['listOutcomes'] = (c, s) => this.inner.listOutcomes(c, s);
  getDelivery: ImportStore['getDelivery'] = (c, i, u) => this.inner.getDelivery(c, i, u);
  createDelivery: ImportStore['createDelivery'] = (d) => this.inner.createDelivery(d);
  replaceDelivery: ImportStore['replaceDelivery'] = (d, e) => this.inner.replaceDelivery(d, e);
  putOutcome: ImportStore['putOutcome'] = (o) => this.inner.putOutcome(o);
  replaceDeliveryWithOutcome: ImportStore['replaceDeliveryWithOutcome'] = (d, e, o) => this.inner.replaceDeliveryWithOutcome(d, e, o);

  async readDelivery(key: Parameters<ImportStore['readDelivery']>[0]): ReturnType<ImportStore['readDelivery']> {
    const found = await this.inner.readDelivery(key);
    const until = found?.delivery.leaseUntil;
    if (found?.delivery.status === 'pending' && until !== undefined && Date.parse(until) > this.clock().getTime()) this.held += 1;
    return found;
  }
}

/** The real store, keeping a copy of each outcome written through it (another invocation may overwrite the row). */
class KeepsOutcomes implements ImportStore {
  constructor(private readonly inner: ImportStore, private readonly written: ItemOutcome[]) {}

  getOutcome: ImportStore['getOutcome'] = (c, i) => this.inner.getOutcome(c, i);
  listOutcomes: ImportStore['listOutcomes'] = (c, s) => this.inner.listOutcomes(c, s);
  getDelivery: ImportStore['getDelivery'] = (c, i, u) => this.inner.getDelivery(c, i, u);
  readDelivery: ImportStore['readDelivery'] = (k) => this.inner.readDelivery(k);
  createDelivery: ImportStore['createDelivery'] = (d) => this.inner.createDelivery(d);
  replaceDelivery: ImportStore['replaceDelivery'] = (d, e) => this.inner.replaceDelivery(d, e);

  async putOutcome(outcome: ItemOutcome): Promise<void> {
    this.written.push(structuredClone(outcome));
    await this.inner.putOutcome(outcome);
  }

  async replaceDeliveryWithOutcome(delivery: MailboxDelivery, etag: string, outcome: ItemOutcome): Promise<boolean> {
    this.written.push(structuredClone(outcome));
    return this.inner.replaceDeliveryWithOutcome(delivery, etag, outcome);
  }
}
