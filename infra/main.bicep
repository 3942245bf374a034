// TeleMessage archiver: everything the function app needs in one resource group.
//
// One deployment, repeatable (docs/deployment.md): identity, storage, Key Vault, monitoring, the
// function app and, on Flex Consumption, the Event Grid system topic. The Event Grid subscription
// that feeds the importItem blob trigger needs the host's blobs_extension key, which exists only
// once the code runs, so it is not part of this template: infra/hooks/connect-event-grid.sh
// deploys modules/event-subscription.bicep after publishing (azd runs it as the postdeploy hook).
//
// Parameter combinations compiled and checked in CI: infra/params/*.bicepparam (infra/check.sh,
// test/infra/posture.test.ts).
targetScope = 'resourceGroup'

metadata description = 'Function app that archives TeleMessage mobile communication into Microsoft 365 mailboxes through Microsoft Graph.'

@description('Azure region of every resource. On Flex Consumption it must offer that plan (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Short name used in resource names: 3-12 letters, digits or hyphens.')
@minLength(3)
@maxLength(12)
param baseName string = 'tmarchiver'

@description('Microsoft 365 cloud of the archived mailboxes; selects the Graph and sign-in endpoints and the hosting plan. AzureCloud also covers GCC; AzureUSGovernment is GCC High (L4); AzureUSGovernmentL5 is DoD. The deployment fails unless it runs in the matching Azure cloud (Azure Government for both US clouds).')
@allowed([
  'AzureCloud'
  'AzureUSGovernment'
  'AzureUSGovernmentL5'
  'AzureChinaCloud'
])
param cloud string = 'AzureCloud'

@description('Hosting plan. Auto: Flex Consumption where the cloud offers it (the public cloud), else a Dedicated Linux App Service plan with the polling blob trigger. FlexConsumption outside the public cloud fails the deployment.')
@allowed([
  'Auto'
  'FlexConsumption'
  'Dedicated'
])
param hostingPlan string = 'Auto'

@description('SKU of the Dedicated Linux App Service plan (used only when the plan is Dedicated). Basic has no deployment slots or zone redundancy; Premium v3 is the production choice.')
@allowed([
  'B1'
  'S1'
  'P0v3'
  'P1v3'
  'P2v3'
])
param dedicatedPlanSku string = 'P1v3'

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

@description('Seconds an instance\'s claim on a mailbox copy or a Graph slot holds without renewal: after an instance dies, the others take its work over this long after its last renewal.')
@minValue(10)
@maxValue(600)
param claimLeaseSeconds int = 60

@description('Hours after a UTC day ends before a day that is not reconciled raises an alert.')
@minValue(0)
@maxValue(720)
param reconcileAfterHours int = 6

@description('Key Vault key id (the key\'s URL, …/keys/<name>) that signs each reconciled day\'s manifest; the app identity needs Key Vault Crypto User on it. Empty: manifests are not signed.')
param manifestSigningKeyId string = ''

@description('Resource ID of an existing action group notified by the alert rules. Empty: no alert rules are created.')
param actionGroupResourceId string = ''

@description('Network isolation: a virtual network with VNet integration for the app, private endpoints and private DNS zones for storage, Key Vault, the app and Azure Monitor (through a Private Link Scope), and public network access disabled on each. Off for a quick start; on for a bank (docs/deployment.md).')
param networkIsolation bool = false

@description('Address space of the virtual network created when networkIsolation is on (a /23 or larger): the app subnet and the private endpoint subnet are its first two /24 ranges.')
param vnetAddressPrefix string = '10.42.0.0/16'

@description('With networkIsolation: public IPv4 ranges (CIDR) allowed to reach the deployment (SCM) endpoint of the app, e.g. the egress of a build agent outside the virtual network. Empty: deploy from inside the virtual network.')
param deploymentAllowedIpRanges string[] = []

