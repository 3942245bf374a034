// The Flex Consumption (FC1, Linux) plan and the function app. Runtime, scale and the deployment
// package location live in functionAppConfig; FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION are deliberately absent (Flex does not accept them as settings).
// Every app setting is in the single `appSettings` object below: test/infra/app-settings.test.ts
// reads it and checks it against shared/platform/settings/app-settings.ts, so edit both together.

@description('Name of the function app (the first label of its default host name).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan and the app.')
param tags object

@description('Resource ID of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client ID of the user-assigned managed identity.')
param identityClientId string

@description('Blob endpoint of the deployment storage account (ends with a slash).')
param deploymentBlobEndpoint string

@description('Blob container that holds the deployment packages.')
param deploymentContainerName string

@description('Name of the pipeline storage account (AzureWebJobsStorage).')
param pipelineStorageAccountName string

@description('Blob endpoint of the pipeline storage account.')
param pipelineBlobEndpoint string

@description('Queue endpoint of the pipeline storage account.')
param pipelineQueueEndpoint string

@description('Table endpoint of the pipeline storage account.')
param pipelineTableEndpoint string

@description('Six-field NCRONTAB schedule of the scheduleFetch timer (UTC).')
param schedule string

@description('Minutes before now at which fetch windows end, so items still arriving at TeleMessage are not missed.')
param settlingMinutes int

@description('Microsoft Graph base URL including the version segment (/v1.0), from national-clouds.json.')
param graphEndpoint string

@description('Entra sign-in host of the Microsoft 365 tenant.')
param graphAuthorityHost string

@description('Tenant ID of the archived mailboxes.')
param graphTenantId string

@description('Client ID of the Graph app registration that trusts the managed identity.')
param graphClientId string

@description('URI of the Key Vault holding the TeleMessage credentials.')
param keyVaultUri string

@description('Name of the Application Insights component the app reports to.')
param appInsightsName string

@description('Node.js major version of the Functions worker.')
@allowed([
  '20'
  '22'
])
param nodeVersion string

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

var appSettings = {
  // Host storage through the managed identity; the service URIs make it work in every cloud
  // (the account name alone implies the public-cloud storage suffix).
  AzureWebJobsStorage__accountName: pipelineStorageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: pipelineBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: pipelineQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: pipelineTableEndpoint
  ARCHIVER_SCHEDULE: schedule
  ARCHIVER_SETTLING_MINUTES: string(settlingMinutes)
  // Flex Consumption supports only the Event Grid source for blob triggers.
  ARCHIVER_BLOB_TRIGGER_SOURCE: 'EventGrid'
  GRAPH_ENDPOINT: graphEndpoint
  GRAPH_AUTHORITY_HOST: graphAuthorityHost
  GRAPH_TENANT_ID: graphTenantId
  GRAPH_CLIENT_ID: graphClientId
  // The identity that signs in to Graph (through the app registration's federated credential),
  // Key Vault and storage; there is no client secret in Azure.
  AZURE_CLIENT_ID: identityClientId
  KEY_VAULT_URI: keyVaultUri
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  // Read by the Functions host: send telemetry with Entra authentication as the identity.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${deploymentBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

resource siteAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

@description('Name of the function app.')
output name string = site.name

@description('Default host name of the function app (unique suffixes included where the platform adds them).')
output defaultHostName string = site.properties.defaultHostName
