import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RequestCounter, storageHosts } from '../../dev/bench/request-counter';
import { DeliveryClaimLostError, DeliveryClaims } from '../../shared/outcomes/delivery-claim';
import type { ItemOutcome } from '../../shared/outcomes/item-outcome';
import { BEN_BY_PHONE, ImportFixture, smsItem } from './import-fixture';
import { ANA, BEN } from '../graph-writer/graph-fixture';

/**
 * An item with one mailbox (most SMS) has its copy's `imported` record and its outcome written in
 * one table transaction of the connector's partition: counted on the wire (every HTTP request to
 * Azurite's table endpoint), and all or nothing when the claim was lost.
 */
describe('the outcome written with the only copy\'s imported record', () => {
  let fx: ImportFixture;
  before(async () => {
    fx = await ImportFixture.start();
  });
  after(async () => fx?.close());

  /** The `imports` table's requests (and transactions) `work` sends, by `METHOD resource`. */
  async function importsRequests(work: () => Promise<unknown>): Promise<Record<string, number>> {
    const counter = new RequestCounter(storageHosts(fx.azurite.connectionString));
    try {
      await work();
    } finally {
      counter.stop();
    }
    return Object.fromEntries(Object.entries(counter.operations).filter(([operation]) => / imports|\$batch/.test(operation)));
  }

  test('a first delivery of an SMS for one mailbox: 3 requests on imports (outcome read, claim, one transaction), both records written', async () => {
    const service = fx.service();
    const warm = await fx.store(smsItem());
    await service.importBlob(warm.blobName, warm.bytes);
    const { blobName, bytes, itemId } = await fx.store(smsItem());

    let outcome: ItemOutcome | undefined;
    const requests = await importsRequests(async () => {
      outcome = await service.importBlob(blobName, bytes);
    });

    assert.deepEqual(requests, { 'table GET imports row': 1, 'table POST imports': 1, 'table POST $batch': 1 });
    assert.equal(outcome?.status, 'imported');
    const stored = await fx.imports.getOutcome(fx.connector.id, itemId);
    assert.deepEqual([stored?.status, stored?.mailboxes.map((m) => [m.status, m.messageId])], ['imported', [['imported', outcome?.mailboxes[0]?.messageId]]]);
    const delivery = await fx.imports.getDelivery(fx.connector.id, itemId, ANA.id);
    assert.deepEqual([delivery?.status, delivery?.messageId, delivery?.leaseUntil], ['imported', outcome?.mailboxes[0]?.messageId, undefined]);
  });

  test('an item for two mailboxes: each copy recorded on its own, then the outcome', async () => {
    const service = fx.service();
    const { blobName, bytes } = await fx.store(smsItem({ to: [{ ...BEN_BY_PHONE }] }));

    let outcome: ItemOutcome | undefined;
    const requests = await importsRequests(async () => {
      outcome = await service.importBlob(blobName, bytes);
    });

    assert.deepEqual(outcome?.mailboxes.map((m) => [m.userId, m.status]).sort(), [[ANA.id, 'imported'], [BEN.id, 'imported']].sort());
    assert.deepEqual(requests, { 'table GET imports row': 1, 'table POST imports': 2, 'table PUT imports row': 3 });
  });

  test('a claim taken over before the transaction: neither record is written, and completing fails', async () => {
    const claims = new DeliveryClaims(fx.imports);
    const key = { connectorId: fx.connector.id, itemId: `lost-${Date.now()}`, userId: ANA.id };
    const claimed = await claims.claim(key, { fresh: true });
    assert.equal(claimed.kind, 'claimed');
    // Another invocation writes the row meanwhile (as after this holder's lease ran out).
    const found = await fx.imports.readDelivery(key);
    assert.ok(found);
    await fx.imports.replaceDelivery({ ...found.delivery, holder: 'someone else', attempts: 2 }, found.etag);
    const outcome: ItemOutcome = {
      connectorId: key.connectorId, itemId: key.itemId, blobName: `${key.connectorId}/${key.itemId}.json`, status: 'imported',
      mailboxes: [{ userId: ANA.id, userPrincipalName: ANA.userPrincipalName, via: 'email', status: 'imported', messageId: 'm-1' }],
      unmapped: [], attempts: 1, firstProcessedAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
    };

    await assert.rejects(claimed.kind === 'claimed' ? claimed.claim.complete('m-1', outcome) : Promise.resolve(), DeliveryClaimLostError);

    assert.equal(await fx.imports.getOutcome(key.connectorId, key.itemId), undefined, 'the outcome was not written');
    const delivery = await fx.imports.getDelivery(key.connectorId, key.itemId, key.userId);
    assert.deepEqual([delivery?.status, delivery?.holder, delivery?.messageId], ['pending', 'someone else', undefined], 'the delivery is the other writer\'s');
  });
});
