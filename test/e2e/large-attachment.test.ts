/**
 * End to end through the local host with attachments of every size class: a 40 MB video (upload
 * session, many chunks), a 3.2 MB file (upload session, two mailboxes) and a 2.5 MB photo (inline).
 * Each must land in every mapped mailbox with exactly the bytes TeleMessage served.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { runDemoCycle } from '../../dev/demo/demo-cycle';
import { startTestAzurite } from '../support/test-azurite';
import { attachmentFile, readGraphExport } from '../../dev/demo/graph-export';
import { assertCopiesMatchItems, assertExactlyOnce, rebaseOffsetFromCopies, type ExpectedItem } from './end-state';
import { ANA, ATT_FOLDER, AttScenarioBuilder, BEN, DANA, JORDAN, SAM, makeWorkdir, randomFile, writeAttScenario, type GeneratedScenario, type PlannedItem } from './e2e-scenario';

const MiB = 1024 * 1024;

describe('large attachments', () => {
  const builder = new AttScenarioBuilder();
  let video: PlannedItem;
  let scenario: GeneratedScenario;
  let work: { dir: string; remove(): Promise<void> };

  before(async () => {
    video = builder.mms(ANA, [JORDAN], 'Walkthrough of the new site', [randomFile('site-walkthrough.mp4', 40 * MiB, 'video/mp4')]);
    builder.mms(DANA, [BEN], 'Floor plan, final', [randomFile('floor-plan.pdf', 3_200_000, 'application/pdf')]);
    builder.mms(BEN, [SAM], 'Badge photo', [randomFile('badge.jpg', 2_500_000, 'image/jpeg')]);
    builder.sms(ANA, [DANA], 'The walkthrough is in your mailbox');
    scenario = await writeAttScenario(builder);
    work = await makeWorkdir();
  });
  after(async () => {
    await scenario?.remove();
    await work?.remove();
  });

  test('a 40 MB attachment lands whole (same SHA-256) in the mailbox, beside inline and upload-session ones', async () => {
    const result = await runDemoCycle({ scenarioDir: scenario.dir, workdir: work.dir, azurite: await startTestAzurite(), drainTimeoutMs: 120_000 });
    const [att] = result.report.connectors;
    assert.deepEqual(att?.failed, []);
    assert.deepEqual(att?.imported, { items: 4, messages: 6 });

    const expected: ExpectedItem[] = builder.items.map((p) => ({ item: p.item, mailboxes: p.mailboxes, folder: ATT_FOLDER }));
    const copies = assertExactlyOnce(await readGraphExport(result.graphDir), expected);
    await assertCopiesMatchItems(result.graphDir, copies, expected, rebaseOffsetFromCopies(copies, expected));

    const [source] = video.item.attachments;
    const [copy] = copies.filter((c) => c.itemId === video.item.id);
    assert.equal(copy?.userPrincipalName, 'ana.diaz@contoso.com');
    assert.deepEqual(
      copy?.message.attachments.map((a) => [a.name, a.size, a.sha256]),
      [['site-walkthrough.mp4', 40 * MiB, source!.sha256]],
    );
    const bytes = await readFile(attachmentFile(result.graphDir, 'ana.diaz@contoso.com', source!.sha256));
    assert.equal(bytes.length, 40 * MiB);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), source!.sha256);
  });
});
