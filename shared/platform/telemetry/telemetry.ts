/**
 * Structured telemetry for administrators (Application Insights customEvents/customMetrics).
 * Properties carry ids, counts and outcomes only: never message text, phone numbers or addresses.
 */
export interface Telemetry {
  event(name: TelemetryEventName, properties: Record<string, string>, measurements?: Record<string, number>): void;
  metric(name: TelemetryMetricName, value: number, dimensions: Record<string, string>): void;
  /** Sends what is buffered: metrics are exported once a minute, and an instance may stop sooner. */
  flush(): Promise<void>;
}

export type TelemetryEventName = 'FetchRun' | 'ItemImport' | 'DayReconciliation' | 'AdminChange';
export type TelemetryMetricName = 'ConnectorLagSeconds' | 'PoisonMessages' | 'UnreconciledDays';

/**
 * Where telemetry goes when no Application Insights is configured: nowhere. A long-running
 * process (the local host, an instance without the setting) must not accumulate it.
 */
export class NoTelemetry implements Telemetry {
  event(): void {}

  metric(): void {}

  async flush(): Promise<void> {}
}

/** Keeps what was emitted, for tests to read; unbounded, so never used by the app itself. */
export class RecordingTelemetry implements Telemetry {
  readonly events: Array<{ name: TelemetryEventName; properties: Record<string, string>; measurements: Record<string, number> }> = [];
  readonly metrics: Array<{ name: TelemetryMetricName; value: number; dimensions: Record<string, string> }> = [];

  event(name: TelemetryEventName, properties: Record<string, string>, measurements: Record<string, number> = {}): void {
    this.events.push({ name, properties, measurements });
  }

  metric(name: TelemetryMetricName, value: number, dimensions: Record<string, string>): void {
    this.metrics.push({ name, value, dimensions });
  }

  async flush(): Promise<void> {}
}

