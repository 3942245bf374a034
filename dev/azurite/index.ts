/** Azurite, started from the project's own dependency: the public API of dev/azurite. */
export { AZURITE_ACCOUNT, AzuriteProcess, azuriteConnectionString, type AzuriteEndpoints, type AzuriteOptions } from './azurite-process';
export type { AzuriteStorage } from './azurite-storage';
