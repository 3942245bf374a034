// Log Analytics workspace and a workspace-based Application Insights component. Local
// (instrumentation-key) authentication is disabled: telemetry is accepted only from Entra
// identities holding Monitoring Metrics Publisher on the component, so a leaked connection
// string cannot be used to write fake FetchRun/ItemImport events.

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Azure region of the workspace and the component.')
param location string

@description('Tags applied to both resources.')
param tags object

@description('Days the workspace keeps telemetry.')
@minValue(30)
@maxValue(730)
param retentionInDays int

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
    }
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
    DisableLocalAuth: true
  }
}

@description('Name of the Application Insights component.')
output appInsightsName string = appInsights.name

@description('Resource ID of the Application Insights component (the scope of the alert rules).')
output appInsightsId string = appInsights.id
