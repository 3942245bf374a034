// The private DNS zones of an isolated deployment, each linked to its virtual network, so the
// app resolves storage, Key Vault, its own host and Azure Monitor to their private endpoints.
// The zone names come from main.bicep (environment() for Azure services, the cloud table for the
// rest); zones are global resources.

@description('Names of the private DNS zones, e.g. privatelink.blob.<storage suffix>.')
param zoneNames string[]

@description('Resource ID of the virtual network the zones are linked to.')
param vnetId string

@description('Tags applied to the zones and links.')
param tags object

resource zones 'Microsoft.Network/privateDnsZones@2020-06-01' = [
  for zoneName in zoneNames: {
    name: zoneName
    location: 'global'
    tags: tags
  }
]

resource links 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = [
  for (zoneName, i) in zoneNames: {
    parent: zones[i]
    name: 'archiver-vnet'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnetId
      }
    }
  }
]
