import type { ConnectorDay, ConnectorOverview, FetchRun } from '../api';
import { h, messageBar, replace, table, type Child } from '../dom';
import { changeButton, errorBar, heading, type PageContext } from '../context';
import { dayChart } from '../day-chart';
import { daysAgo, lag, when } from '../format';
import { statusBadge } from './connectors';

const CHART_DAYS = 14;

/** One connector: its state, a chart per day, its runs, and what an administrator can do. */
export async function renderConnector(ctx: PageContext, id: string): Promise<void> {
  const path = `connectors/${encodeURIComponent(id)}`;
  const [connector, days, runs] = await Promise.all([
    ctx.api.get<ConnectorOverview>(path),
    ctx.api.get<ConnectorDay[]>(`${path}/days`, { from: daysAgo(CHART_DAYS - 1) }),
    ctx.api.get<FetchRun[]>(`${path}/runs`, { limit: '50' }),
  ]);
  const outcome = h('div', { id: 'action-result', 'aria-live': 'polite' });
  const act = async (what: string, call: () => Promise<unknown>): Promise<void> => {
    try {
      await call();
      ctx.announce(what);
      await renderConnector(ctx, id);
      const result = ctx.main.querySelector('#action-result');
      if (result !== null) replace(result, messageBar('success', what));
    } catch (error) {
      replace(outcome, errorBar(error, 'action-error'));
    }
  };
  const backfillFrom = h('input', { type: 'date', id: 'backfill-from', max: daysAgo(0), value: daysAgo(7) });
  const fact = (term: string, value: Child): Child[] => [h('dt', {}, term), h('dd', {}, value)];
  const outstanding = connector.outstanding;

  replace(
    ctx.main,
    heading(connector.id, connector.productName, ' into the folder "', connector.folderName, '"'),
    h('div', { class: 'toolbar', role: 'group', 'aria-label': 'Actions' },
      connector.enabled
        ? changeButton(ctx, 'Disable', () => void act('Connector disabled.', () => ctx.api.send('PATCH', path, { enabled: false })), { id: 'disable' })
        : changeButton(ctx, 'Enable', () => void act('Connector enabled.', () => ctx.api.send('PATCH', path, { enabled: true })), { id: 'enable' }),
      changeButton(ctx, 'Run now', () => void act('A run was queued.', () => ctx.api.send('POST', `${path}/run`)), { id: 'run-now', appearance: 'primary' }),
      h('span', { class: 'inline-field' }, h('label', { for: 'backfill-from' }, 'Back-fill from'), backfillFrom),
      changeButton(ctx, 'Back-fill', () => void act(`Back-fill from ${backfillFrom.value} queued.`, () => ctx.api.send('POST', `${path}/backfill`, { from: `${backfillFrom.value}T00:00:00Z` })), { id: 'backfill' }),
    ),
    outcome,
    h('section', { 'aria-labelledby': 'state-title' },
      h('h2', { id: 'state-title' }, 'State'),
      h('dl', { class: 'facts', id: 'connector-facts' },
        ...fact('Status', statusBadge(connector)),
        ...fact('Checkpoint', when(connector.checkpoint)),
        ...fact('Behind TeleMessage', lag(connector.lagSeconds)),
        ...fact('Last run', connector.lastRun === null ? 'never' : `${connector.lastRun.status}, ${when(connector.lastRun.at ?? connector.lastRun.to)}`),
        ...fact('Last success', when(connector.lastSuccessAt)),
        ...fact('Imported today', h('span', { id: 'imported-today' }, connector.importedToday)),
        ...fact('Outstanding', h('a', { href: `#/items?connector=${encodeURIComponent(connector.id)}`, id: 'outstanding-link' }, `${outstanding.unmapped} unmapped, ${outstanding.partial} partly imported, ${outstanding.failed} failed, ${outstanding.quarantined} quarantined`)),
        ...fact('Mapping file', connector.mappingFile === null ? 'none' : h('a', { href: `#/mapping?connector=${encodeURIComponent(connector.id)}` }, `${connector.mappingFile.version} (${when(connector.mappingFile.appliedAt)})`)),
        ...fact('Automatic mapping', connector.autoMapping ? 'on' : 'off'),
        ...fact('TeleMessage', `${connector.username} at ${connector.baseUrl}; password in secret ${connector.passwordSecretName}`),
      ),
    ),
    h('section', { 'aria-labelledby': 'chart-title' },
      h('h2', { id: 'chart-title' }, `Items per day, last ${CHART_DAYS} days`),
      dayChart(days),
      h('details', {}, h('summary', {}, 'The numbers'),
        table<ConnectorDay>('Items per day', [
          { header: 'Day', cell: (d) => d.day },
          { header: 'Fetched', cell: (d) => d.fetched, numeric: true },
          { header: 'Imported', cell: (d) => d.imported, numeric: true },
          { header: 'Unmapped', cell: (d) => d.unmapped, numeric: true },
          { header: 'Partly imported', cell: (d) => d.partial, numeric: true },
          { header: 'Failed', cell: (d) => d.failed, numeric: true },
          { header: 'Quarantined', cell: (d) => d.quarantined, numeric: true },
        ], days, { id: 'days-table' }),
      ),
    ),
    h('section', { 'aria-labelledby': 'runs-title' },
      h('h2', { id: 'runs-title' }, 'Runs'),
      table<FetchRun>('Runs', [
        { header: 'Window', cell: (r) => `${when(r.from)} to ${when(r.to)}` },
        { header: 'Status', cell: (r) => r.status },
        { header: 'Attempts', cell: (r) => r.attempts ?? '', numeric: true },
        { header: 'Fetched', cell: (r) => r.fetched ?? '', numeric: true },
        { header: 'Stored', cell: (r) => r.stored ?? '', numeric: true },
        { header: 'Error', cell: (r) => r.error ?? '' },
      ], runs, { empty: 'No runs yet.', id: 'runs-table' }),
    ),
  );
}
