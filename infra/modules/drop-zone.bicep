// The SFTP drop zone for connectors that receive TeleMessage's EML exports (ZIP files with a
// manifest) instead of calling the archive API: a storage account with a hierarchical namespace
// and SFTP, one container `eml-drop` (the path the importEmlDrop blob trigger watches, through
// the DropZoneStorage connection) with a folder per connector, and one SFTP local user per
// connector that signs in with an SSH key only (no password, no shared key), lands in its folder
// eml-drop/<connectorId> and may only create, write and list. SFTP permission scopes are per
// container, so the folder is where a user lands, not a wall: every local user is TeleMessage's
// (docs/deployment.md). The folder itself is made by `npm run connectors -- add --transport
// eml-drop`, as a home directory must exist before its user can sign in. TeleMessage connects
// from outside, so the SFTP endpoint is public, but with allowedIpRanges only those addresses get
// through the firewall; the app reads the ZIPs as its managed identity (through private endpoints
// in an isolated deployment). Every access is logged to Log Analytics. On Flex Consumption an
// Event Grid system topic (main.bicep) announces new ZIPs.

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

@description('Object (principal) ID of the app\'s managed identity, whose blob trigger reads the drop container.')
param appPrincipalId string

@description('Resource ID of the Log Analytics workspace that receives the access logs.')
param workspaceId string

@description('The container the importEmlDrop blob trigger watches (shared/eml-drop/drop-zone.ts EML_DROP_CONTAINER).')
param containerName string = 'eml-drop'

// What the Functions host's blob trigger needs on the account it watches (identity-based
// connection): Storage Blob Data Owner, and Storage Queue Data Contributor for its poison queue,
// which it keeps on the account of the blob.
var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
}

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

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

// Local user names allow lowercase letters and digits only.
resource localUsers 'Microsoft.Storage/storageAccounts/localUsers@2023-05-01' = [
  for connector in connectors: {
    parent: storage
    name: 'sftp${replace(connector.connectorId, '-', '')}'
    properties: {
      hasSshKey: true
      hasSshPassword: false
      hasSharedKey: false
      homeDirectory: '${container.name}/${connector.connectorId}'
      permissionScopes: [
        {
          service: 'blob'
          resourceName: container.name
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

// The app's blob trigger reads the ZIPs (DropZoneStorage connection); the account holds nothing else.
resource appDropRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(roleIds): {
    name: guid(storage.id, appPrincipalId, role.value)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      description: 'The importEmlDrop blob trigger on the SFTP drop zone (${role.key})'
    }
  }
]

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

@description('Blob endpoint of the drop zone account (DropZoneStorage__blobServiceUri); the SFTP host is <account>.blob.<storage suffix>.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Queue endpoint of the drop zone account (DropZoneStorage__queueServiceUri): the blob trigger\'s poison queue.')
output queueEndpoint string = storage.properties.primaryEndpoints.queue
