import { app, type InvocationContext } from '@azure/functions';
import { archiverServices } from '../shared/app/services';
import { registeredBlobTriggerSource } from '../shared/platform/settings/app-config';
import { Containers } from '../shared/platform/storage/storage-names';

/** Imports one stored item; exported so a test can call it with its own `InvocationContext`. */
export async function importItem(blob: Buffer, context: InvocationContext): Promise<void> {
  const name = String(context.triggerMetadata?.name ?? '');
  const outcome = await archiverServices().importer.importBlob(name, blob);
  const mailboxes = outcome.mailboxes.map((m) => m.status).join(', ');
  context.log(`Item ${outcome.itemId} of connector ${outcome.connectorId}: ${outcome.status}${mailboxes ? ` (${mailboxes})` : ''}`);
}

app.storageBlob('importItem', {
  path: `${Containers.items}/{name}`,
  connection: 'AzureWebJobsStorage',
  // Flex Consumption delivers blobs through Event Grid; Core Tools and the local host poll.
  ...(registeredBlobTriggerSource() === 'EventGrid' ? { source: 'EventGrid' as const } : {}),
  handler: importItem,
});
