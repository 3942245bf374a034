import type { QueueServiceClient } from '@azure/storage-queue';
import type { ConnectorStore } from '../../connectors/connector-store';
import { Queues } from '../storage/storage-names';
import type { Telemetry } from './telemetry';

/**
 * Metrics the alerts watch, reported on every schedule tick: how far each enabled connector's
 * checkpoint trails now, and how many messages wait in each poison queue.
 */
export async function reportPipelineHealth(options: {
  connectors: ConnectorStore;
  queues: QueueServiceClient;
  telemetry: Telemetry;
  now?: Date;
}): Promise<{ lagSeconds: Record<string, number>; poisonMessages: Record<string, number> }> {
  const now = (options.now ?? new Date()).getTime();
  const lagSeconds: Record<string, number> = {};
  for (const c of await options.connectors.list()) {
    if (!c.enabled) continue;
    lagSeconds[c.id] = Math.max(0, Math.round((now - Date.parse(c.checkpoint)) / 1000));
    options.telemetry.metric('ConnectorLagSeconds', lagSeconds[c.id]!, { connectorId: c.id });
  }
  const poisonMessages: Record<string, number> = {};
  for (const queue of [Queues.fetchJobsPoison, Queues.blobTriggerPoison]) {
    const client = options.queues.getQueueClient(queue);
    const count = (await client.exists()) ? ((await client.getProperties()).approximateMessagesCount ?? 0) : 0;
    poisonMessages[queue] = count;
    options.telemetry.metric('PoisonMessages', count, { queue });
  }
  return { lagSeconds, poisonMessages };
}
