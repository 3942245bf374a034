import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { TeleMessageSimulator } from '../../dev/simulators/telemessage';
import { GraphSimulator } from '../../dev/simulators/graph';
import { ANA } from '../graph-writer/graph-fixture';
import { runCli } from '../../shared/admin-cli/cli';
import { createArchiverServices, type ArchiverServices } from '../../shared/app/services';
import { attachmentBlobName, itemBlobName } from '../../shared/archive/blob-names';
import { parseImportReplayRequest } from '../../shared/import/import-replay-queue';
import { loadAppConfig } from '../../shared/platform/settings/app-config';
import { Queues } from '../../shared/platform/storage/storage-names';
import type { Connector } from '../../shared/connectors/connector';
import type { ItemOutcome } from '../../shared/outcomes/item-outcome';
import { drainMessages } from './admin-fixture';
import { ScenarioBuilder, TEST_PASSWORD, TEST_USERNAME, type TestScenario } from '../telemessage/telemessage-test-scenario';

/**
 * Issue #10, defect 4: administrators list quarantined items and replay them as they do unmapped
 * and failed ones. Here an item the fetch stage quarantined (TeleMessage served an attachment that
 * did not match its digest on the window's last attempt) is listed with its reason, replayed once
 * TeleMessage serves the right bytes, stored into the archive exactly as the fetch stage stores it
 * (which starts its import), and a second replay writes nothing.
 */

const DAY = '2026-11-20T00:00:00.000Z';
const NEXT_DAY = '2026-11-21T00:00:00.000Z';

let azurite: TestAzurite;
let simulator: TeleMessageSimulator;
let graph: GraphSimulator;
let scenario: TestScenario;
let services: ArchiverServices;
let cwd: string;
let env: Record<string, string>;
const savedEnv = { ...process.env };

before(async () => {
  const builder = await ScenarioBuilder.create();
  const photo = await builder.attachment('att-late', 4096, 'image/jpeg');
  builder.item({ id: 'tm-good', product: 'att-network', archivedAt: '2026-11-20T09:00:00Z' });
  builder.item({ id: 'tm-late', product: 'att-network', archivedAt: '2026-11-20T09:05:00Z', attachments: [photo] });
  scenario = await builder.write();
  cwd = await mkdtemp(join(tmpdir(), 'quarantine-replay-'));
  [azurite, simulator, graph] = await Promise.all([
    startTestAzurite(),
    TeleMessageSimulator.start({ scenarioDir: scenario.dir }),
    GraphSimulator.start({ users: [ANA], dataDir: join(cwd, 'graph') }),
  ]);
  env = { AzureWebJobsStorage: azurite.connectionString, GRAPH_ENDPOINT: graph.url, GRAPH_DEV_TOKEN: 'dev', SECRET_TM_ATT: TEST_PASSWORD };
  // The app reads its secrets from its settings, as the host gives them.
  Object.assign(process.env, env);
  services = createArchiverServices(loadAppConfig(env));
  // As the deployment (or dev/start) creates them.
  await Promise.all([services.items.createIfNotExists(), services.storage.blobs.getContainerClient('archive-attachments').createIfNotExists()]);
  const connector: Connector = {
    id: 'att-main', product: 'att-network', folderName: 'Texts', baseUrl: simulator.url, username: TEST_USERNAME, passwordSecretName: 'tm-att',
    enabled: true, autoMapping: true, defaultRegion: 'US', checkpoint: DAY, scheduledThrough: DAY, createdAt: DAY, updatedAt: DAY,
  };
  await services.connectors.create(connector);
});
after(async () => {
  for (const key of Object.keys(env ?? {})) if (!(key in savedEnv)) delete process.env[key];
  await Promise.all([azurite?.stop(), simulator?.stop(), graph?.stop()]);
  await Promise.all([scenario?.remove(), cwd === undefined ? undefined : rm(cwd, { recursive: true, force: true })]);
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => void (stdout += `${text}\n`),
    stderr: (text) => void (stderr += `${text}\n`),
    readStdin: async () => '',
    stdinIsTTY: false,
    env: { AzureWebJobsStorage: azurite.connectionString },
    cwd,
  });
  return { code, stdout, stderr };
}

