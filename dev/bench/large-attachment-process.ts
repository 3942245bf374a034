/**
 * Child-process entry: imports one item with a large attachment through the real import service
 * while sampling memory. A process of its own gives a clean baseline (nothing left over from the
 * throughput runs, no simulator or seeding in the same heap); it is started with --expose-gc so
 * the baseline is taken after a full collection.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createArchiverServices } from '../../shared/app/services';
import { Containers } from '../../shared/platform/storage/storage-names';
import { benchAppConfig } from './bench-config';
import type { LargeAttachmentCommand, LargeAttachmentReply } from './large-attachment-ipc';
import { MemorySampler } from './memory-sampler';

async function run(command: LargeAttachmentCommand): Promise<LargeAttachmentReply> {
  const services = createArchiverServices(benchAppConfig({ storageConnectionString: command.storageConnectionString, graphEndpoint: command.graphEndpoint }));
  const items = services.storage.blobs.getContainerClient(Containers.items);
  const importBlob = async (name: string): Promise<{ status: string; error?: string }> => {
    const outcome = await services.importer.importBlob(name, await items.getBlobClient(name).downloadToBuffer());
    const error = outcome.error ?? outcome.mailboxes.find((m) => m.error !== undefined)?.error;
    return { status: outcome.status, ...(error === undefined ? {} : { error }) };
  };

  const warmUp = await importBlob(command.warmUpBlobName);
  if (warmUp.status !== 'imported') throw new Error(`The warm-up item was ${warmUp.status}${warmUp.error ? `: ${warmUp.error}` : ''}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let round = 0; round < 3; round++) {
    gc?.();
    await sleep(50);
  }

  const sampler = MemorySampler.start(command.sampleIntervalMs);
  const started = performance.now();
  const outcomes = await Promise.all(command.blobNames.map((name) => importBlob(name).catch((error: unknown) => ({
    status: 'failed', error: error instanceof Error ? error.message : String(error),
  }))));
  const failed = outcomes.find((o) => o.status !== 'imported');
  const outcome: { status: string; error?: string } = failed ?? { status: 'imported' };
  const durationMs = performance.now() - started;
  const memory = sampler.stop();
  return { type: 'result', ...outcome, durationMs, memory };
}

process.once('message', (command: LargeAttachmentCommand) => {
  run(command)
    .catch((error: unknown): LargeAttachmentReply => ({ type: 'error', message: error instanceof Error ? error.message : String(error) }))
    .then((reply) => process.send?.(reply, () => process.exit(0)));
});
process.on('disconnect', () => process.exit(0));
