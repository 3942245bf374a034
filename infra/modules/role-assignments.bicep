// The data-plane roles of the app's user-assigned identity, each at the narrowest scope that
// works, with built-in role definition IDs and deterministic assignment names so a redeployment
// finds the same assignments instead of failing on duplicates.

@description('Object (principal) ID of the user-assigned managed identity.')
param principalId string

@description('Name of the pipeline storage account (AzureWebJobsStorage).')
param pipelineStorageAccountName string

@description('Name of the storage account that holds the deployment packages.')
param deploymentStorageAccountName string

@description('Name of the Key Vault that holds the TeleMessage credentials.')
param keyVaultName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Whether the admin web page is configured (adminWebClientId): its add-connector wizard stores TeleMessage passwords with the app\'s identity.')
param adminWebEnabled bool

// Built-in role definition IDs (identical in every Azure cloud).
var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource pipelineStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: pipelineStorageAccountName
}

resource deploymentStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: deploymentStorageAccountName
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Owner, not Contributor: the Functions host keeps blob-trigger receipts and singleton/timer
// leases in azure-webjobs-hosts and its keys in azure-webjobs-secrets, and the app reads and
// writes the pipeline containers.
resource pipelineBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(pipelineStorage.id, principalId, roleIds.storageBlobDataOwner)
  scope: pipelineStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Functions host storage (receipts, leases, keys) and the pipeline containers'
  }
}

resource pipelineQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(pipelineStorage.id, principalId, roleIds.storageQueueDataContributor)
  scope: pipelineStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageQueueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'fetch-jobs queue trigger and the poison queues'
  }
}

resource pipelineTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(pipelineStorage.id, principalId, roleIds.storageTableDataContributor)
  scope: pipelineStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'connectors, runs and imports tables'
  }
}

resource deploymentBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deploymentStorage.id, principalId, roleIds.storageBlobDataContributor)
  scope: deploymentStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Flex Consumption deployment package container'
  }
}

resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, principalId, roleIds.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Read the TeleMessage credentials'
  }
}

// Only with the admin web page: its wizard writes the password an administrator types (after
// TeleMessage accepted it) as the connector's secret. Without the page, only people write secrets.
resource keyVaultSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (adminWebEnabled) {
  name: guid(keyVault.id, principalId, roleIds.keyVaultSecretsOfficer)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsOfficer)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Store the TeleMessage passwords given in the admin web page'
  }
}

resource appInsightsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Send telemetry with Entra authentication (required where the cloud supports it)'
  }
}
