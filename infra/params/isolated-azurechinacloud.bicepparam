// A bank's deployment in AzureChinaCloud: network isolation, audit logs, operator and auditor groups,
// the immutable raw archive, alerts, the admin web page's sign-in and an SFTP drop zone all on.
using '../main.bicep'

param cloud = 'AzureChinaCloud'
param graphClientId = '11111111-2222-4333-8444-555555555555'
param networkIsolation = true
param deploymentAllowedIpRanges = [
  '203.0.113.0/28'
]
param storageSku = 'Standard_ZRS'
param auditLogRetentionInDays = 2557
param actionGroupResourceId = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-archiver'
param operatorGroupObjectIds = [
  '0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e'
]
param auditorGroupObjectIds = [
  '5f5f5f5f-6a6a-4b7b-8c8c-9d9d9d9d9d9d'
]
param archiveRetentionDays = 2557
param adminWebClientId = '99999999-8888-4777-8666-555555555555'
param dropZoneConnectors = [
  {
    connectorId: 'att-main'
    sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk3c2VkIGluIHRoZSBwb3N0dXJlIHRlc3Qgb25seQ telemessage'
  }
]
param dropZoneAllowedIpRanges = [
  '198.51.100.0/28'
]
