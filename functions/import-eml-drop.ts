import { app, type InvocationContext } from '@azure/functions';
import { archiverServices } from '../shared/app/services';
import { registeredBlobTriggerSource, registeredDropZoneConnection } from '../shared/platform/settings/app-config';
import { EML_DROP_CONTAINER } from '../shared/eml-drop/eml-drop-service';

// TeleMessage's EML export ZIPs, delivered over SFTP into `eml-drop/{connectorId}/` of the drop
// zone's account (the DropZoneStorage connection); without one, of the pipeline's own account.
app.storageBlob('importEmlDrop', {
  path: `${EML_DROP_CONTAINER}/{name}`,
  connection: registeredDropZoneConnection(),
  ...(registeredBlobTriggerSource() === 'EventGrid' ? { source: 'EventGrid' as const } : {}),
  handler: async (blob: Buffer, context: InvocationContext): Promise<void> => {
    const name = String(context.triggerMetadata?.name ?? '');
    const outcome = await archiverServices().emlDrop.importDrop(name, blob);
    const counts = `${outcome.messages} message(s), stored ${outcome.stored}, already stored ${outcome.alreadyStored}`;
    if (outcome.status === 'imported') context.log(`EML drop ${name}: ${counts}`);
    else if (outcome.status === 'ignored') context.log(`EML drop ${name}: ignored (${outcome.reason ?? ''})`);
    else context.warn(`EML drop ${name}: quarantined as quarantine/${outcome.quarantinedAs ?? ''}: ${outcome.reason ?? ''}`);
  },
});
