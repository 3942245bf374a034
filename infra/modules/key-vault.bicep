// Key Vault for the TeleMessage credentials (secrets named telemessage-<connectorId>-password).
// Access is authorised with Azure RBAC only, never access policies; soft delete and purge
// protection mean a deleted credential can be recovered for 90 days and cannot be destroyed early.

@description('Globally unique Key Vault name (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the vault.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Whether the vault accepts traffic from public networks. "Disabled" requires a private endpoint and VNet integration for the function app, which this template does not create.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
    }
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('URI of the vault: the KEY_VAULT_URI app setting.')
output uri string = vault.properties.vaultUri
