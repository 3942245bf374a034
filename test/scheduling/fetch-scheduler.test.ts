import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { StorageClients } from '../../shared/platform/storage/storage-clients';
import { TableConnectorStore } from '../../shared/connectors/connector-store';
import { TableRunStore } from '../../shared/schedule/run-store';
import { StorageFetchJobQueue } from '../../shared/schedule/fetch-job-queue';
import { FetchScheduler } from '../../shared/schedule/fetch-scheduler';
import type { Connector } from '../../shared/connectors/connector';
import type { FetchJob } from '../../shared/schedule/fetch-job';

let azurite: TestAzurite;
let clients: StorageClients;
before(async () => {
  azurite = await startTestAzurite();
  clients = new StorageClients({ kind: 'connection-string', connectionString: azurite.connectionString });
});
after(async () => azurite.stop());

let n = 0;
function fixture(checkpoint: string, now: string) {
  n++;
  const connectors = new TableConnectorStore(clients.table(`connectors${n}`));
  const runs = new TableRunStore(clients.table(`runs${n}`));
  const queueClient = clients.queue(`fetch-jobs-${n}`);
  let clock = new Date(now);
  const scheduler = new FetchScheduler({
    connectors, runs, queue: new StorageFetchJobQueue(queueClient), settlingMs: 5 * 60_000, clock: () => clock,
  });
  const connector: Connector = {
    id: 'att-main', product: 'att-network', folderName: 'AT&T SMS/MMS Network Archiver', baseUrl: 'https://tm.example',
    username: 'u', passwordSecretName: 'p', enabled: true, autoMapping: true, defaultRegion: 'US',
    checkpoint, scheduledThrough: checkpoint, createdAt: checkpoint, updatedAt: checkpoint,
  };
  const drain = async (): Promise<FetchJob[]> => {
    const jobs: FetchJob[] = [];
    for (;;) {
      const got = await queueClient.receiveMessages({ numberOfMessages: 32 });
      if (got.receivedMessageItems.length === 0) return jobs;
      for (const m of got.receivedMessageItems) {
        jobs.push(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as FetchJob);
        await queueClient.deleteMessage(m.messageId, m.popReceipt);
      }
    }
  };
  return { connectors, runs, scheduler, connector, drain, setNow: (iso: string) => { clock = new Date(iso); } };
}

test('a connector three days behind gets one base64 JSON job per day, up to now less the settling margin', async () => {
  const f = fixture('2026-11-18T12:00:00.000Z', '2026-11-21T09:00:00.000Z');
  await f.connectors.create(f.connector);
  const result = await f.scheduler.scheduleAll();
  assert.equal(result[0]!.queued.length, 4);
  const jobs = await f.drain();
  assert.deepEqual(jobs.map((j) => [j.from, j.to]), [
    ['2026-11-18T12:00:00.000Z', '2026-11-19T00:00:00.000Z'],
    ['2026-11-19T00:00:00.000Z', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z'],
    ['2026-11-21T00:00:00.000Z', '2026-11-21T08:55:00.000Z'],
  ]);
  assert.ok(jobs.every((j) => j.connectorId === 'att-main' && j.runId.length > 0));
  assert.equal((await f.connectors.get('att-main')).scheduledThrough, '2026-11-21T08:55:00.000Z');
  assert.equal((await f.runs.list('att-main')).filter((r) => r.status === 'queued').length, 4);
});

test('a window already queued is not queued twice; the next tick queues only the new stretch', async () => {
  const f = fixture('2026-11-21T00:00:00.000Z', '2026-11-21T09:00:00.000Z');
  await f.connectors.create(f.connector);
  await f.scheduler.scheduleAll();
  await f.scheduler.scheduleAll();
  assert.equal((await f.drain()).length, 1);
  f.setNow('2026-11-21T09:10:00.000Z');
  const second = await f.scheduler.scheduleAll();
  assert.deepEqual(second[0]!.queued, [{ from: '2026-11-21T08:55:00.000Z', to: '2026-11-21T09:05:00.000Z' }]);
  assert.equal(second[0]!.skipped, 1, 'the first window is still queued');
});

test('a failed window is queued again; a disabled connector is not scheduled', async () => {
  const f = fixture('2026-11-21T00:00:00.000Z', '2026-11-21T09:00:00.000Z');
  await f.connectors.create(f.connector);
  await f.scheduler.scheduleAll();
  const [job] = await f.drain();
  await f.runs.update('att-main', job!, (r) => ({ ...r, status: 'failed', error: 'boom' }));
  const again = await f.scheduler.scheduleAll();
  assert.deepEqual(again[0]!.queued, [{ from: job!.from, to: job!.to }]);
  const [retry] = await f.drain();
  assert.notEqual(retry!.runId, job!.runId, 'a re-queued window is a new run attempt');

  await f.connectors.update('att-main', (c) => ({ ...c, enabled: false }));
  assert.deepEqual(await f.scheduler.scheduleAll(), []);
});

test('a window left running by an attempt that died is queued again after twice the function timeout', async () => {
  const f = fixture('2026-11-21T00:00:00.000Z', '2026-11-21T09:00:00.000Z');
  await f.connectors.create(f.connector);
  await f.scheduler.scheduleAll();
  const [job] = await f.drain();
  await f.runs.update('att-main', job!, (r) => ({ ...r, status: 'running', attempts: 5, startedAt: '2026-11-21T09:01:00.000Z' }));
  f.setNow('2026-11-21T10:30:00.000Z');
  const early = await f.scheduler.scheduleAll();
  assert.ok(!early[0]!.queued.some((w) => w.from === job!.from), 'still within its time: not queued twice');
  f.setNow('2026-11-21T11:02:00.000Z');
  const late = await f.scheduler.scheduleAll();
  assert.ok(late[0]!.queued.some((w) => w.from === job!.from && w.to === job!.to), 'queued again once stale');
  assert.equal((await f.runs.get('att-main', job!))?.status, 'queued');
});

test('a back-fill window is split per day and skips windows already in flight', async () => {
  const f = fixture('2026-11-21T00:00:00.000Z', '2026-11-21T09:00:00.000Z');
  await f.connectors.create(f.connector);
  const r = await f.scheduler.scheduleWindow('att-main', new Date('2026-11-01T00:00:00Z'), new Date('2026-11-03T00:00:00Z'));
  assert.equal(r.queued.length, 2);
  const again = await f.scheduler.scheduleWindow('att-main', new Date('2026-11-01T00:00:00Z'), new Date('2026-11-03T00:00:00Z'));
  assert.equal(again.queued.length, 0);
  assert.equal(again.skipped, 2);
});
