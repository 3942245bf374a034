// Quick start in the public cloud: Flex Consumption, public endpoints, every optional feature off.
using '../main.bicep'

param graphClientId = '11111111-2222-4333-8444-555555555555'
