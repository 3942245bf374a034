import { app, type InvocationContext, type Timer } from '@azure/functions';
import { appConfig, archiverServices } from '../shared/app/services';
import { reportPipelineHealth } from '../shared/platform/telemetry/pipeline-health';

/** Queues every connector's due windows; exported so a test can call it with its own `InvocationContext`. */
export async function scheduleFetch(timer: Timer, context: InvocationContext): Promise<void> {
  const services = archiverServices();
  const scheduled = await services.scheduler.scheduleAll();
  for (const s of scheduled) {
    context.log(`Connector ${s.connectorId}: queued ${s.queued.length} fetch window(s), ${s.skipped} already in flight${timer.isPastDue ? ' (past due)' : ''}`);
  }
  await reportPipelineHealth({ connectors: services.connectors, queues: services.storage.queues, telemetry: services.telemetry });
  // The alerts read these metrics; an instance idle after a daily tick may stop before the next export.
  await services.telemetry.flush();
}

app.timer('scheduleFetch', {
  schedule: appConfig().schedule,
  handler: scheduleFetch,
});
