// The user-assigned managed identity the function app runs as. One identity carries every data
// role (storage, Key Vault, Application Insights) and is the subject the Graph app registration's
// federated credential trusts, so it must outlive redeployments of the app itself.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource ID of the identity.')
output id string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Client (application) ID of the identity: AZURE_CLIENT_ID and AzureWebJobsStorage__clientId.')
output clientId string = identity.properties.clientId

@description('Object (principal) ID of the identity: the subject of the federated identity credential.')
output principalId string = identity.properties.principalId
