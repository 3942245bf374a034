// The SFTP drop zone for connectors that receive TeleMessage's EML exports (ZIP files with a
// manifest) instead of calling the archive API: a storage account with a hierarchical namespace
// and SFTP, one container per connector (drop-<connectorId>) and one SFTP local user per connector
// that signs in with an SSH key only (no password, no shared key) and may only create, write and
// list in its own container. TeleMessage connects from outside, so the SFTP endpoint is public,
// but with allowedIpRanges only those addresses get through the firewall; the app reads the ZIPs
// as its managed identity (through a private endpoint in an isolated deployment). Every access is
// logged to Log Analytics. On Flex Consumption an Event Grid system topic (main.bicep) announces
// new ZIPs.

@description('Globally unique storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the account.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Replication SKU of the account.')
param skuName string

@description('Connectors that receive ZIPs over SFTP: connector ID and the OpenSSH public key TeleMessage signs in with.')
param connectors {
  @description('Connector ID: lowercase letters, digits and hyphens.')
  connectorId: string
  @description('OpenSSH public key, e.g. ssh-rsa AAAA... or ssh-ed25519 AAAA...')
  sshPublicKey: string
}[]

@description('Public IPv4 ranges (CIDR) TeleMessage delivers from. Empty: any address may try an SSH key.')
param allowedIpRanges string[]

@description('Days a deleted ZIP or container can still be restored.')
@minValue(7)
@maxValue(365)
param softDeleteRetentionDays int

@description('Object (principal) ID of the app\'s managed identity, which reads and clears the drop containers.')
param appPrincipalId string

@description('Resource ID of the Log Analytics workspace that receives the access logs.')
param workspaceId string

var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    isHnsEnabled: true
    isSftpEnabled: true
    isLocalUserEnabled: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: empty(allowedIpRanges) ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
      ipRules: [
        for range in allowedIpRanges: {
          value: range
          action: 'Allow'
        }
      ]
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
      allowPermanentDelete: false
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for connector in connectors: {
    parent: blobService
    name: 'drop-${connector.connectorId}'
    properties: {
      publicAccess: 'None'
    }
  }
]

// Local user names allow lowercase letters and digits only.
resource localUsers 'Microsoft.Storage/storageAccounts/localUsers@2023-05-01' = [
  for (connector, i) in connectors: {
    parent: storage
    name: 'sftp${replace(connector.connectorId, '-', '')}'
    properties: {
      hasSshKey: true
      hasSshPassword: false
      hasSharedKey: false
      homeDirectory: containers[i].name
      permissionScopes: [
        {
          service: 'blob'
          resourceName: containers[i].name
          permissions: 'cwl'
        }
      ]
      sshAuthorizedKeys: [
        {
          description: 'TeleMessage delivery for ${connector.connectorId}'
          key: connector.sshPublicKey
        }
      ]
    }
  }
]

// The app reads the ZIPs and removes them once imported; the account holds nothing else.
resource appDropContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, storageBlobDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Read and clear the SFTP drop containers'
  }
}

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: storage
  properties: {
    workspaceId: workspaceId
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

// SFTP sign-ins and uploads appear as StorageRead/StorageWrite with the local user's name.
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

@description('Name of the drop zone storage account.')
output name string = storage.name

@description('Resource ID of the drop zone storage account.')
output id string = storage.id

@description('Blob endpoint of the drop zone account; the SFTP host is <account>.blob.<storage suffix>.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob
