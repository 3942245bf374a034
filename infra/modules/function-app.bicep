// The plan and the function app, on one of two hosting plans (main.bicep chooses per cloud):
// - FlexConsumption (FC1, Linux): runtime, scale and the deployment package live in
//   functionAppConfig; FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are deliberately
//   absent (Flex does not accept them as settings). The importItem blob trigger is fed by Event
//   Grid (ARCHIVER_BLOB_TRIGGER_SOURCE=EventGrid).
// - Dedicated (a Linux App Service plan), where Flex Consumption is not offered (Azure Government,
//   Azure China): the polling blob trigger (LogsAndContainerScan, which needs Always On) and
//   identity-based run-from-package: the app mounts the package blob from the deployment account
//   as the managed identity, no key or SAS.
//
// The app's own settings are the single `appSettings` object below: test/infra/app-settings.test.ts
// reads it and checks it against shared/platform/settings/app-settings.ts, so edit both together. Settings
// read only by the Functions host or the platform are in `hostSettings`.
//
// Locked down for a regulated deployment: HTTPS only, TLS 1.2, FTP(S) off, basic (publishing
// credential) authentication off for FTP and SCM, public network access explicit. With network
// isolation all outbound traffic goes through the VNet; inbound, the app has a private endpoint
// (main.bicep) and its public endpoint answers only Event Grid (Flex) or nobody (Dedicated).

@description('Name of the function app (the first label of its default host name).')
param name string

@description('Name of the plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan and the app.')
param tags object

@description('FlexConsumption, or Dedicated (Linux App Service plan) where Flex Consumption is not offered.')
@allowed([
  'FlexConsumption'
  'Dedicated'
])
param hostingPlan string

@description('SKU of the Dedicated plan.')
param dedicatedPlanSku string

@description('Resource ID of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client ID of the user-assigned managed identity.')
param identityClientId string

@description('Blob endpoint of the deployment storage account (ends with a slash).')
param deploymentBlobEndpoint string

@description('Blob container that holds the deployment packages.')
param deploymentContainerName string

@description('Blob endpoint of the SFTP drop zone account (the pipeline account\'s without a drop zone): the DropZoneStorage connection of the importEmlDrop trigger.')
param dropZoneBlobEndpoint string

@description('Queue endpoint of the same account: the blob trigger\'s poison queue.')
param dropZoneQueueEndpoint string

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

@description('Seconds a claim on a mailbox copy or a Graph slot holds without renewal.')
param claimLeaseSeconds int

@description('Hours after a UTC day ends before an unreconciled day raises the UnreconciledDays alert.')
param reconcileAfterHours int

@description('Key Vault key id that signs each reconciled day\'s manifest (RS256); empty: manifests are not signed.')
param manifestSigningKeyId string = ''

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

@description('Send telemetry with Entra authentication (where the cloud supports it; the component then refuses anything else).')
param appInsightsEntraAuth bool

@description('Node.js major version of the Functions worker.')
@allowed([
  '20'
  '22'
])
param nodeVersion string

@description('Memory of each instance in MB (Flex Consumption).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Most instances the app scales out to (Flex Consumption).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Integrate with a virtual network and restrict the public endpoint.')
param networkIsolation bool

@description('Resource ID of the delegated subnet for VNet integration (empty without network isolation).')
param appSubnetId string

@description('With network isolation: public CIDR ranges allowed to reach the SCM (deployment) endpoint.')
param deploymentAllowedIpRanges string[]

@description('Resource ID of the Log Analytics workspace that receives the app\'s logs.')
param workspaceId string

@description('Client ID of the Entra app registration of the admin web page; empty: no App Service Authentication.')
param adminWebClientId string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

var flexConsumption = hostingPlan == 'FlexConsumption'

