/**
 * Child-process entry: one instance of the app importing its share of the item blobs, as one
 * Flex Consumption instance does (its own Graph client, caches and per-mailbox limiter front,
 * the shared limits in Table Storage). Counts its storage requests. Driven by {@link PipelineProcess}.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createArchiverServices } from '../../shared/app/services';
import { benchAppConfig } from './bench-config';
import type { PipelineCommand, PipelineReply } from './pipeline-ipc';
import { runPipelineImport } from './pipeline-import-run';
import { RequestCounter, storageHosts } from './request-counter';
import { RequestTimer } from './request-timer';

let prepared: (() => Promise<PipelineReply>) | undefined;

function reply(message: PipelineReply): void {
  process.send?.(message);
}

process.on('message', (command: PipelineCommand) => {
  if (command.type === 'prepare') {
    const config = benchAppConfig({ storageConnectionString: command.storageConnectionString, graphEndpoint: command.graphEndpoint });
    const services = createArchiverServices(config);
    prepared = async () => {
      const counter = new RequestCounter(storageHosts(command.storageConnectionString));
      const timer = new RequestTimer(storageHosts(command.storageConnectionString));
      const cpuStart = process.cpuUsage();
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const result = await runPipelineImport({ services: [services], blobNames: command.blobNames, parallelismPerInstance: command.parallelism });
      await services.mailboxLimiter.flush();
      delay.disable();
      const cpu = process.cpuUsage(cpuStart);
      const usage = {
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        eventLoopDelayMs: { mean: delay.mean / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
        durationMs: result.durationMs, items: result.items, parallelism: command.parallelism, requests: timer.stop(),
      };
      return { type: 'result', result, storageOperations: counter.stop(), operations: counter.operations, limiter: services.mailboxLimiter.stats, usage };
    };
    reply({ type: 'ready' });
    return;
  }
  const run = prepared;
  if (run === undefined) {
    reply({ type: 'error', message: 'go before prepare' });
    return;
  }
  run()
    .catch((error: unknown): PipelineReply => ({ type: 'error', message: error instanceof Error ? error.message : String(error) }))
    .then((message) => process.send?.(message, () => process.exit(0)));
});
process.on('disconnect', () => process.exit(0));
