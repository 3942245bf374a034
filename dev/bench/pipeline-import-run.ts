import { performance } from 'node:perf_hooks';
import { buffer } from 'node:stream/consumers';
import { createArchiverServices, type ArchiverServices } from '../../shared/app/services';
import type { AppConfig } from '../../shared/platform/settings/app-config';
import { mapWithConcurrency } from '../../shared/platform/concurrency/bounded-map';
import type { ItemOutcomeStatus } from '../../shared/outcomes/item-outcome';
import { Containers } from '../../shared/platform/storage/storage-names';

export interface PipelineRunOptions {
  /** The app's wiring, one per instance; or `config` and `instances` to wire them here. */
  services?: ArchiverServices[];
  config?: AppConfig;
  /** Item blobs in `archive-items`, as the blob trigger would name them. */
  blobNames: readonly string[];
  /**
   * Function app instances: each gets its own services (own Graph client, per-mailbox limiter,
   * folder and directory caches), as separate instances would. They share one process here, so
   * this models their uncoordinated limits, not their extra CPUs.
   */
  instances?: number;
  /** Invocations in parallel per instance (host.json `extensions.blobs.maxDegreeOfParallelism`). */
  parallelismPerInstance: number;
  /** Invocations of one blob before it is given up (the blob trigger's maxDequeueCount, 5). */
  maxAttempts?: number;
}

export interface PipelineRunResult {
  items: number;
  durationMs: number;
  /** Items by their final outcome; `failed` counts items that failed every attempt. */
  outcomes: Partial<Record<ItemOutcomeStatus, number>>;
  /** Invocations beyond the first (an invocation that threw, retried as the host would). */
  retries: number;
  /** The first few failure messages, for the report. */
  failures: string[];
}

/**
 * The import stage as the blob trigger drives it: for each item blob, an invocation reads the
 * blob's bytes (one GET, as the host does) and calls the real `ImportItemService.importBlob`, with a bounded number of
 * invocations in parallel per instance; an invocation that throws is run again.
 */
export async function runPipelineImport(options: PipelineRunOptions): Promise<PipelineRunResult> {
  const { blobNames, parallelismPerInstance } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const config = options.config;
  const services: ArchiverServices[] = options.services
    ?? (config === undefined ? [] : Array.from({ length: options.instances ?? 1 }, () => createArchiverServices(config)));
  if (services.length === 0) throw new TypeError('runPipelineImport: give services, or config and instances');
  const instances = services.length;
  const result: PipelineRunResult = { items: blobNames.length, durationMs: 0, outcomes: {}, retries: 0, failures: [] };
  let next = 0;
  const started = performance.now();
  // One worker per invocation slot; all slots take the next blob from one shared feed, as
  // Event Grid spreads a burst over instances.
  await mapWithConcurrency(Array.from({ length: instances * parallelismPerInstance }, (_, slot) => slot), instances * parallelismPerInstance, async (slot) => {
    const instance = services[Math.floor(slot / parallelismPerInstance)] as ArchiverServices;
    const items = instance.storage.blobs.getContainerClient(Containers.items);
    while (next < blobNames.length) {
      const name = blobNames[next++] as string;
      let status: ItemOutcomeStatus = 'failed';
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        if (attempt > 1) result.retries += 1;
        try {
          // One GET, as the Functions host reads a triggering blob (`downloadToBuffer` would ask
          // for the blob's properties first: a request the product never makes).
          const body = (await items.getBlobClient(name).download()).readableStreamBody;
          if (body === undefined) throw new Error(`${name}: the blob's download has no body`);
          const bytes = await buffer(body);
          status = (await instance.importer.importBlob(name, bytes)).status;
          break;
        } catch (error) {
          if (result.failures.length < 5) result.failures.push(`${name} (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      result.outcomes[status] = (result.outcomes[status] ?? 0) + 1;
    }
  });
  result.durationMs = performance.now() - started;
  return result;
}
