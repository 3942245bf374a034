// TeleMessage archiver: everything the function app needs in one resource group.
//
// Deploy twice (docs/deployment.md):
//   1. deployEventSubscription=false: identity, storage, Key Vault, monitoring, the Flex
//      Consumption app and the Event Grid system topic. Then publish the code.
//   2. deployEventSubscription=true: the Event Grid subscription that feeds the importItem blob
//      trigger; it needs the host's blobs_extension key, which exists only once the code runs.
targetScope = 'resourceGroup'

metadata description = 'Flex Consumption function app that archives TeleMessage mobile communication into Microsoft 365 mailboxes through Microsoft Graph.'

@description('Azure region of every resource. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Short name used in resource names: 3-12 letters, digits or hyphens.')
@minLength(3)
@maxLength(12)
param baseName string = 'tmarchiver'

@description('Microsoft 365 cloud of the archived mailboxes; selects the Graph and sign-in endpoints. AzureCloud also covers GCC; AzureUSGovernment is GCC High (L4); AzureUSGovernmentL5 is DoD. Deploy into the matching Azure cloud (Azure Government for both US clouds).')
@allowed([
  'AzureCloud'
  'AzureUSGovernment'
  'AzureUSGovernmentL5'
  'AzureChinaCloud'
])
param cloud string = 'AzureCloud'

@description('Application (client) ID of the Entra app registration that holds Mail.ReadWrite and User.Read.All and trusts the managed identity through a federated credential.')
@minLength(36)
@maxLength(36)
param graphClientId string

@description('Tenant ID of the archived mailboxes. Defaults to the tenant of this deployment.')
param graphTenantId string = tenant().tenantId

@description('When the scheduleFetch timer runs: six-field NCRONTAB {second} {minute} {hour} {day} {month} {day-of-week}, in UTC.')
param schedule string = '0 0 1 * * *'

@description('Minutes before now at which fetch windows end: items archived more recently may still be arriving at TeleMessage.')
@minValue(0)
@maxValue(1440)
param settlingMinutes int = 5

@description('Second pass only: create the Event Grid subscription that delivers BlobCreated events to the importItem function. Requires the code to be published first.')
param deployEventSubscription bool = false

@description('Resource ID of an existing action group notified by the alert rules. Empty: no alert rules are created.')
param actionGroupResourceId string = ''

@description('Public network access of the Key Vault. "Disabled" needs a private endpoint and VNet integration, which this template does not create.')
@allowed([
  'Enabled'
  'Disabled'
])
param keyVaultPublicNetworkAccess string = 'Enabled'

