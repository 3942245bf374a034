import { azuriteConnectionString } from '../azurite/azurite-process';
import type { HostSettings } from './host-settings';
import { HostStartupError } from './errors';

export const DEFAULT_STORAGE_CONNECTION = 'AzureWebJobsStorage';

/** What `UseDevelopmentStorage=true` means: Azurite on its default ports. */
export const DEVELOPMENT_STORAGE_CONNECTION_STRING = azuriteConnectionString({ blobPort: 10000, queuePort: 10001, tablePort: 10002 });

/**
 * Resolves a binding's `connection` (an app setting name) to a connection string the way the
 * WebJobs SDK does: the setting itself, else `AzureWebJobs<name>`. The value never appears in
 * an error message.
 */
export function resolveStorageConnectionString(settings: HostSettings, connection: string = DEFAULT_STORAGE_CONNECTION): string {
  const name = connection === '' ? DEFAULT_STORAGE_CONNECTION : connection;
  const candidates = name.startsWith('AzureWebJobs') ? [name] : [name, `AzureWebJobs${name}`];
  for (const candidate of candidates) {
    const value = settings.get(candidate)?.trim();
    if (value === undefined) continue;
    if (/^UseDevelopmentStorage=true;?/i.test(value)) return DEVELOPMENT_STORAGE_CONNECTION_STRING;
    return value;
  }
  for (const candidate of candidates) {
    if (['accountName', 'blobServiceUri', 'queueServiceUri', 'serviceUri'].some((p) => settings.get(`${candidate}__${p}`) !== undefined)) {
      throw new HostStartupError(
        `The storage connection '${candidate}' is identity-based (${candidate}__…), which the local host does not support; ` +
          `set '${candidate}' to a connection string (UseDevelopmentStorage=true for Azurite).`,
      );
    }
  }
  throw new HostStartupError(
    `The storage connection setting '${name}' is not set; add it to local.settings.json Values ` +
      `(UseDevelopmentStorage=true for Azurite on its default ports) or to the environment.`,
  );
}
