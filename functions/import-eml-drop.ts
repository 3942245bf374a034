import { app, type InvocationContext } from '@azure/functions';
import { appConfig, archiverServices } from '../shared/app/services';
import { EML_DROP_CONTAINER } from '../shared/eml-drop/eml-drop-service';
import { AppSettings } from '../shared/platform/settings/app-settings';

// TeleMessage's EML export ZIPs, delivered over SFTP into `eml-drop/{connectorId}/` of the drop
// zone's account (the DropZoneStorage connection); without one, of the pipeline's own account.
app.storageBlob('importEmlDrop', {
  path: `${EML_DROP_CONTAINER}/{name}`,
  connection: appConfig().dropZone.storage === undefined ? AppSettings.storage : AppSettings.dropZoneStorage,
  ...(appConfig().blobTriggerSource === 'EventGrid' ? { source: 'EventGrid' as const } : {}),
  handler: async (blob: Buffer, context: InvocationContext): Promise<void> => {
    const name = String(context.triggerMetadata?.name ?? '');
    const outcome = await archiverServices().emlDrop.importDrop(name, blob);
    const counts = `${outcome.messages} message(s), stored ${outcome.stored}, already stored ${outcome.alreadyStored}`;
    if (outcome.status === 'imported') context.log(`EML drop ${name}: ${counts}`);
    else if (outcome.status === 'ignored') context.log(`EML drop ${name}: ignored (${outcome.reason ?? ''})`);
    else context.warn(`EML drop ${name}: quarantined as quarantine/${outcome.quarantinedAs ?? ''}: ${outcome.reason ?? ''}`);
  },
});
