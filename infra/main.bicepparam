// Parameters of `azd up` (azure.yaml), read from the azd environment (`azd env set NAME VALUE`).
// GRAPH_CLIENT_ID is required; the others default to the quick start. For the bank's path set
// ARCHIVER_NETWORK_ISOLATION=true and the group IDs (docs/deployment.md).
using 'main.bicep'

param location = readEnvironmentVariable('AZURE_LOCATION', 'eastus2')
param baseName = readEnvironmentVariable('ARCHIVER_BASE_NAME', 'tmarchiver')
param cloud = readEnvironmentVariable('ARCHIVER_CLOUD', 'AzureCloud')
param graphClientId = readEnvironmentVariable('GRAPH_CLIENT_ID')
param networkIsolation = bool(readEnvironmentVariable('ARCHIVER_NETWORK_ISOLATION', 'false'))
param actionGroupResourceId = readEnvironmentVariable('ARCHIVER_ACTION_GROUP_ID', '')
param operatorGroupObjectIds = empty(readEnvironmentVariable('ARCHIVER_OPERATOR_GROUP_ID', ''))
  ? []
  : [
      readEnvironmentVariable('ARCHIVER_OPERATOR_GROUP_ID', '')
    ]
param auditorGroupObjectIds = empty(readEnvironmentVariable('ARCHIVER_AUDITOR_GROUP_ID', ''))
  ? []
  : [
      readEnvironmentVariable('ARCHIVER_AUDITOR_GROUP_ID', '')
    ]
param adminWebClientId = readEnvironmentVariable('ARCHIVER_ADMIN_WEB_CLIENT_ID', '')
