// One private endpoint and its DNS zone group, which keeps the A record of the endpoint in the
// private DNS zone of its service.

@description('Name of the private endpoint.')
param name string

@description('Azure region of the endpoint (the region of its virtual network).')
param location string

@description('Tags applied to the endpoint.')
param tags object

@description('Resource ID of the subnet that holds the endpoint.')
param subnetId string

@description('Resource ID of the resource the endpoint connects to.')
param targetResourceId string

@description('Sub-resource (group ID) of the target: blob, queue, table, vault, sites or azuremonitor.')
param groupId string

@description('Resource ID of the private DNS zone that receives the endpoint\'s record.')
param privateDnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2023-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: targetResourceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }

  resource zoneGroup 'privateDnsZoneGroups' = {
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: groupId
          properties: {
            privateDnsZoneId: privateDnsZoneId
          }
        }
      ]
    }
  }
}
