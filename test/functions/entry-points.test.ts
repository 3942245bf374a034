/**
 * The three function entry points (functions/*.ts) called directly, each with an
 * `InvocationContext` built as the @azure/functions library's own tests build it (invocation id,
 * function name, trigger metadata, a log handler), in this process, on Azurite and both
 * simulators: the timer queues the window, the queue function fetches it with the dequeue count
 * the host would pass, and the blob function imports each stored item by the name the host would
 * pass. The end state is the pipeline's: every item once in every mapped mailbox.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { InvocationContext, type LogLevel, type Timer } from '@azure/functions';
import { Containers, Queues } from '../../shared/platform/storage/storage-names';
import { assertCopiesMatchItems, assertExactlyOnce, type ExpectedItem } from '../e2e/end-state';
import { ANA, ATT_FOLDER, AttScenarioBuilder, BEN, DANA, JORDAN, makeWorkdir, randomFile, writeAttScenario, type GeneratedScenario } from '../e2e/e2e-scenario';
import { E2ePipeline } from '../e2e/pipeline-fixture';

interface LoggedLine {
  level: LogLevel;
  text: string;
}

/** A context as the library's tests make one, its log lines kept for the assertions. */
function invocationContext(functionName: string, triggerMetadata: Record<string, unknown>): { context: InvocationContext; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    triggerMetadata,
    logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(' ') }),
  });
  return { context, lines };
}

describe('the function entry points, called with an InvocationContext', () => {
  const builder = new AttScenarioBuilder();
  let scenario: GeneratedScenario;
  let work: { dir: string; remove(): Promise<void> };
  let pipeline: E2ePipeline;
  const savedEnv = { ...process.env };

  before(async () => {
    builder.sms(ANA, [JORDAN], 'Running 10 min late & sorry <b>really</b>');
    builder.sms(JORDAN, [BEN], 'See you at the booth');
    builder.mms(DANA, [ANA, BEN], 'Booth plan', [randomFile('booth.png', 40_000, 'image/png')]);
    scenario = await writeAttScenario(builder);
    work = await makeWorkdir();
    pipeline = await E2ePipeline.start(scenario.dir, work.dir);
    // The app reads its settings from the environment once, when the first entry point loads.
    Object.assign(process.env, pipeline.appSettings());
  });

  after(async () => {
    process.env = savedEnv;
    await pipeline?.stop().catch(() => undefined);
    await scenario?.remove();
    await work?.remove();
  });

  test('scheduleFetch queues the due windows, fetchWindow stores their items, importItem delivers each once', async () => {
    const { scheduleFetch } = await import('../../functions/schedule-fetch.js');
    const { fetchWindow } = await import('../../functions/fetch-window.js');
    const { importItem } = await import('../../functions/import-item.js');
    const connectorId = scenario.connectors[0]!.id;

    const timer: Timer = { isPastDue: true, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
    const tick = invocationContext('scheduleFetch', {});
    await scheduleFetch(timer, tick.context);
    assert.equal(tick.lines.length, 1);
    const queuedLine = /^Connector (\S+): queued (\d+) fetch window\(s\), 0 already in flight \(past due\)$/.exec(tick.lines[0]!.text);
    assert.ok(queuedLine, tick.lines[0]!.text);
    assert.equal(tick.lines[0]!.level, 'information');
    assert.equal(queuedLine[1], connectorId);
    const windows = Number(queuedLine[2]);
    assert.ok(windows >= 1);

    // The queue messages, decoded as the host decodes them (base64, then JSON) for the handler.
    const queue = pipeline.environment.stores.storage.queue(Queues.fetchJobs);
    const { receivedMessageItems: messages } = await queue.receiveMessages({ numberOfMessages: 32 });
    assert.equal(messages.length, windows);
    const n = builder.items.length;
    let fetched = 0;
    for (const message of messages) {
      const job: unknown = JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8'));
      const fetch = invocationContext('fetchWindow', { dequeueCount: 1, id: message.messageId });
      await fetchWindow(job, fetch.context);
      assert.equal(fetch.lines.length, 1);
      const line = new RegExp(`^Connector ${connectorId} window \\S+ to \\S+: fetched (\\d+), stored (\\d+), already stored 0$`).exec(fetch.lines[0]!.text);
      assert.ok(line, fetch.lines[0]!.text);
      assert.equal(line[1], line[2], 'every fetched item is stored');
      fetched += Number(line[1]);
    }
    assert.equal(fetched, n);

    const items = pipeline.environment.stores.storage.blobs.getContainerClient(Containers.items);
    const names: string[] = [];
    for await (const blob of items.listBlobsFlat()) if (blob.name.endsWith('.json')) names.push(blob.name);
    assert.equal(names.length, n);
    for (const name of names) {
      const imported = invocationContext('importItem', { name, blobTrigger: `${Containers.items}/${name}` });
      await importItem(await items.getBlobClient(name).downloadToBuffer(), imported.context);
      assert.equal(imported.lines.length, 1);
      assert.match(imported.lines[0]!.text, new RegExp(`^Item \\S+ of connector ${connectorId}: imported \\((imported(, )?)+\\)$`));
    }

    const expected: ExpectedItem[] = builder.items.map((p) => ({ item: p.item, mailboxes: p.mailboxes, folder: ATT_FOLDER }));
    const offsetMs = pipeline.rebaseOffsetMs;
    const mailboxes = await pipeline.stopAndReadExport();
    const copies = assertExactlyOnce(mailboxes, expected);
    await assertCopiesMatchItems(pipeline.graphDataDir, copies, expected, offsetMs);
  });
});
