import { loadAppConfig, type AppConfig } from '../../shared/platform/settings/app-config';
import { AppSettings } from '../../shared/platform/settings/app-settings';

/** The simulator accepts any bearer token; this one only marks requests as the bench's. */
export const BENCH_GRAPH_TOKEN = 'bench-development-token';

/**
 * The app's configuration for a bench run, read by the app's own loader from the settings the
 * local host would give it: Azurite's connection string, the simulator as Graph, and the
 * development token (which the loader accepts for loopback endpoints only).
 */
export function benchAppConfig(options: { storageConnectionString: string; graphEndpoint: string }): AppConfig {
  return loadAppConfig({
    [AppSettings.storage]: options.storageConnectionString,
    [AppSettings.graphEndpoint]: options.graphEndpoint,
    [AppSettings.graphDevToken]: BENCH_GRAPH_TOKEN,
    [AppSettings.blobTriggerSource]: 'LogsAndContainerScan',
  });
}