@description('Node.js major version of the Functions worker.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Memory of each function app instance in MB (Flex Consumption).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the function app scales out to (Flex Consumption). Graph allows 4 concurrent requests per mailbox, so more instances mostly add throttling.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Replication of the pipeline storage account. Zone-redundant (ZRS, GZRS) keeps the archive through the loss of a zone; not every region offers it.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param storageSku string = 'Standard_LRS'

@description('Days a deleted or overwritten blob, blob version or container can still be restored (soft delete).')
@minValue(7)
@maxValue(365)
param softDeleteRetentionDays int = 14

@description('Days the Log Analytics workspace keeps telemetry for interactive queries.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 90

@description('Days the audit logs (storage reads, writes and deletes, Key Vault AuditEvent, function app and Event Grid delivery logs) are kept in total, interactive plus long-term retention.')
@minValue(30)
@maxValue(4383)
param auditLogRetentionInDays int = 365

@description('Hours without a successful FetchRun before a connector alerts (the schedule runs daily by default, hence 26).')
@minValue(1)
@maxValue(47)
param stalledConnectorAlertHours int = 26

@description('Object IDs of Entra groups whose members operate the connectors (time-bound membership through PIM for Groups, docs/deployment.md). Each gets the container-, table- and queue-scoped roles the admin command line needs, and Key Vault Secrets Officer.')
param operatorGroupObjectIds string[] = []

@description('Object IDs of Entra groups of auditors: read-only access to the archived items and attachments and to the run and import records.')
param auditorGroupObjectIds string[] = []

@description('Immutable raw archive: days during which blobs in archive-items, archive-attachments and archive-manifests cannot be changed or deleted by anyone (time-based retention on version-level immutability). 0: off. Cannot be shortened once the policy is locked.')
@minValue(0)
@maxValue(146000)
param archiveRetentionDays int = 0

@description('Connectors that receive TeleMessage\'s EML exports over SFTP (connector ID and the OpenSSH public key TeleMessage signs in with). Non-empty: a drop zone storage account with SFTP, a container and an SSH-key-only local user per connector.')
param dropZoneConnectors {
  @description('Connector ID: lowercase letters, digits and hyphens (its folder is eml-drop/<connectorId>; add the connector with npm run connectors -- add --transport eml-drop).')
  connectorId: string
  @description('OpenSSH public key TeleMessage signs in with.')
  sshPublicKey: string
}[] = []

@description('Public IPv4 ranges (CIDR) TeleMessage delivers from over SFTP; only these pass the drop zone\'s firewall. Empty: any address may try an SSH key.')
param dropZoneAllowedIpRanges string[] = []

@description('Client ID of the Entra app registration of the admin web page (App Service Authentication, app roles Connectors.Admin and Connectors.Read). Empty: authentication is not configured.')
param adminWebClientId string = ''

@description('Tags applied to every resource.')
param tags object = {
  application: 'telemessage-m365-archiver'
}

// Microsoft 365 endpoints and per-cloud facts. environment() describes the Azure cloud of the
// deployment, not Graph or the plans offered there, so the table is data (see bicepconfig.json,
// rule no-hardcoded-env-urls).
var clouds = loadJsonContent('national-clouds.json')

// The deployment fails, before any resource is created, when `cloud` does not match the Azure
// cloud it runs in: every resource carries this value as a tag, so ARM evaluates it first.
var cloudChecked = environment().name == clouds[cloud].azureEnvironment
  ? cloud
  : fail('Parameter cloud is ${cloud}, which deploys into ${clouds[cloud].azureEnvironment}, but this deployment runs in ${environment().name}.')
var resourceTags = union(tags, {
  'archiver-cloud': cloudChecked
})

var flexConsumption = hostingPlan == 'FlexConsumption' || (hostingPlan == 'Auto' && clouds[cloud].flexConsumption)
var hostingPlanChecked = !flexConsumption || clouds[cloud].flexConsumption
  ? (flexConsumption ? 'FlexConsumption' : 'Dedicated')
  : fail('Flex Consumption is not offered in ${cloud}; use hostingPlan Auto or Dedicated.')

// Storage names shared with the code (shared/platform/storage/storage-names.ts, same keys); the test in
// test/infra keeps the two in step.
var storageNames = {
  containers: {
    items: 'archive-items'
    attachments: 'archive-attachments'
    quarantine: 'quarantine'
    mappingFiles: 'mapping-files'
    manifests: 'archive-manifests'
  }
  queues: {
    fetchJobs: 'fetch-jobs'
    fetchJobsPoison: 'fetch-jobs-poison'
    importReplays: 'import-replays'
    importReplaysPoison: 'import-replays-poison'
    blobTriggerPoison: 'webjobs-blobtrigger-poison'
  }
  tables: {
    connectors: 'connectors'
    runs: 'runs'
    imports: 'imports'
    reconciliation: 'reconciliation'
    mailboxLimits: 'mailboxlimits'
    audit: 'audit'
  }
}

// Infrastructure-only names: the app never reads these.
var deadLetterContainerName = 'eventgrid-deadletter'
var deploymentContainerName = 'app-package'

var resourceToken = uniqueString(subscription().id, resourceGroup().id, baseName)
var names = {
  identity: 'id-${baseName}-${resourceToken}'
  workspace: 'log-${baseName}-${resourceToken}'
  appInsights: 'appi-${baseName}-${resourceToken}'
  privateLinkScope: 'ampls-${baseName}-${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  pipelineStorage: 'st${resourceToken}data'
  deploymentStorage: 'st${resourceToken}pkg'
  plan: 'plan-${baseName}-${resourceToken}'
  functionApp: 'func-${baseName}-${resourceToken}'
  systemTopic: 'evgt-${baseName}-${resourceToken}'
  dropZoneStorage: 'st${resourceToken}drop'
  dropZoneTopic: 'evgt-${baseName}-${resourceToken}-drop'
  vnet: 'vnet-${baseName}-${resourceToken}'
  nsg: 'nsg-${baseName}-${resourceToken}'
}

// Private DNS zones: the Azure service zones from environment(), the others from the cloud table.
var dnsZones = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  queue: 'privatelink.queue.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
  vault: 'privatelink${environment().suffixes.keyvaultDns}'
  sites: clouds[cloud].privateDnsZones.sites
  monitor: clouds[cloud].privateDnsZones.monitor
  oms: clouds[cloud].privateDnsZones.oms
  ods: clouds[cloud].privateDnsZones.ods
  agentService: clouds[cloud].privateDnsZones.agentService
}

var publicNetworkAccess = networkIsolation ? 'Disabled' : 'Enabled'

module identity 'modules/identity.bicep' = {
  name: '${baseName}-identity'
  params: {
    name: names.identity
    location: location
    tags: resourceTags
  }
}

module network 'modules/network.bicep' = if (networkIsolation) {
  name: '${baseName}-network'
  params: {
    vnetName: names.vnet
    nsgName: names.nsg
    location: location
    tags: resourceTags
    addressPrefix: vnetAddressPrefix
    appSubnetDelegation: hostingPlanChecked == 'FlexConsumption'
      ? 'Microsoft.App/environments'
      : 'Microsoft.Web/serverFarms'
    workspaceId: monitoring.outputs.workspaceId
  }
}

module dnsZoneSet 'modules/private-dns-zones.bicep' = if (networkIsolation) {
  name: '${baseName}-private-dns'
  params: {
    zoneNames: map(items(dnsZones), zone => zone.value)
    vnetId: network.?outputs.vnetId ?? ''
    tags: resourceTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: '${baseName}-monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: resourceTags
    retentionInDays: logRetentionInDays
    auditRetentionInDays: max(auditLogRetentionInDays, logRetentionInDays)
    publicNetworkAccess: publicNetworkAccess
    entraAuthOnly: clouds[cloud].appInsightsEntraAuth
  }
}

module monitorPrivateLink 'modules/monitor-private-link.bicep' = if (networkIsolation) {
  name: '${baseName}-monitor-private-link'
  params: {
    scopeName: names.privateLinkScope
    location: location
    tags: resourceTags
    workspaceId: monitoring.outputs.workspaceId
    appInsightsId: monitoring.outputs.appInsightsId
    subnetId: network.?outputs.privateEndpointSubnetId ?? ''
    privateDnsZoneIds: [
      resourceId('Microsoft.Network/privateDnsZones', dnsZones.monitor)
      resourceId('Microsoft.Network/privateDnsZones', dnsZones.oms)
      resourceId('Microsoft.Network/privateDnsZones', dnsZones.ods)
      resourceId('Microsoft.Network/privateDnsZones', dnsZones.agentService)
      resourceId('Microsoft.Network/privateDnsZones', dnsZones.blob)
    ]
  }
  dependsOn: [
    dnsZoneSet
  ]
}

module pipelineStorage 'modules/storage-account.bicep' = {
  name: '${baseName}-pipeline-storage'
  params: {
    name: names.pipelineStorage
    location: location
    tags: resourceTags
    skuName: storageSku
    containerNames: concat(map(items(storageNames.containers), container => container.value), [deadLetterContainerName])
    queueNames: map(items(storageNames.queues), queue => queue.value)
    tableNames: map(items(storageNames.tables), table => table.value)
    softDeleteRetentionDays: softDeleteRetentionDays
    publicNetworkAccess: publicNetworkAccess
    workspaceId: monitoring.outputs.workspaceId
    immutableContainerNames: archiveRetentionDays > 0
      ? [
          storageNames.containers.items
          storageNames.containers.attachments
          storageNames.containers.manifests
        ]
      : []
    immutabilityRetentionDays: archiveRetentionDays
  }
}

module deploymentStorage 'modules/storage-account.bicep' = {
  name: '${baseName}-deployment-storage'
  params: {
    name: names.deploymentStorage
    location: location
    tags: resourceTags
    skuName: storageSku
    containerNames: [
      deploymentContainerName
    ]
    queueNames: []
    tableNames: []
    softDeleteRetentionDays: softDeleteRetentionDays
    publicNetworkAccess: publicNetworkAccess
    workspaceId: monitoring.outputs.workspaceId
    immutableContainerNames: []
    immutabilityRetentionDays: 0
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: '${baseName}-key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: resourceTags
    publicNetworkAccess: publicNetworkAccess
    workspaceId: monitoring.outputs.workspaceId
  }
}

module dropZone 'modules/drop-zone.bicep' = if (!empty(dropZoneConnectors)) {
  name: '${baseName}-drop-zone'
  params: {
    name: names.dropZoneStorage
    location: location
    tags: resourceTags
    skuName: storageSku
    connectors: dropZoneConnectors
    allowedIpRanges: dropZoneAllowedIpRanges
    softDeleteRetentionDays: softDeleteRetentionDays
    appPrincipalId: identity.outputs.principalId
    workspaceId: monitoring.outputs.workspaceId
  }
}

// Private endpoints: every data-plane service the app and the operators use. The deployment
// account needs only blob (the package container); the pipeline account all three services.
var privateEndpoints = networkIsolation
  ? concat(
      [
        {
          name: 'pe-${names.pipelineStorage}-blob'
          target: resourceId('Microsoft.Storage/storageAccounts', names.pipelineStorage)
          groupId: 'blob'
          zone: dnsZones.blob
        }
        {
          name: 'pe-${names.pipelineStorage}-queue'
          target: resourceId('Microsoft.Storage/storageAccounts', names.pipelineStorage)
          groupId: 'queue'
          zone: dnsZones.queue
        }
        {
          name: 'pe-${names.pipelineStorage}-table'
          target: resourceId('Microsoft.Storage/storageAccounts', names.pipelineStorage)
          groupId: 'table'
          zone: dnsZones.table
        }
        {
          name: 'pe-${names.deploymentStorage}-blob'
          target: resourceId('Microsoft.Storage/storageAccounts', names.deploymentStorage)
          groupId: 'blob'
          zone: dnsZones.blob
        }
        {
          name: 'pe-${names.keyVault}-vault'
          target: resourceId('Microsoft.KeyVault/vaults', names.keyVault)
          groupId: 'vault'
          zone: dnsZones.vault
        }
        {
          name: 'pe-${names.functionApp}-sites'
          target: resourceId('Microsoft.Web/sites', names.functionApp)
          groupId: 'sites'
          zone: dnsZones.sites
        }
      ],
      empty(dropZoneConnectors)
        ? []
        : [
            {
              name: 'pe-${names.dropZoneStorage}-blob'
              target: resourceId('Microsoft.Storage/storageAccounts', names.dropZoneStorage)
              groupId: 'blob'
              zone: dnsZones.blob
            }
            // The blob trigger keeps its poison queue on the account it watches.
            {
              name: 'pe-${names.dropZoneStorage}-queue'
              target: resourceId('Microsoft.Storage/storageAccounts', names.dropZoneStorage)
              groupId: 'queue'
              zone: dnsZones.queue
            }
          ]
    )
  : []

module privateEndpoint 'modules/private-endpoint.bicep' = [
  for endpoint in privateEndpoints: {
    name: '${baseName}-${endpoint.name}'
    params: {
      name: endpoint.name
      location: location
      tags: resourceTags
      subnetId: network.?outputs.privateEndpointSubnetId ?? ''
      targetResourceId: endpoint.target
      groupId: endpoint.groupId
      privateDnsZoneId: resourceId('Microsoft.Network/privateDnsZones', endpoint.zone)
    }
    dependsOn: [
      dnsZoneSet
      pipelineStorage
      deploymentStorage
      keyVault
      functionApp
      dropZone
    ]
  }
]

module roleAssignments 'modules/role-assignments.bicep' = {
  name: '${baseName}-role-assignments'
  params: {
    principalId: identity.outputs.principalId
    pipelineStorageAccountName: pipelineStorage.outputs.name
    deploymentStorageAccountName: deploymentStorage.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    adminWebEnabled: !empty(adminWebClientId)
  }
}

module operatorRoles 'modules/operator-roles.bicep' = {
  name: '${baseName}-operator-roles'
  params: {
    operatorGroupObjectIds: operatorGroupObjectIds
    auditorGroupObjectIds: auditorGroupObjectIds
    storageAccountName: pipelineStorage.outputs.name
    keyVaultName: keyVault.outputs.name
    containers: storageNames.containers
    queues: storageNames.queues
    tables: storageNames.tables
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: '${baseName}-function-app'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: resourceTags
    hostingPlan: hostingPlanChecked
    dedicatedPlanSku: dedicatedPlanSku
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentBlobEndpoint: deploymentStorage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    pipelineStorageAccountName: pipelineStorage.outputs.name
    pipelineBlobEndpoint: pipelineStorage.outputs.blobEndpoint
    pipelineQueueEndpoint: pipelineStorage.outputs.queueEndpoint
    pipelineTableEndpoint: pipelineStorage.outputs.tableEndpoint
    // Without a drop zone the (idle) importEmlDrop trigger watches eml-drop on the pipeline account.
    dropZoneBlobEndpoint: dropZone.?outputs.blobEndpoint ?? pipelineStorage.outputs.blobEndpoint
    dropZoneQueueEndpoint: dropZone.?outputs.queueEndpoint ?? pipelineStorage.outputs.queueEndpoint
    schedule: schedule
    settlingMinutes: settlingMinutes
    claimLeaseSeconds: claimLeaseSeconds
    reconcileAfterHours: reconcileAfterHours
    manifestSigningKeyId: manifestSigningKeyId
    graphEndpoint: clouds[cloud].graphEndpoint
    graphAuthorityHost: clouds[cloud].authorityHost
    graphTenantId: graphTenantId
    graphClientId: graphClientId
    keyVaultUri: keyVault.outputs.uri
    appInsightsName: monitoring.outputs.appInsightsName
    appInsightsEntraAuth: clouds[cloud].appInsightsEntraAuth
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    networkIsolation: networkIsolation
    appSubnetId: network.?outputs.appSubnetId ?? ''
    deploymentAllowedIpRanges: deploymentAllowedIpRanges
    workspaceId: monitoring.outputs.workspaceId
    adminWebClientId: adminWebClientId
  }
  // The host starts as soon as the app exists; give it its data roles first.
  // (The drop zone's roles come with it: the endpoints above make the app wait for it.)
  dependsOn: [
    roleAssignments
  ]
}

// Event Grid feeds the blob trigger on Flex Consumption only; the Dedicated plan polls.
module eventGridTopic 'modules/event-grid-topic.bicep' = if (hostingPlanChecked == 'FlexConsumption') {
  name: '${baseName}-event-grid-topic'
  params: {
    name: names.systemTopic
    location: location
    tags: resourceTags
    sourceStorageAccountName: pipelineStorage.outputs.name
    deadLetterStorageAccountName: pipelineStorage.outputs.name
    deadLetterContainerName: deadLetterContainerName
    workspaceId: monitoring.outputs.workspaceId
  }
}

module dropZoneTopic 'modules/event-grid-topic.bicep' = if (hostingPlanChecked == 'FlexConsumption' && !empty(dropZoneConnectors)) {
  name: '${baseName}-drop-zone-topic'
  params: {
    name: names.dropZoneTopic
    location: location
    tags: resourceTags
    sourceStorageAccountName: dropZone!.outputs.name
    deadLetterStorageAccountName: pipelineStorage.outputs.name
    deadLetterContainerName: deadLetterContainerName
    workspaceId: monitoring.outputs.workspaceId
  }
}

module alerts 'modules/alerts.bicep' = if (!empty(actionGroupResourceId)) {
  name: '${baseName}-alerts'
  params: {
    location: location
    tags: resourceTags
    appInsightsId: monitoring.outputs.appInsightsId
    actionGroupResourceId: actionGroupResourceId
    namePrefix: 'alert-${baseName}'
    stalledAfterHours: stalledConnectorAlertHours
    systemTopics: concat(
      hostingPlanChecked == 'FlexConsumption'
        ? [
            {
              label: 'items'
              id: resourceId('Microsoft.EventGrid/systemTopics', names.systemTopic)
            }
          ]
        : [],
      hostingPlanChecked == 'FlexConsumption' && !empty(dropZoneConnectors)
        ? [
            {
              label: 'drop'
              id: resourceId('Microsoft.EventGrid/systemTopics', names.dropZoneTopic)
            }
          ]
        : []
    )
  }
}

@description('Name of the function app: the target of func azure functionapp publish.')
output functionAppName string = functionApp.outputs.name

@description('Hosting plan in use: FlexConsumption (Event Grid blob trigger) or Dedicated (polling blob trigger, no Event Grid subscription).')
output hostingPlan string = hostingPlanChecked

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

@description('Name of the Event Grid system topic of the pipeline account (empty on the Dedicated plan): the post-deploy hook subscribes the blob trigger to it.')
output systemTopicName string = eventGridTopic.?outputs.name ?? ''

@description('Name of the SFTP drop zone storage account (empty without dropZoneConnectors): the SFTP host is <name>.blob.<storage suffix>, user <name>.sftp<connectorId without hyphens>, landing in eml-drop/<connectorId>.')
output dropZoneStorageAccountName string = dropZone.?outputs.name ?? ''

@description('Name of the Application Insights component that receives FetchRun, ItemImport and the metrics.')
output appInsightsName string = monitoring.outputs.appInsightsName
