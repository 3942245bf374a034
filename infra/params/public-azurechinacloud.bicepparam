// Quick start in AzureChinaCloud: the Dedicated plan (no Flex Consumption there), public endpoints.
using '../main.bicep'

param cloud = 'AzureChinaCloud'
param graphClientId = '11111111-2222-4333-8444-555555555555'
