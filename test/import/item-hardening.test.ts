import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExportedMessage } from '../../dev/simulators/graph';
import { sourceItemIdPropertyId } from '../../shared/conversion';
import { ANA } from '../graph-writer/graph-fixture';
import { FOLDER, ImportFixture, smsItem } from './import-fixture';

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
    await fx.imports.putDelivery({ connectorId: fx.connector.id, itemId: 'tm-case', userId: ANA.id, status: 'pending', attempts: 1, updatedAt: new Date().toISOString() });

    const outcome = await fx.service().importBlob(lower.blobName, lower.bytes);

    assert.equal(outcome.status, 'imported');
    assert.equal(copiesOf('tm-case').length, 1, 'tm-case reached the mailbox');
    assert.equal(copiesOf('tm-Case').length, 1, 'tm-Case is left as it was');
    assert.notEqual(outcome.mailboxes[0]?.messageId, copiesOf('tm-Case')[0]?.id);
  });
});
