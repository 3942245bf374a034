import { app, type InvocationContext } from '@azure/functions';
import { archiverServices } from '../shared/app/services';
import { parseFetchJob } from '../shared/schedule/fetch-job';
import { Queues } from '../shared/platform/storage/storage-names';

/** Fetches one queued window; exported so a test can call it with its own `InvocationContext`. */
export async function fetchWindow(message: unknown, context: InvocationContext): Promise<void> {
  const job = parseFetchJob(message);
  const attempt = Number(context.triggerMetadata?.dequeueCount ?? 1);
  const run = await archiverServices().fetcher.fetchWindow(job, { attempt });
  context.log(`Connector ${run.connectorId} window ${run.from} to ${run.to}: fetched ${run.fetched}, stored ${run.stored}, already stored ${run.alreadyStored}`);
}

app.storageQueue('fetchWindow', {
  queueName: Queues.fetchJobs,
  connection: 'AzureWebJobsStorage',
  handler: fetchWindow,
});
