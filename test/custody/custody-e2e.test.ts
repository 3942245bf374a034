/**
 * End to end through the local host: a day imported by the pipeline reconciles, its manifest is
 * written once and every copy verifies; then a copy deleted from a mailbox, a copy whose body was
 * edited there, and an item TeleMessage lists that the archive does not hold are each reported,
 * naming the item and the mailbox.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAdminServices, loadAdminSettings } from '../../shared/app/services';
import type { AdminServices } from '../../shared/admin/admin-services';
import { verifyDay } from '../../shared/custody/copy-verifier';
import { dayOf, nextDay } from '../../shared/custody/day-reconciliation';
import { RecordingTelemetry } from '../../shared/platform/telemetry/telemetry';
import type { DayManifest } from '../../shared/custody/day-manifest';
import { ANA, AttScenarioBuilder, BEN, DANA, SAM, makeWorkdir, randomFile, writeAttScenario, type GeneratedScenario } from '../e2e/e2e-scenario';
import { E2ePipeline } from '../e2e/pipeline-fixture';

describe('custody: reconciliation, manifest and verify', () => {
  const builder = new AttScenarioBuilder();
  let scenario: GeneratedScenario;
  let work: { dir: string; remove(): Promise<void> };
  let pipeline: E2ePipeline;
  let admin: AdminServices;
  let connectorId: string;

  before(async () => {
    builder.sms(ANA, [DANA], 'Numbers for the board pack are final');
    builder.mms(BEN, [SAM], 'Signed copy attached', [randomFile('signed.pdf', 40_000, 'application/pdf')]);
    builder.sms(DANA, [ANA, BEN], 'Thanks both');
    scenario = await writeAttScenario(builder);
    work = await makeWorkdir();
    pipeline = await E2ePipeline.start(scenario.dir, work.dir);
    connectorId = scenario.connectors[0]!.id;
    await pipeline.startHost();
    await pipeline.fire();
    await pipeline.drain();
    const env = pipeline.appSettings();
    admin = createAdminServices(loadAdminSettings(env), { env, localSettingsFile: path.join(work.dir, 'local.settings.json') });
  });
  after(async () => {
    await pipeline?.stop();
    await scenario?.remove();
    await work?.remove();
  });

  test('a clean day reconciles, its manifest holds every item with its hash and copies, and every copy verifies', async () => {
    const served = pipeline.environment.teleMessage.items('att-network');
    const day = dayOf(served[0]!.archivedAt);
    assert.ok(served.every((item) => dayOf(item.archivedAt) === day), 'the scenario is one UTC day');

    const record = await admin.reconciler().reconcileDay(connectorId, day);
    assert.deepEqual(record.problems, []);
    assert.equal(record.reconciled, true);
    assert.deepEqual(record.counts, { listed: 3, stored: 3, copiesExpected: 6, copiesImported: 6, unmapped: 0, quarantined: 0, failed: 0, pending: 0 });
    assert.ok(record.manifest);

    const stored = await admin.manifests.read(connectorId, day);
    assert.ok(stored);
    assert.equal(createHash('sha256').update(stored.bytes).digest('hex'), record.manifest.sha256);
    const manifest = JSON.parse(stored.bytes.toString('utf8')) as DayManifest;
    const items = admin.items;
    for (const entry of manifest.items) {
      const bytes = await items.getBlobClient(entry.blobName).downloadToBuffer();
      assert.equal(entry.sha256, createHash('sha256').update(bytes).digest('hex'), `${entry.itemId}: the manifest's hash is the archived item's`);
      assert.equal(entry.copies.length, entry.copiesExpected);
    }
    const mms = manifest.items.find((i) => i.attachments.length === 1);
    assert.equal(mms?.attachments[0]?.sha256, builder.items[1]!.item.attachments[0]!.sha256);

    // A second run keeps the manifest written first: it is write-once.
    const again = await admin.reconciler().reconcileDay(connectorId, day);
    assert.equal(again.manifest?.sha256, record.manifest.sha256);

    const verified = await verifyDay({ connectorId, day }, { connectors: admin.connectors, manifests: admin.manifests, reader: admin.copyReader()! });
    assert.deepEqual(verified.differences, []);
    assert.equal(verified.checked, 6);
    const telemetry = new RecordingTelemetry();
    await admin.reconciler({ telemetry, graceHours: 6, clock: () => new Date(Date.parse(`${nextDay(day)}T07:00:00Z`)) }).reconcileDue();
    assert.deepEqual(telemetry.metrics, [{ name: 'UnreconciledDays', value: 0, dimensions: { connectorId } }], 'a reconciled day is not overdue');
    const sampled = await verifyDay({ connectorId, day, sample: 2 }, { connectors: admin.connectors, manifests: admin.manifests, reader: admin.copyReader()! });
    assert.equal(sampled.checked, 2);
  });

  test('a deleted copy, an edited body and an item listed but not archived are each reported by item and mailbox', async () => {
    const served = pipeline.environment.teleMessage.items('att-network');
    const day = dayOf(served[0]!.archivedAt);
    const manifest = JSON.parse((await admin.manifests.read(connectorId, day))!.bytes.toString('utf8')) as DayManifest;
    const [first, second] = manifest.items;
    const deleted = first!.copies[0]!;
    const edited = second!.copies[0]!;
    assert.ok(pipeline.environment.graph.deleteMessage(deleted.userPrincipalName, deleted.messageId));
    assert.ok(pipeline.environment.graph.editMessageBody(edited.userPrincipalName, edited.messageId, '<html><body><p>Nothing to see here</p></body></html>'));

    const verified = await verifyDay({ connectorId, day }, { connectors: admin.connectors, manifests: admin.manifests, reader: admin.copyReader()! });
    assert.deepEqual(
      verified.differences.map((d) => [d.itemId, d.mailbox, d.problem]).sort(),
      [
        [first!.itemId, deleted.userPrincipalName, 'copy missing from the mailbox'],
        [second!.itemId, edited.userPrincipalName, 'body differs from the body imported'],
      ].sort(),
    );

    // TeleMessage now lists an item of the same day that the archive never received.
    const late = pipeline.environment.teleMessage.capture('att-network', { ...structuredClone(builder.items[0]!.item), id: 'tm-late-unarchived', archivedAt: served[0]!.archivedAt });
    const record = await admin.reconciler().reconcileDay(connectorId, day);
    assert.equal(record.reconciled, false);
    assert.equal(record.counts.listed, 4);
    assert.equal(record.counts.stored, 3);
    assert.deepEqual(record.problems, [{ itemId: late.id, problem: 'listed by TeleMessage but not in the archive' }]);
    assert.equal((await admin.reconciliations.get(connectorId, day))?.reconciled, false);
  });

  test('a day not reconciled hours after it ended counts in the UnreconciledDays metric the alert reads', async () => {
    const day = dayOf(pipeline.environment.teleMessage.items('att-network')[0]!.archivedAt);
    const telemetry = new RecordingTelemetry();
    // Seven hours after the day ended; the fetch stage has not passed its end (the checkpoint is today).
    const clock = (): Date => new Date(Date.parse(`${nextDay(day)}T07:00:00Z`));
    const [summary] = await admin.reconciler({ telemetry, graceHours: 6, clock }).reconcileDue();
    assert.deepEqual(summary?.overdueDays, [day], 'the day found not reconciled above is overdue');
    assert.deepEqual(telemetry.metrics, [{ name: 'UnreconciledDays', value: 1, dimensions: { connectorId } }]);
    const [within] = await admin.reconciler({ telemetry: new RecordingTelemetry(), graceHours: 8, clock }).reconcileDue();
    assert.deepEqual(within?.overdueDays, [], 'within the grace period a day is not overdue');
  });
});
