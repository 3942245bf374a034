/**
 * End to end through the local host: two connectors on the same TeleMessage items, one fetching
 * from the archive API, one on the EML transport (the demo delivers TeleMessage's export ZIP into
 * its drop folder, the `importEmlDrop` blob function takes it). Every item reaches the same
 * mailboxes once through each, and the two copies look alike.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runDemoCycle } from '../../dev/demo/demo-cycle';
import { startTestAzurite } from '../support/test-azurite';
import { readGraphExport, type ExportedItemCopy } from '../../dev/demo/graph-export';
import { assertCopiesMatchItems, assertExactlyOnce, rebaseOffsetFromCopies, type ExpectedItem } from './end-state';
import { ANA, ATT_FOLDER, AttScenarioBuilder, BEN, DANA, E2E_PASSWORD, E2E_USERNAME, JORDAN, SAM, makeWorkdir, randomFile, writeAttScenario, type GeneratedScenario } from './e2e-scenario';

const EML_FOLDER = 'TeleMessage EML exports';
/** The Message-ID domain the simulator's export writes; the EML transport's item id is the Message-ID. */
const EML_ID = (id: string): string => `${id}@archive.telemessage.invalid`;

describe('the EML transport end to end', () => {
  const builder = new AttScenarioBuilder();
  let scenario: GeneratedScenario;
  let work: { dir: string; remove(): Promise<void> };

  before(async () => {
    builder.sms(ANA, [JORDAN], 'Running 10 min late');
    builder.sms(JORDAN, [ANA], 'No worries');
    builder.mms(DANA, [BEN], 'Floor plan, final', [randomFile('floor-plan.pdf', 300_000, 'application/pdf')]);
    builder.sms(BEN, [SAM, DANA], 'Group hello');
    scenario = await writeAttScenario(builder, 'e2e-api');
    const connectors = [
      { id: 'e2e-api', product: 'att-network', username: E2E_USERNAME, password: E2E_PASSWORD, autoMapping: true, defaultRegion: 'US' },
      { id: 'e2e-eml', product: 'att-network', username: E2E_USERNAME, password: E2E_PASSWORD, autoMapping: true, defaultRegion: 'US', folderName: EML_FOLDER, transport: 'eml-drop' },
    ];
    await writeFile(path.join(scenario.dir, 'connectors.json'), JSON.stringify(connectors, null, 2));
    work = await makeWorkdir();
  });
  after(async () => {
    await scenario?.remove();
    await work?.remove();
  });

  test('imports the export ZIP once into every mapped mailbox, with copies like the archive API\'s', async () => {
    const lines: string[] = [];
    const result = await runDemoCycle({ scenarioDir: scenario.dir, workdir: work.dir, azurite: await startTestAzurite(), drainTimeoutMs: 120_000, log: (line) => lines.push(line) });
    assert.ok(lines.some((line) => /Delivered 4 message\(s\) of connector e2e-eml as eml-drop\/e2e-eml\/\d{8}0000-TeleMessage_1_\d{6}\.zip/.test(line)), lines.join('\n'));

    const viaApi: ExpectedItem[] = builder.items.map((p) => ({ item: p.item, mailboxes: p.mailboxes, folder: ATT_FOLDER }));
    const viaEml: ExpectedItem[] = builder.items.map((p) => ({ item: { ...p.item, id: EML_ID(p.item.id) }, mailboxes: p.mailboxes, folder: EML_FOLDER }));
    const copies = assertExactlyOnce(await readGraphExport(result.graphDir), [...viaApi, ...viaEml]);
    const offset = rebaseOffsetFromCopies(copies, viaApi);
    await assertCopiesMatchItems(result.graphDir, copies.filter((c) => c.folder === ATT_FOLDER), viaApi, offset);
    await assertCopiesMatchItems(result.graphDir, copies.filter((c) => c.folder === EML_FOLDER), viaEml, offset);

    // What a reader sees is the same through both transports, but for four rows of the details
    // table that an EML cannot carry as the API does: TeleMessage's conversation id, the archive
    // time (an EML has only its Date), the source id (the EML's Message-ID), and the hash of the
    // raw item as archived (a different record of the same message).
    const transportRows = /<tr><th[^>]*>(?:Conversation|Archived|Source item id|Item SHA-256)<\/th>.*<\/tr>\n/g;
    const visible = (copy: ExportedItemCopy): unknown => ({
      mailbox: copy.userPrincipalName,
      subject: copy.message.subject,
      from: copy.message.from,
      toRecipients: copy.message.toRecipients,
      body: String((copy.message.body as { content?: unknown } | undefined)?.content).replace(transportRows, ''),
      attachments: copy.message.attachments.map((a) => [a.name, a.contentType, a.size, a.sha256]),
    });
    for (const planned of builder.items) {
      for (const mailbox of planned.mailboxes) {
        const api = copies.find((c) => c.itemId === planned.item.id && c.userPrincipalName === mailbox);
        const eml = copies.find((c) => c.itemId === EML_ID(planned.item.id) && c.userPrincipalName === mailbox);
        assert.ok(api && eml, `${planned.item.id} in ${mailbox} through both transports`);
        assert.deepEqual(visible(eml), visible(api), `${planned.item.id} in ${mailbox}`);
      }
    }
  });
});