async function replayQueued(): Promise<void> {
  const messages = await drainMessages<unknown>(services.storage.queue(Queues.importReplays));
  assert.equal(messages.length, 1);
  // What the replayItem function does with the message.
  const result = await services.importer.replay(parseImportReplayRequest(messages[0]));
  replays.push(result.kind === 'restored' ? result.status : `${result.outcome.status}: ${result.outcome.mailboxes.map((m) => m.status).join(', ')}`);
}
const replays: string[] = [];

describe('quarantined items: listed, and replayed through the fetch and import path', () => {
  test('an item whose attachment did not match on the last attempt is quarantined, the rest of the window stored', async () => {
    const file = join(scenario.dir, 'telemessage', 'attachments', 'att-late');
    const good = await readFile(file);
    await writeFile(file, Buffer.alloc(good.length, 0x5a));
    try {
      const run = await services.fetcher.fetchWindow({ connectorId: 'att-main', runId: 'r1', from: DAY, to: NEXT_DAY }, { attempt: 5 });
      assert.deepEqual([run.status, run.stored, run.quarantined], ['succeeded', 1, 1]);
    } finally {
      await writeFile(file, good);
    }
    assert.equal(await services.items.getBlobClient(itemBlobName('att-main', 'tm-late')).exists(), false);
  });

  test('items quarantined lists it with the reason, as text and JSON', async () => {
    const text = await cli(['items', 'quarantined', '--connector', 'att-main']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ITEM +ATTEMPTS +UPDATED +REASON\ntm-late +1 +\S+ +.*att-late.*\n1 quarantined item\.\n$/);
    const json = JSON.parse((await cli(['items', 'quarantined', '--connector', 'att-main', '--json'])).stdout) as ItemOutcome[];
    assert.deepEqual(json.map((o) => [o.itemId, o.status]), [['tm-late', 'quarantined']]);
    assert.match(json[0]?.reason ?? '', /sha256|SHA-256|digest/i);
  });

  test('replay --status quarantined stores it from quarantine as the fetch stage would, once; a second replay writes nothing', async () => {
    const replay = await cli(['items', 'replay', '--connector', 'att-main', '--status', 'quarantined']);
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal(replay.stdout, 'Queued 1 of 1 quarantined item of connector "att-main" for replay.\n');
    await replayQueued();

    const item = services.items.getBlobClient(itemBlobName('att-main', 'tm-late'));
    const first = await item.getProperties();
    const stored = JSON.parse((await item.downloadToBuffer()).toString('utf8')) as { id: string; attachments: { sha256: string }[] };
    assert.equal(stored.id, 'tm-late');
    const attachment = await services.storage.blobs.getContainerClient('archive-attachments').getBlobClient(attachmentBlobName('att-main', 'tm-late', 'att-late')).getProperties();
    assert.equal(attachment.metadata?.['sha256'], stored.attachments[0]?.sha256, 'the attachment as TeleMessage serves it now, verified');

    // Replayed again before the import stage ran: the item is in the archive now, so it is imported from there, once.
    assert.equal((await cli(['items', 'replay', '--connector', 'att-main', '--status', 'quarantined'])).code, 0);
    await replayQueued();
    // What the blob trigger does when the item arrives in the archive: the copy exists already.
    const trigger = await services.importer.importBlob(itemBlobName('att-main', 'tm-late'), await item.downloadToBuffer());
    assert.deepEqual(replays, ['stored', 'imported: imported']);
    assert.deepEqual(trigger.mailboxes.map((m) => [m.userPrincipalName, m.status]), [[ANA.userPrincipalName, 'alreadyImported']]);
    assert.equal((await item.getProperties()).etag, first.etag, 'the archived item was written once');
    assert.deepEqual([(await cli(['items', 'quarantined', '--connector', 'att-main'])).stdout], ['No quarantined items.\n']);

    // Nothing left to replay, and nothing made twice: one message in Ana's folder.
    const replayAgain = await cli(['items', 'replay', '--connector', 'att-main', '--status', 'quarantined']);
    assert.equal(replayAgain.stdout, 'Queued 0 of 0 quarantined items of connector "att-main" for replay.\n');
    const texts = graph.mailbox(ANA.userPrincipalName)?.folders.find((f) => f.displayName === 'Texts');
    assert.equal(texts?.messages.length, 1);
  });

  test('an unknown status is refused naming the three', async () => {
    const run = await cli(['items', 'replay', '--connector', 'att-main', '--status', 'imported']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'Error: --status: "imported" must be one of unmapped, failed, quarantined\n');
  });
});
