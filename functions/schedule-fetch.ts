import { app, type InvocationContext, type Timer } from '@azure/functions';
import { archiverServices, reportSettingsAtStart } from '../shared/app/services';
import { AppSettings } from '../shared/platform/settings/app-settings';
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
  // Resolved by the host (a missing or bad schedule puts this function in error, listed); the
  // app's own check of the value reports it with every other setting at fault.
  schedule: `%${AppSettings.schedule}%`,
  handler: scheduleFetch,
});

// Every setting at fault, named once at start-up; each invocation names them again when it fails.
app.hook.appStart(() => reportSettingsAtStart());
