import { ManagedIdentityCredential } from '@azure/identity';
import type { AppConfig } from '../settings/app-config';
import { ApplicationInsightsTelemetry, functionAppRole } from './application-insights-telemetry';
import { NoTelemetry, type Telemetry } from './telemetry';

/** Application Insights when its connection string is set, signed in with the app's identity in Azure; otherwise none. */
export function createTelemetry(config: AppConfig): Telemetry {
  if (!config.appInsightsConnectionString) return new NoTelemetry();
  const identity = config.graph.auth.kind === 'managed-identity-federation' ? config.graph.auth.managedIdentityClientId : undefined;
  return new ApplicationInsightsTelemetry({
    connectionString: config.appInsightsConnectionString,
    // Local authentication is off on the Application Insights resource: ingest with Entra ID.
    ...(identity ? { credential: new ManagedIdentityCredential({ clientId: identity }) } : {}),
    ...functionAppRole(),
  });
}
