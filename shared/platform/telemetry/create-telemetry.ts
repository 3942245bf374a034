import { TelemetryClient } from 'applicationinsights';
import { ManagedIdentityCredential } from '@azure/identity';
import type { AppConfig } from '../settings/app-config';
import { RecordingTelemetry, type Telemetry, type TelemetryEventName, type TelemetryMetricName } from './telemetry';

/** Application Insights custom events and metrics, signed in with the app's identity in Azure. */
export class ApplicationInsightsTelemetry implements Telemetry {
  readonly #client: TelemetryClient;

  constructor(connectionString: string, managedIdentityClientId?: string) {
    this.#client = new TelemetryClient(connectionString);
    // Local authentication is off on the Application Insights resource: ingest with Entra ID.
    if (managedIdentityClientId) this.#client.config.aadTokenCredential = new ManagedIdentityCredential({ clientId: managedIdentityClientId });
    this.#client.initialize();
  }

  event(name: TelemetryEventName, properties: Record<string, string>, measurements: Record<string, number> = {}): void {
    this.#client.trackEvent({ name, properties, measurements });
  }

  metric(name: TelemetryMetricName, value: number, dimensions: Record<string, string>): void {
    this.#client.trackMetric({ name, value, properties: dimensions });
  }

  flush(): Promise<void> {
    return this.#client.flush();
  }
}

export function createTelemetry(config: AppConfig): Telemetry {
  if (!config.appInsightsConnectionString) return new RecordingTelemetry();
  const identity = config.graph.auth.kind === 'managed-identity-federation' ? config.graph.auth.managedIdentityClientId : undefined;
  return new ApplicationInsightsTelemetry(config.appInsightsConnectionString, identity);
}
