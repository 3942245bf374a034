// Data roles for people, each scoped to the container, table or queue it is needed for, never to
// the account, and given to Entra groups rather than users: membership of those groups is made
// time-bound with Privileged Identity Management for Groups (docs/deployment.md), so nobody holds
// standing access to archived communications.
//
// Operators (the admin command line): connectors, runs, imports and audit tables; mapping-files,
// archive-items (replay) and quarantine containers; the fetch-jobs and poison queues; the
// TeleMessage credentials in Key Vault. Auditors: read-only on the archived items and attachments,
// the quarantine and the run and import records.

@description('Object IDs of the operator groups.')
param operatorGroupObjectIds string[]

@description('Object IDs of the auditor groups.')
param auditorGroupObjectIds string[]

@description('Name of the pipeline storage account.')
param storageAccountName string

@description('Name of the Key Vault that holds the TeleMessage credentials.')
param keyVaultName string

@description('Container names of the pipeline, by key (main.bicep storageNames.containers).')
param containers object

@description('Queue names of the pipeline, by key (main.bicep storageNames.queues).')
param queues object

@description('Table names of the pipeline, by key (main.bicep storageNames.tables).')
param tables object

// Built-in role definition IDs (identical in every Azure cloud).
var roleIds = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

var operatorContainers = [
  containers.mappingFiles
  containers.items
  containers.quarantine
]
var auditorContainers = [
  containers.items
  containers.attachments
  containers.quarantine
]
var pipelineTables = [
  tables.connectors
  tables.runs
  tables.imports
  // The command line writes its changes to the audit trail; auditors read it.
  tables.audit
]
var operatorQueues = [
  queues.fetchJobs
  queues.fetchJobsPoison
  queues.blobTriggerPoison
]

var containerGrants = concat(
  flatten(map(operatorGroupObjectIds, group => map(operatorContainers, container => {
    group: group
    container: container
    role: roleIds.storageBlobDataContributor
  }))),
  flatten(map(auditorGroupObjectIds, group => map(auditorContainers, container => {
    group: group
    container: container
    role: roleIds.storageBlobDataReader
  })))
)

var tableGrants = concat(
  flatten(map(operatorGroupObjectIds, group => map(pipelineTables, table => {
    group: group
    table: table
    role: roleIds.storageTableDataContributor
  }))),
  flatten(map(auditorGroupObjectIds, group => map(pipelineTables, table => {
    group: group
    table: table
    role: roleIds.storageTableDataReader
  })))
)

var queueGrants = flatten(map(operatorGroupObjectIds, group => map(operatorQueues, queue => {
  group: group
  queue: queue
  role: roleIds.storageQueueDataContributor
})))

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }

  resource queueService 'queueServices' existing = {
    name: 'default'
  }

  resource tableService 'tableServices' existing = {
    name: 'default'
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource grantedContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = [
  for grant in containerGrants: {
    parent: storage::blobService
    name: grant.container
  }
]

resource containerRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in containerGrants: {
    name: guid(grantedContainers[i].id, grant.group, grant.role)
    scope: grantedContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.role)
      principalId: grant.group
      principalType: 'Group'
      description: 'Archiver operators or auditors (PIM for Groups), container ${grant.container}'
    }
  }
]

resource grantedTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' existing = [
  for grant in tableGrants: {
    parent: storage::tableService
    name: grant.table
  }
]

resource tableRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in tableGrants: {
    name: guid(grantedTables[i].id, grant.group, grant.role)
    scope: grantedTables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.role)
      principalId: grant.group
      principalType: 'Group'
      description: 'Archiver operators or auditors (PIM for Groups), table ${grant.table}'
    }
  }
]

resource grantedQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = [
  for grant in queueGrants: {
    parent: storage::queueService
    name: grant.queue
  }
]

resource queueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in queueGrants: {
    name: guid(grantedQueues[i].id, grant.group, grant.role)
    scope: grantedQueues[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.role)
      principalId: grant.group
      principalType: 'Group'
      description: 'Archiver operators (PIM for Groups), queue ${grant.queue}'
    }
  }
]

resource secretsOfficers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for group in operatorGroupObjectIds: {
    name: guid(keyVault.id, group, roleIds.keyVaultSecretsOfficer)
    scope: keyVault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsOfficer)
      principalId: group
      principalType: 'Group'
      description: 'Archiver operators (PIM for Groups): the TeleMessage credentials'
    }
  }
]
