import { app, type InvocationContext } from '@azure/functions';
import { archiverServices } from '../shared/app/services';
import { parseImportReplayRequest } from '../shared/import/import-replay-queue';
import { Queues } from '../shared/platform/storage/storage-names';

/** Imports one archived item again on an administrator's request; exported for `InvocationContext` tests. */
export async function replayItem(message: unknown, context: InvocationContext): Promise<void> {
  const request = parseImportReplayRequest(message);
  const result = await archiverServices().importer.replay(request);
  if (result.kind === 'restored') {
    context.log(`Replayed quarantined item ${request.itemId} of connector ${request.connectorId}: ${result.status === 'quarantined' ? 'still quarantined' : `${result.status} into the archive, to be imported`}`);
    return;
  }
  const outcome = result.outcome;
  const mailboxes = outcome.mailboxes.map((m) => m.status).join(', ');
  context.log(`Replayed item ${outcome.itemId} of connector ${outcome.connectorId}: ${outcome.status}${mailboxes ? ` (${mailboxes})` : ''}`);
}

app.storageQueue('replayItem', {
  queueName: Queues.importReplays,
  connection: 'AzureWebJobsStorage',
  handler: replayItem,
});
