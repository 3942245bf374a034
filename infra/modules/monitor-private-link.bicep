// Azure Monitor Private Link Scope of an isolated deployment: the workspace and Application
// Insights accept ingestion and queries only through this scope's private endpoint (access mode
// PrivateOnly), so telemetry never crosses a public network. One endpoint serves both; its DNS
// zone group covers the Azure Monitor zones and the blob zone (agent solution packs).

@description('Name of the Private Link Scope.')
param scopeName string

@description('Azure region of the private endpoint.')
param location string

@description('Tags applied to the scope and the endpoint.')
param tags object

@description('Resource ID of the Log Analytics workspace.')
param workspaceId string

@description('Resource ID of the Application Insights component.')
param appInsightsId string

@description('Resource ID of the subnet that holds the private endpoint.')
param subnetId string

@description('Resource IDs of the private DNS zones of Azure Monitor (monitor, oms, ods, agentsvc) and blob.')
param privateDnsZoneIds string[]

resource scope 'Microsoft.Insights/privateLinkScopes@2021-07-01-preview' = {
  name: scopeName
  location: 'global'
  tags: tags
  properties: {
    accessModeSettings: {
      ingestionAccessMode: 'PrivateOnly'
      queryAccessMode: 'PrivateOnly'
    }
  }
}

resource workspaceLink 'Microsoft.Insights/privateLinkScopes/scopedResources@2021-07-01-preview' = {
  parent: scope
  name: 'workspace'
  properties: {
    linkedResourceId: workspaceId
  }
}

resource appInsightsLink 'Microsoft.Insights/privateLinkScopes/scopedResources@2021-07-01-preview' = {
  parent: scope
  name: 'app-insights'
  properties: {
    linkedResourceId: appInsightsId
  }
}

resource endpoint 'Microsoft.Network/privateEndpoints@2023-11-01' = {
  name: 'pe-${scopeName}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'pe-${scopeName}'
        properties: {
          privateLinkServiceId: scope.id
          groupIds: [
            'azuremonitor'
          ]
        }
      }
    ]
  }
  dependsOn: [
    workspaceLink
    appInsightsLink
  ]

  resource zoneGroup 'privateDnsZoneGroups' = {
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        for (zoneId, i) in privateDnsZoneIds: {
          name: 'zone-${i}'
          properties: {
            privateDnsZoneId: zoneId
          }
        }
      ]
    }
  }
}
