import { h, replace } from '../dom';
import { connectorPicker, heading, type PageContext } from '../context';
import { API_ROOT, queryString } from '../api';
import { daysAgo } from '../format';

/** The log of what was imported, skipped and failed, as CSV for any date range. */
export async function renderLog(ctx: PageContext, query: URLSearchParams): Promise<void> {
  const picker = await connectorPicker(ctx, query.get('connector') ?? undefined, () => undefined, { allowAll: true });
  const from = h('input', { type: 'date', id: 'log-from', value: query.get('from') ?? daysAgo(6), required: true });
  const to = h('input', { type: 'date', id: 'log-to', value: query.get('to') ?? daysAgo(0), required: true });
  const link = h('a', { id: 'log-download', class: 'button-link', download: '' }, 'Download CSV');
  const update = (): void => {
    const connector = (picker.element.querySelector('select') as HTMLSelectElement).value;
    // The API's range is [from, to): the last day chosen is included up to its end.
    const end = new Date(Date.parse(`${to.value}T00:00:00Z`) + 86_400_000);
    link.setAttribute('href', `${API_ROOT}log.csv${queryString({ from: `${from.value}T00:00:00Z`, to: Number.isNaN(end.getTime()) ? to.value : end.toISOString(), connector })}`);
  };
  for (const control of [from, to, picker.element]) control.addEventListener('change', update);
  update();
  replace(
    ctx.main,
    heading('Download log', 'One row per item and mailbox: time, connector, item id, kind, source participant, mailbox, outcome and reason. Kept for as long as the app keeps its records, not only 7 days. Safe to open in Excel: no cell starts a formula.'),
    h('div', { class: 'filters' },
      picker.element,
      h('span', { class: 'inline-field' }, h('label', { for: 'log-from' }, 'From (UTC day)'), from),
      h('span', { class: 'inline-field' }, h('label', { for: 'log-to' }, 'To (UTC day, included)'), to),
      link,
    ),
  );
}
