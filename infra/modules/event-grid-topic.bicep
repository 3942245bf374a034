// The Event Grid system topic of a storage account (the pipeline account, and the SFTP drop zone
// when there is one). On Flex Consumption a blob trigger is fed by an Event Grid subscription on
// this topic (see event-subscription.bicep, deployed after publishing by
// infra/hooks/connect-event-grid.sh). The topic's own identity may write undeliverable events to
// the dead-letter container of the pipeline account, so a BlobCreated event that could not reach
// the app is not lost.

@description('Name of the system topic.')
param name string

@description('Azure region; must be the region of the storage account.')
param location string

@description('Tags applied to the topic.')
param tags object

@description('Name of the storage account whose events the topic publishes.')
param sourceStorageAccountName string

@description('Name of the pipeline storage account, which holds the dead-letter container.')
param deadLetterStorageAccountName string

@description('Container in the pipeline storage account that receives dead-lettered events.')
param deadLetterContainerName string

@description('Resource ID of the Log Analytics workspace that receives the delivery failure logs.')
param workspaceId string

var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource source 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: sourceStorageAccountName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: deadLetterStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetterContainer 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: source.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// Only the dead-letter container, not the account: the topic never reads pipeline data.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deadLetterContainer.id, topic.id, storageBlobDataContributorRoleId)
  scope: storage::blobService::deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
    description: 'Event Grid dead-lettering of undeliverable BlobCreated events'
  }
}

// DeliveryFailures: every failed attempt to reach the webhook, with the reason.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: topic
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Name of the system topic.')
output name string = topic.name

@description('Resource ID of the system topic (the scope of the dead-letter and delivery failure alerts).')
output id string = topic.id
