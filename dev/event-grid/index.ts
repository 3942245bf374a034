/**
 * The local Event Grid: the public API of dev/event-grid. It plays the storage account's system
 * topic and the BlobCreated subscription of infra/modules/event-subscription.bicep against Azurite.
 */
export { LocalEventGrid, type LocalEventGridOptions, type EventGridSubscription, type DeadLetteredEvent } from './local-event-grid';
export { blobCreatedEvent, blobSubject, subscriptionValidationEvent, BLOB_CREATED, type EventGridEvent, type BlobVersionSeen } from './blob-created-event';
export { RETRY_SCHEDULE_MS, DELIVERY_TIMEOUT_MS, retryDelayMs, verdictFor, type DeliveryVerdict } from './retry-policy';
