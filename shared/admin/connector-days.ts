import type { ConnectorStore } from '../connectors/connector-store';
import type { ImportStore } from '../outcomes/import-store';
import type { RunStore } from '../schedule/run-store';
import { InvalidAdminInputError } from './admin-errors';
import { connectorIdArgument, parseInstant } from './connector-settings';
import { outstandingStatusOf } from './outstanding-items';
import type { ConnectorDay } from '../wire/admin-api-types';
// The admin API sends these as they are: defined once, with the admin page's other wire types.
export type { ConnectorDay } from '../wire/admin-api-types';

const DAY_MS = 86_400_000;
/** The longest range one request charts. */
export const MAX_CHART_DAYS = 366;
/** Without a range: the last 30 days. */
export const DEFAULT_CHART_DAYS = 30;

/** Per UTC day from `from` (a date, inclusive) to `to` (exclusive; default tomorrow): for the connector page's chart. */
export async function connectorDays(
  request: { connectorId: string; from?: string; to?: string },
  deps: { connectors: ConnectorStore; runs: RunStore; imports: ImportStore; clock?: () => Date },
): Promise<ConnectorDay[]> {
  const id = connectorIdArgument(request.connectorId);
  const now = (deps.clock ?? (() => new Date()))();
  const end = request.to === undefined ? startOfDay(now.getTime()) + DAY_MS : startOfDay(parseInstant(request.to, 'to').getTime());
  const start = request.from === undefined ? end - DEFAULT_CHART_DAYS * DAY_MS : startOfDay(parseInstant(request.from, 'from').getTime());
  if (start >= end) throw new InvalidAdminInputError('to', 'must be at least one day after from');
  if ((end - start) / DAY_MS > MAX_CHART_DAYS) throw new InvalidAdminInputError('from', `the range spans more than ${MAX_CHART_DAYS} days`);
  await deps.connectors.get(id);
  const days = new Map<number, ConnectorDay>();
  for (let t = start; t < end; t += DAY_MS) {
    days.set(t, { day: new Date(t).toISOString().slice(0, 10), fetched: 0, imported: 0, unmapped: 0, partial: 0, failed: 0, quarantined: 0 });
  }
  const [runs, outcomes] = await Promise.all([deps.runs.list(id), deps.imports.listOutcomes(id)]);
  for (const run of runs) {
    // The scheduler splits windows at UTC midnight, so a window belongs to the day it starts in.
    const day = days.get(startOfDay(Date.parse(run.from)));
    if (day !== undefined) day.fetched += run.fetched;
  }
  for (const outcome of outcomes) {
    const at = Date.parse(outcome.archivedAt ?? outcome.firstProcessedAt);
    const day = days.get(startOfDay(at));
    if (day === undefined) continue;
    const status = outstandingStatusOf(outcome);
    if (status === undefined) day.imported += 1;
    else day[status] += 1;
  }
  return [...days.values()];
}

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
