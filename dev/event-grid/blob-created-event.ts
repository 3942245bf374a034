import { randomUUID } from 'node:crypto';

/** An event in the Event Grid schema (`eventDeliverySchema: 'EventGridSchema'`, as infra/modules/event-subscription.bicep). */
export interface EventGridEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: Record<string, unknown>;
  dataVersion: string;
  metadataVersion: string;
}

export interface BlobVersionSeen {
  /** The storage account name (Azurite: devstoreaccount1). */
  account: string;
  container: string;
  blobName: string;
  /** The blob's URL, as storage gives it (path-style on Azurite). */
  url: string;
  /** As the storage SDK gives it, quoted or not; the event carries it unquoted. */
  etag: string;
  contentType?: string;
  contentLength?: number;
  blobType?: string;
  lastModified?: Date;
}

export const BLOB_CREATED = 'Microsoft.Storage.BlobCreated';

/** The subject Event Grid gives a blob event: what subjectBeginsWith/EndsWith filter. */
export function blobSubject(container: string, blobName: string): string {
  return `/blobServices/default/containers/${container}/blobs/${blobName}`;
}

/** `Microsoft.Storage.BlobCreated` as a storage account's system topic publishes it. */
export function blobCreatedEvent(blob: BlobVersionSeen): EventGridEvent {
  const requestId = randomUUID();
  return {
    id: randomUUID(),
    topic: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/${blob.account}`,
    subject: blobSubject(blob.container, blob.blobName),
    eventType: BLOB_CREATED,
    eventTime: (blob.lastModified ?? new Date()).toISOString(),
    data: {
      api: 'PutBlob',
      clientRequestId: randomUUID(),
      requestId,
      eTag: blob.etag.replace(/^"|"$/g, ''),
      contentType: blob.contentType ?? 'application/octet-stream',
      contentLength: blob.contentLength ?? 0,
      blobType: blob.blobType ?? 'BlockBlob',
      url: blob.url,
      sequencer: Date.now().toString(16).padStart(32, '0'),
      storageDiagnostics: { batchId: randomUUID() },
    },
    dataVersion: '',
    metadataVersion: '1',
  };
}

/** The subscription validation event Event Grid sends when a webhook subscription is created. */
export function subscriptionValidationEvent(topic: string, validationCode: string): EventGridEvent {
  return {
    id: randomUUID(),
    topic,
    subject: '',
    eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
    eventTime: new Date().toISOString(),
    data: { validationCode, validationUrl: '' },
    dataVersion: '2',
    metadataVersion: '1',
  };
}