var appSettings = {
  // Host storage through the managed identity; the service URIs make it work in every cloud
  // (the account name alone implies the public-cloud storage suffix).
  AzureWebJobsStorage__accountName: pipelineStorageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: pipelineBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: pipelineQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: pipelineTableEndpoint
  // The importEmlDrop trigger's connection, identity-based like the host's own: the drop zone.
  DropZoneStorage__blobServiceUri: dropZoneBlobEndpoint
  DropZoneStorage__queueServiceUri: dropZoneQueueEndpoint
  DropZoneStorage__credential: 'managedidentity'
  DropZoneStorage__clientId: identityClientId
  ARCHIVER_SCHEDULE: schedule
  ARCHIVER_SETTLING_MINUTES: string(settlingMinutes)
  ARCHIVER_CLAIM_LEASE_SECONDS: string(claimLeaseSeconds)
  ARCHIVER_RECONCILE_AFTER_HOURS: string(reconcileAfterHours)
  ARCHIVER_MANIFEST_SIGNING_KEY_ID: manifestSigningKeyId
  // Flex Consumption supports only the Event Grid source for blob triggers; a Dedicated plan
  // polls the container (with Always On), which needs no Event Grid subscription.
  ARCHIVER_BLOB_TRIGGER_SOURCE: flexConsumption ? 'EventGrid' : 'LogsAndContainerScan'
  GRAPH_ENDPOINT: graphEndpoint
  GRAPH_AUTHORITY_HOST: graphAuthorityHost
  GRAPH_TENANT_ID: graphTenantId
  GRAPH_CLIENT_ID: graphClientId
  // The identity that signs in to Graph (through the app registration's federated credential),
  // Key Vault and storage; there is no client secret in Azure.
  AZURE_CLIENT_ID: identityClientId
  KEY_VAULT_URI: keyVaultUri
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
}

// The package the Dedicated plan runs, uploaded by infra/hooks/publish-package.sh.
var packageBlobUrl = '${deploymentBlobEndpoint}${deploymentContainerName}/archiver.zip'

var hostSettings = union(
  // Read by the Functions host: send telemetry with Entra authentication as the identity.
  appInsightsEntraAuth
    ? {
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      }
    : {},
  flexConsumption
    ? {}
    : {
        FUNCTIONS_EXTENSION_VERSION: '~4'
        FUNCTIONS_WORKER_RUNTIME: 'node'
        WEBSITE_RUN_FROM_PACKAGE: packageBlobUrl
        WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identityId
      }
)

// With network isolation the public endpoint is closed to everyone but Event Grid, which cannot
// deliver to a private endpoint: the AzureEventGrid service tag may reach the blob extension's
// webhook (which also needs the blobs_extension key). The Dedicated plan polls, so it needs no
// inbound public traffic at all.
var eventGridOnly = [
  {
    name: 'event-grid-webhook'
    description: 'Event Grid delivering BlobCreated events to /runtime/webhooks/blobs'
    action: 'Allow'
    priority: 100
    tag: 'ServiceTag'
    ipAddress: 'AzureEventGrid'
  }
]
var deploymentSources = [
  for (range, i) in deploymentAllowedIpRanges: {
    name: 'deployment-${i}'
    description: 'Deployment agent outside the virtual network'
    action: 'Allow'
    priority: 100 + i
    tag: 'Default'
    ipAddress: range
  }
]

var siteConfig = union(
  {
    minTlsVersion: '1.2'
    scmMinTlsVersion: '1.2'
    ftpsState: 'Disabled'
    http20Enabled: true
    ipSecurityRestrictionsDefaultAction: networkIsolation ? 'Deny' : 'Allow'
    ipSecurityRestrictions: networkIsolation && flexConsumption ? eventGridOnly : []
    scmIpSecurityRestrictionsDefaultAction: networkIsolation ? 'Deny' : 'Allow'
    scmIpSecurityRestrictions: networkIsolation ? deploymentSources : []
    scmIpSecurityRestrictionsUseMain: false
  },
  flexConsumption
    ? {}
    : {
        linuxFxVersion: 'NODE|${nodeVersion}'
        alwaysOn: true
        vnetRouteAllEnabled: networkIsolation
      }
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: flexConsumption ? 'functionapp' : 'linux'
  sku: flexConsumption
    ? {
        tier: 'FlexConsumption'
        name: 'FC1'
      }
    : {
        name: dedicatedPlanSku
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
    clientCertEnabled: false
    publicNetworkAccess: networkIsolation && !flexConsumption ? 'Disabled' : 'Enabled'
    virtualNetworkSubnetId: networkIsolation ? appSubnetId : null
    keyVaultReferenceIdentity: identityId
    siteConfig: siteConfig
    functionAppConfig: flexConsumption
      ? {
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
      : null
  }
}

resource siteAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, hostSettings)
}

// No publishing user name and password: deployments authenticate with Entra ID.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// The admin web page (/admin, /api/admin/*) signs in through App Service Authentication with
// Entra ID; the app reads the signed-in principal's app roles (Connectors.Admin,
// Connectors.Read). Unauthenticated requests get 401, except the blob extension's webhook, which
// Event Grid calls with the system key.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(adminWebClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: [
        '/runtime/webhooks/blobs'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: adminWebClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${adminWebClientId}'
            adminWebClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: site
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

@description('Name of the function app.')
output name string = site.name

@description('Resource ID of the function app.')
output id string = site.id

@description('Default host name of the function app (unique suffixes included where the platform adds them).')
output defaultHostName string = site.properties.defaultHostName
