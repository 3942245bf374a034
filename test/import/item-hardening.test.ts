import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExportedMessage } from '../../dev/simulators/graph';
import { DELIVERY_TIME_PROPERTY_ID, SOURCE_HEADER_NAMES, sourceItemIdPropertyId } from '../../shared/conversion';
import { ANA } from '../graph-writer/graph-fixture';
import { ANA_PARTY, FOLDER, ImportFixture, smsItem } from './import-fixture';

/**
 * What breaking the product found in the import stage (issue #10), each through the real path:
 * the import service against Azurite and the Graph simulator.
 */
describe('Import stage hardening (Azurite, Graph simulator)', () => {
  let fx: ImportFixture;
  before(async () => {
    fx = await ImportFixture.start();
  });
  after(async () => {
    await fx?.close();
  });

  function property(message: ExportedMessage | undefined, id: string): string | undefined {
    return message?.singleValueExtendedProperties.find((p) => p.id.toLowerCase() === id.toLowerCase())?.value;
  }
  function copiesOf(itemId: string): ExportedMessage[] {
    return fx.graph.messages(ANA, FOLDER).filter((m) => property(m, sourceItemIdPropertyId()) === itemId);
  }

  test('defect 3: the source-id look-up trusts only an exact match, so tm-case is imported although tm-Case is there', async () => {
    const upper = await fx.store(smsItem({ id: 'tm-Case' }));
    assert.equal((await fx.service().importBlob(upper.blobName, upper.bytes)).status, 'imported');
    const lower = await fx.store(smsItem({ id: 'tm-case' }));
    // A previous attempt for tm-case recorded `pending` and was lost before Graph answered.
    await fx.imports.createDelivery({ connectorId: fx.connector.id, itemId: 'tm-case', userId: ANA.id, status: 'pending', attempts: 1, updatedAt: new Date().toISOString() });

    const outcome = await fx.service().importBlob(lower.blobName, lower.bytes);

    assert.equal(outcome.status, 'imported');
    assert.equal(copiesOf('tm-case').length, 1, 'tm-case reached the mailbox');
    assert.equal(copiesOf('tm-Case').length, 1, 'tm-Case is left as it was');
    assert.notEqual(outcome.mailboxes[0]?.messageId, copiesOf('tm-Case')[0]?.id);
  });

  test('defect 2: a 40,000-character display name and 300 unmapped numbers still leave a bounded outcome record; the name is cut visibly', async () => {
    const longName = 'N'.repeat(40_000);
    const item = smsItem({
      from: { ...ANA_PARTY, displayName: longName },
      to: Array.from({ length: 300 }, (_, i) => ({ phone: `+1310555${String(1000 + i).padStart(4, '0')}`, displayName: `Outsider ${i} ${'x'.repeat(200)}` })),
    });
    const { blobName, bytes, itemId } = await fx.store(item);

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported');
    const recorded = await fx.imports.getOutcome(fx.connector.id, itemId);
    assert.equal(recorded?.status, 'imported', 'the outcome was written');
    assert.ok(JSON.stringify(recorded).length < 32_000, 'the record fits one table property with room to spare');
    assert.equal((recorded as { unmappedTotal?: number } | undefined)?.unmappedTotal, 300, 'the record says how many participants are unmapped');
    assert.ok((recorded?.unmapped.length ?? 0) < 300, 'but lists only the first of them');
    const message = copiesOf(itemId)[0] as (ExportedMessage & { from?: { emailAddress?: { name?: string } } }) | undefined;
    const shownName = message?.from?.emailAddress?.name ?? '';
    assert.ok(shownName.length < 1_000, `the display name is capped (${shownName.length} characters)`);
    assert.match(shownName, /…/, 'and the cut is visible');
  });

  test('defect 4: a bad participant identifier is that participant\'s reason; the item is imported for the valid participants', async () => {
    const item = smsItem({
      to: [{ email: 'bob@localhost' }, { email: 'ben.ng@contoso.com ' }, { phone: '+1310555\u00070199' }],
    });
    const { blobName, bytes, itemId } = await fx.store(item);

    const outcome = await fx.service().importBlob(blobName, bytes);

    assert.equal(outcome.status, 'imported', outcome.reason);
    assert.equal(copiesOf(itemId).length, 1, "the item is in Ana's mailbox");
    const reasons = outcome.unmapped.map((u) => u.reason).join('\n');
    assert.match(reasons, /to\[0\]\.email.*email address/);
    assert.match(reasons, /to\[1\]\.email/);
    assert.match(reasons, /to\[2\]\.phone.*control character/);
  });

  test('defect 8: a sentAt before 1601 or far in the future is filed at the archived time, the original kept in a header and shown in the body', async () => {
    for (const sentAt of ['1600-12-31T23:59:59Z', '2999-01-01T00:00:00Z']) {
      const { blobName, bytes, itemId } = await fx.store(smsItem({ sentAt }));

      const outcome = await fx.service().importBlob(blobName, bytes);

      assert.equal(outcome.status, 'imported', `${sentAt}: ${outcome.reason ?? ''}`);
      const message = copiesOf(itemId)[0] as (ExportedMessage & { internetMessageHeaders?: Array<{ name: string; value: string }>; body?: { content?: string } }) | undefined;
      assert.equal(property(message, DELIVERY_TIME_PROPERTY_ID)?.slice(0, 19), '2026-11-20T14:03:07', `${sentAt}: filed at archivedAt`);
      assert.equal(message?.internetMessageHeaders?.find((h) => h.name.toLowerCase() === SOURCE_HEADER_NAMES.sentAt)?.value, sentAt);
      assert.match(message?.body?.content ?? '', new RegExp(sentAt.slice(0, 4)), 'the body shows the time as captured');
    }
  });
});
