// The subscription that delivers BlobCreated events for the items container to the Functions blob
// extension's webhook (Flex Consumption only). Deployed on its own, after the code is published,
// by infra/hooks/connect-event-grid.sh (the azd postdeploy hook): the webhook needs the host's
// `blobs_extension` system key, which exists only once the code with the Event Grid blob trigger
// runs, and Event Grid validates the endpoint when the subscription is created. A PUT of the same
// subscription is idempotent, so re-running the hook after every deployment or a rebuild is safe.

@description('Name of the Event Grid system topic of the pipeline storage account.')
param systemTopicName string

@description('Name of the function app that hosts the blob-triggered function.')
param functionAppName string

@description('Name of the blob-triggered function (the webhook addresses it as Host.Functions.<name>).')
param functionName string = 'importItem'

@description('Container whose new blobs trigger the function (storage-names.ts Containers.items).')
param containerName string = 'archive-items'

@description('Subject prefix of the blobs that trigger the function: one container, or with the drop zone every drop-<connectorId> container.')
param subjectBeginsWith string = '/blobServices/default/containers/${containerName}/'

@description('Name of the subscription.')
param subscriptionName string = '${containerName}-to-${functionName}'

@description('Name of the pipeline storage account (dead-letter destination).')
param storageAccountName string

@description('Container that receives events Event Grid could not deliver.')
param deadLetterContainerName string = 'eventgrid-deadletter'

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

// Microsoft.Web/sites/host has no resource type in the Bicep type index (only its listkeys
// action), so the key is read with listKeys() on the host's resource ID; the result is a secret
// and goes only into the subscription's endpoint URL, never into an output.
var blobsExtensionKey = listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension

resource blobCreatedSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: subscriptionName
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: subjectBeginsWith
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}
