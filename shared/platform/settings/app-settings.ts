/**
 * The names of every app setting the product reads. `infra/` sets these in Azure and
 * `local.settings.sample.json` sets them locally; a test keeps all three in step.
 */
export const AppSettings = {
  storage: 'AzureWebJobsStorage',
  storageAccountName: 'AzureWebJobsStorage__accountName',
  storageCredential: 'AzureWebJobsStorage__credential',
  storageClientId: 'AzureWebJobsStorage__clientId',
  storageBlobServiceUri: 'AzureWebJobsStorage__blobServiceUri',
  storageQueueServiceUri: 'AzureWebJobsStorage__queueServiceUri',
  storageTableServiceUri: 'AzureWebJobsStorage__tableServiceUri',
  /**
   * The SFTP drop zone's account, where TeleMessage's EML export ZIPs land: the `connection` of
   * the importEmlDrop blob trigger. A connection string locally; in Azure an identity-based
   * connection, which the Functions host resolves from the `DropZoneStorage__…` settings.
   */
  dropZoneStorage: 'DropZoneStorage',
  dropZoneBlobServiceUri: 'DropZoneStorage__blobServiceUri',
  dropZoneQueueServiceUri: 'DropZoneStorage__queueServiceUri',
  dropZoneCredential: 'DropZoneStorage__credential',
  dropZoneClientId: 'DropZoneStorage__clientId',
  schedule: 'ARCHIVER_SCHEDULE',
  settlingMinutes: 'ARCHIVER_SETTLING_MINUTES',
  claimLeaseSeconds: 'ARCHIVER_CLAIM_LEASE_SECONDS',
  blobTriggerSource: 'ARCHIVER_BLOB_TRIGGER_SOURCE',
  graphEndpoint: 'GRAPH_ENDPOINT',
  graphAuthorityHost: 'GRAPH_AUTHORITY_HOST',
  graphTenantId: 'GRAPH_TENANT_ID',
  graphClientId: 'GRAPH_CLIENT_ID',
  graphClientSecret: 'GRAPH_CLIENT_SECRET',
  graphDevToken: 'GRAPH_DEV_TOKEN',
  managedIdentityClientId: 'AZURE_CLIENT_ID',
  keyVaultUri: 'KEY_VAULT_URI',
  appInsightsConnectionString: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  reconcileAfterHours: 'ARCHIVER_RECONCILE_AFTER_HOURS',
  manifestSigningKeyId: 'ARCHIVER_MANIFEST_SIGNING_KEY_ID',
  /** The admin page's local stand-in for App Service Authentication: local only, refused in Azure, never set by infra/. */
  adminWebLocalSignIn: 'ADMIN_WEB_LOCAL_SIGNIN',
} as const;

export type AppSettingName = (typeof AppSettings)[keyof typeof AppSettings];

/** Daily at 01:00 UTC, like a nightly archive job; every few minutes works too. */
export const DEFAULT_SCHEDULE = '0 0 1 * * *';

/** Items archived in the last minutes may still be arriving at TeleMessage: windows end this long before now. */
export const DEFAULT_SETTLING_MINUTES = 5;

/**
 * How long an instance's claim on a copy (delivery-claim.ts) and on a mailbox's Graph slot
 * (table-mailbox-limiter.ts) holds without renewal. Holders renew every third of it; when an
 * instance dies, the others take its copies and slots over this long after its last renewal.
 */
export const DEFAULT_CLAIM_LEASE_SECONDS = 60;

/** A UTC day not reconciled this many hours after it ended raises the UnreconciledDays alert. */
export const DEFAULT_RECONCILE_AFTER_HOURS = 6;
