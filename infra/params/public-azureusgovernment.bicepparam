// Quick start in AzureUSGovernment: the Dedicated plan (no Flex Consumption there), public endpoints.
using '../main.bicep'

param cloud = 'AzureUSGovernment'
param graphClientId = '11111111-2222-4333-8444-555555555555'