@description('Node.js major version of the Functions worker.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '20'

@description('Memory of each function app instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the function app scales out to. Graph allows 4 concurrent requests per mailbox, so more instances mostly add throttling.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Replication of the pipeline storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_LRS'

@description('Days the Log Analytics workspace keeps telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 90

@description('Hours without a successful FetchRun before a connector alerts (the schedule runs daily by default, hence 26).')
@minValue(1)
@maxValue(47)
param stalledConnectorAlertHours int = 26

@description('Tags applied to every resource.')
param tags object = {
  application: 'telemessage-m365-archiver'
}

// Microsoft 365 endpoints per cloud. environment() describes the Azure cloud of the deployment,
// not Graph, so the table is data (see bicepconfig.json, rule no-hardcoded-env-urls).
var clouds = loadJsonContent('national-clouds.json')

// Storage names shared with the code (shared/platform/storage/storage-names.ts, same keys); the test in
// test/infra keeps the two in step.
var storageNames = {
  containers: {
    items: 'archive-items'
    attachments: 'archive-attachments'
    quarantine: 'quarantine'
    mappingFiles: 'mapping-files'
  }
  queues: {
    fetchJobs: 'fetch-jobs'
    fetchJobsPoison: 'fetch-jobs-poison'
    blobTriggerPoison: 'webjobs-blobtrigger-poison'
  }
  tables: {
    connectors: 'connectors'
    runs: 'runs'
    imports: 'imports'
  }
}

// Infrastructure-only names: the app never reads these.
var deadLetterContainerName = 'eventgrid-deadletter'
var deploymentContainerName = 'app-package'
var blobTriggerFunctionName = 'importItem'

var resourceToken = uniqueString(subscription().id, resourceGroup().id, baseName)
var names = {
  identity: 'id-${baseName}-${resourceToken}'
  workspace: 'log-${baseName}-${resourceToken}'
  appInsights: 'appi-${baseName}-${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  pipelineStorage: 'st${resourceToken}data'
  deploymentStorage: 'st${resourceToken}pkg'
  plan: 'plan-${baseName}-${resourceToken}'
  functionApp: 'func-${baseName}-${resourceToken}'
  systemTopic: 'evgt-${baseName}-${resourceToken}'
}

module identity 'modules/identity.bicep' = {
  name: '${baseName}-identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: '${baseName}-monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module pipelineStorage 'modules/storage-account.bicep' = {
  name: '${baseName}-pipeline-storage'
  params: {
    name: names.pipelineStorage
    location: location
    tags: tags
    skuName: storageSku
    containerNames: concat(map(items(storageNames.containers), container => container.value), [deadLetterContainerName])
    queueNames: map(items(storageNames.queues), queue => queue.value)
    tableNames: map(items(storageNames.tables), table => table.value)
    softDeleteRetentionDays: 7
  }
}

module deploymentStorage 'modules/storage-account.bicep' = {
  name: '${baseName}-deployment-storage'
  params: {
    name: names.deploymentStorage
    location: location
    tags: tags
    skuName: 'Standard_LRS'
    containerNames: [
      deploymentContainerName
    ]
    queueNames: []
    tableNames: []
    softDeleteRetentionDays: 7
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: '${baseName}-key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    publicNetworkAccess: keyVaultPublicNetworkAccess
  }
}

module roleAssignments 'modules/role-assignments.bicep' = {
  name: '${baseName}-role-assignments'
  params: {
    principalId: identity.outputs.principalId
    pipelineStorageAccountName: pipelineStorage.outputs.name
    deploymentStorageAccountName: deploymentStorage.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: '${baseName}-function-app'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentBlobEndpoint: deploymentStorage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    pipelineStorageAccountName: pipelineStorage.outputs.name
    pipelineBlobEndpoint: pipelineStorage.outputs.blobEndpoint
    pipelineQueueEndpoint: pipelineStorage.outputs.queueEndpoint
    pipelineTableEndpoint: pipelineStorage.outputs.tableEndpoint
    schedule: schedule
    settlingMinutes: settlingMinutes
    graphEndpoint: clouds[cloud].graphEndpoint
    graphAuthorityHost: clouds[cloud].authorityHost
    graphTenantId: graphTenantId
    graphClientId: graphClientId
    keyVaultUri: keyVault.outputs.uri
    appInsightsName: monitoring.outputs.appInsightsName
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
  // The host starts as soon as the app exists; give it its data roles first.
  dependsOn: [
    roleAssignments
  ]
}

module eventGridTopic 'modules/event-grid-topic.bicep' = {
  name: '${baseName}-event-grid-topic'
  params: {
    name: names.systemTopic
    location: location
    tags: tags
    storageAccountName: pipelineStorage.outputs.name
    deadLetterContainerName: deadLetterContainerName
  }
}

module eventSubscription 'modules/event-subscription.bicep' = if (deployEventSubscription) {
  name: '${baseName}-event-subscription'
  params: {
    systemTopicName: eventGridTopic.outputs.name
    functionAppName: functionApp.outputs.name
    functionName: blobTriggerFunctionName
    containerName: storageNames.containers.items
    storageAccountName: pipelineStorage.outputs.name
    deadLetterContainerName: deadLetterContainerName
  }
}

module alerts 'modules/alerts.bicep' = if (!empty(actionGroupResourceId)) {
  name: '${baseName}-alerts'
  params: {
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
    actionGroupResourceId: actionGroupResourceId
    namePrefix: 'alert-${baseName}'
    stalledAfterHours: stalledConnectorAlertHours
  }
}

@description('Name of the function app: the target of func azure functionapp publish.')
output functionAppName string = functionApp.outputs.name

@description('Client ID of the managed identity (AZURE_CLIENT_ID).')
output identityClientId string = identity.outputs.clientId

@description('Object (principal) ID of the managed identity: the subject of the federated identity credential on the Graph app registration.')
output identityPrincipalId string = identity.outputs.principalId

@description('Issuer of the federated identity credential: the Entra authority of this Azure cloud and tenant.')
output federatedCredentialIssuer string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

@description('Audience of the federated identity credential for the selected cloud.')
output federatedCredentialAudience string = clouds[cloud].tokenExchangeAudience

@description('URI of the Key Vault (KEY_VAULT_URI).')
output keyVaultUri string = keyVault.outputs.uri

@description('Name of the Key Vault: where telemessage-<connectorId>-password secrets go.')
output keyVaultName string = keyVault.outputs.name

@description('Name of the pipeline storage account (AzureWebJobsStorage__accountName).')
output storageAccountName string = pipelineStorage.outputs.name

@description('Name of the Application Insights component that receives FetchRun, ItemImport and the metrics.')
output appInsightsName string = monitoring.outputs.appInsightsName
