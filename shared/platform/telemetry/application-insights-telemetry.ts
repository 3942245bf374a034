import { hostname } from 'node:os';
import type { TokenCredential } from '@azure/identity';
import { AzureMonitorLogExporter, AzureMonitorMetricExporter, type AzureMonitorExporterOptions } from '@azure/monitor-opentelemetry-exporter';
import type { Histogram } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { Telemetry, TelemetryEventName, TelemetryMetricName } from './telemetry';

/** The log record attribute the Azure Monitor exporter turns into a customEvents row of that name. */
const CUSTOM_EVENT_NAME = 'microsoft.custom_event.name';

export interface ApplicationInsightsTelemetryOptions {
  connectionString: string;
  /** Entra ID sign-in for ingestion (local authentication is off on our Application Insights). */
  credential?: TokenCredential;
  /** `cloud_RoleName` and `cloud_RoleInstance`, as the Functions host reports them for its own rows. */
  roleName: string;
  roleInstance: string;
  /** How often metrics are exported; the host's own metrics go once a minute too. */
  metricExportIntervalMs?: number;
  /** Certificate authorities to trust for the ingestion endpoint (a private endpoint; the tests' loopback stand-in). */
  trustedCertificates?: string;
}

/**
 * Custom events and metrics sent with the Azure Monitor OpenTelemetry exporter alone: an
 * OpenTelemetry logger whose records carry `microsoft.custom_event.name` becomes `customEvents`
 * (properties in customDimensions, the body's measurements in customMeasurements), and histogram
 * instruments become `customMetrics` (sum, count, min, max per export interval). No
 * instrumentation and no global provider: the Functions host already reports requests,
 * exceptions and traces, and this keeps the package small (docs/monitoring.md, "The telemetry
 * dependency").
 */
export class ApplicationInsightsTelemetry implements Telemetry {
  readonly #loggerProvider: LoggerProvider;
  readonly #meterProvider: MeterProvider;
  readonly #logger: Logger;
  readonly #histograms = new Map<TelemetryMetricName, Histogram>();

  constructor(options: ApplicationInsightsTelemetryOptions) {
    const exporterOptions: AzureMonitorExporterOptions = {
      connectionString: options.connectionString,
      ...(options.credential ? { credential: options.credential } : {}),
      ...(options.trustedCertificates ? { tlsOptions: { ca: options.trustedCertificates } } : {}),
    };
    const resource = resourceFromAttributes({ 'service.name': options.roleName, 'service.instance.id': options.roleInstance });
    this.#loggerProvider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor(new AzureMonitorLogExporter(exporterOptions))],
    });
    this.#logger = this.#loggerProvider.getLogger('telemessage-archiver');
    this.#meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new AzureMonitorMetricExporter(exporterOptions),
          exportIntervalMillis: options.metricExportIntervalMs ?? 60_000,
        }),
      ],
    });
  }

  event(name: TelemetryEventName, properties: Record<string, string>, measurements: Record<string, number> = {}): void {
    this.#logger.emit({ body: { measurements }, attributes: { ...properties, [CUSTOM_EVENT_NAME]: name } });
  }

  metric(name: TelemetryMetricName, value: number, dimensions: Record<string, string>): void {
    let histogram = this.#histograms.get(name);
    if (!histogram) {
      histogram = this.#meterProvider.getMeter('telemessage-archiver').createHistogram(name);
      this.#histograms.set(name, histogram);
    }
    histogram.record(value, dimensions);
  }

  async flush(): Promise<void> {
    await Promise.all([this.#loggerProvider.forceFlush(), this.#meterProvider.forceFlush()]);
  }

  /** Flushes and stops the export timers. */
  async shutdown(): Promise<void> {
    await Promise.all([this.#loggerProvider.shutdown(), this.#meterProvider.shutdown()]);
  }
}

/** The role name and instance the Functions host gives its own telemetry on App Service plans. */
export function functionAppRole(env: Readonly<Record<string, string | undefined>> = process.env): { roleName: string; roleInstance: string } {
  return {
    roleName: env['WEBSITE_SITE_NAME'] || 'telemessage-archiver',
    roleInstance: env['WEBSITE_INSTANCE_ID'] || hostname(),
  };
}
