import type { TokenCredential } from '@azure/identity';
import type { AppConfig } from '../settings/app-config';
import { ApplicationInsightsTelemetry, functionAppRole } from './application-insights-telemetry';
import { NoTelemetry, type Telemetry } from './telemetry';

/**
 * Application Insights when its connection string is set, otherwise none.
 *
 * @param managedIdentity the app's one managed identity, present in Azure: local authentication
 *   is off on the Application Insights resource, so ingestion signs in with Entra ID.
 */
export function createTelemetry(config: AppConfig, managedIdentity?: TokenCredential): Telemetry {
  if (!config.appInsightsConnectionString) return new NoTelemetry();
  return new ApplicationInsightsTelemetry({
    connectionString: config.appInsightsConnectionString,
    ...(managedIdentity ? { credential: managedIdentity } : {}),
    ...functionAppRole(),
  });
}
