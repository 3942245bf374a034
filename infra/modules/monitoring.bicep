// Log Analytics workspace and a workspace-based Application Insights component. Where the cloud
// supports Entra-authenticated ingestion (national-clouds.json appInsightsEntraAuth) local
// (instrumentation-key) authentication is disabled: telemetry is accepted only from Entra
// identities holding Monitoring Metrics Publisher on the component, so a leaked connection string
// cannot be used to write fake FetchRun/ItemImport events. The workspace itself accepts Entra
// identities only (local auth off) and keeps the audit tables longer than the rest.

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Azure region of the workspace and the component.')
param location string

@description('Tags applied to both resources.')
param tags object

@description('Days the workspace keeps telemetry for interactive queries.')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Days the audit tables are kept in total (interactive plus long-term retention).')
@minValue(30)
@maxValue(4383)
param auditRetentionInDays int

@description('Public network access for ingestion and queries: Disabled in an isolated deployment, which reaches both through the Azure Monitor Private Link Scope.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@description('Accept telemetry only with Entra authentication (local auth off), where the cloud supports it.')
param entraAuthOnly bool

// The tables the diagnostic settings write: storage data-plane logs (who read, wrote or deleted
// message content), Key Vault AuditEvent and Event Grid delivery failures (AzureDiagnostics), the
// function app's own log, and the workspace's query audit.
var auditTables = [
  'StorageBlobLogs'
  'StorageQueueLogs'
  'StorageTableLogs'
  'AzureDiagnostics'
  'FunctionAppLogs'
  'LAQueryLogs'
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
      disableLocalAuth: true
    }
    publicNetworkAccessForIngestion: publicNetworkAccess
    publicNetworkAccessForQuery: publicNetworkAccess
  }
}

resource auditTableRetention 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = [
  for table in auditTables: {
    parent: workspace
    name: table
    properties: {
      totalRetentionInDays: auditRetentionInDays
    }
  }
]

resource workspaceDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: workspace
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: entraAuthOnly
    publicNetworkAccessForIngestion: publicNetworkAccess
    publicNetworkAccessForQuery: publicNetworkAccess
  }
}

@description('Name of the Application Insights component.')
output appInsightsName string = appInsights.name

@description('Resource ID of the Application Insights component (the scope of the alert rules).')
output appInsightsId string = appInsights.id

@description('Resource ID of the Log Analytics workspace (the destination of every diagnostic setting).')
output workspaceId string = workspace.id
