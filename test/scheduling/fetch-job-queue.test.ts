import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueClient, StorageSharedKeyCredential, newPipeline, type RequestPolicy, type WebResource } from '@azure/storage-queue';
import { startTestAzurite, type TestAzurite } from '../support/test-azurite';
import { StorageFetchJobQueue } from '../../shared/schedule/fetch-job-queue';
import { Queues } from '../../shared/platform/storage/storage-names';
import type { FetchJob } from '../../shared/schedule/fetch-job';

let azurite: TestAzurite;
before(async () => {
  azurite = await startTestAzurite();
});
after(async () => {
  await azurite?.stop();
});

/**
 * The `fetch-jobs` queue client against Azurite, with a connection that drops the first
 * `failures` queue-create requests before they reach the service (a network fault).
 */
function queueWithFailingCreates(failures: number): { queue: QueueClient; creates: () => number } {
  const settings = new Map(azurite.connectionString.split(';').filter(Boolean).map((part) => {
    const at = part.indexOf('=');
    return [part.slice(0, at), part.slice(at + 1)] as const;
  }));
  const pipeline = newPipeline(new StorageSharedKeyCredential(settings.get('AccountName') ?? '', settings.get('AccountKey') ?? ''), { retryOptions: { maxTries: 1 } });
  let creates = 0;
  let left = failures;
  pipeline.factories.unshift({
    create: (next: RequestPolicy): RequestPolicy => ({
      sendRequest: (request: WebResource) => {
        const isCreate = request.method === 'PUT' && !new URL(request.url).pathname.endsWith('/messages');
        if (isCreate) {
          creates += 1;
          if (left > 0) {
            left -= 1;
            return Promise.reject(new Error('the connection was reset'));
          }
        }
        return next.sendRequest(request);
      },
    }),
  });
  const endpoint = settings.get('QueueEndpoint') ?? '';
  return { queue: new QueueClient(`${endpoint.replace(/\/$/, '')}/${Queues.fetchJobs}`, pipeline), creates: () => creates };
}

const JOB: FetchJob = { connectorId: 'att-main', runId: 'run-1', from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' };

test('a queue create that failed is tried again on the next enqueue, not remembered for the life of the process', async () => {
  const { queue, creates } = queueWithFailingCreates(1);
  const jobs = new StorageFetchJobQueue(queue);

  await assert.rejects(jobs.enqueue(JOB), /the connection was reset/);
  await jobs.enqueue(JOB);
  await jobs.enqueue({ ...JOB, runId: 'run-2' });

  assert.equal(creates(), 2, 'created again once after the failure, then remembered');
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  assert.deepEqual(
    peeked.peekedMessageItems.map((m) => (JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as FetchJob).runId),
    ['run-1', 'run-2'],
  );
});
