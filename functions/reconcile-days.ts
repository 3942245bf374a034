import { app, type InvocationContext, type Timer } from '@azure/functions';
import { archiverServices } from '../shared/app/services';

/** Reconciles the days the fetch stage has passed and reports the overdue ones; exported for tests. */
export async function reconcileDays(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = archiverServices();
  for (const summary of await services.reconciler.reconcileDue()) {
    const reconciled = summary.checked.filter((d) => d.reconciled).map((d) => d.day);
    const open = summary.checked.filter((d) => !d.reconciled).map((d) => `${d.day} (${d.problemCount} problem(s))`);
    context.log(`Connector ${summary.connectorId}: reconciled ${reconciled.join(', ') || 'no new day'}; not reconciled ${open.join(', ') || 'none'}; overdue ${summary.overdueDays.length}`);
  }
  // The UnreconciledDays alert reads this metric; an idle instance may stop before the next export.
  await services.telemetry.flush();
}

// Hourly, at twenty past: a day is checked within the hour after the fetch stage has passed it.
app.timer('reconcileDays', { schedule: '0 20 * * * *', handler: reconcileDays });
