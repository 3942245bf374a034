import type { OutstandingItem, OutstandingStatus } from '../api';
import { h, messageBar, replace, table, type Child } from '../dom';
import { changeButton, connectorPicker, errorBar, heading, type PageContext } from '../context';
import { when } from '../format';

interface ReplayResult {
  replayed: string[];
  missing: string[];
  failed: { itemId: string; error: string }[];
  notOutstanding?: string[];
}

const STATUSES: readonly OutstandingStatus[] = ['unmapped', 'partial', 'failed', 'quarantined'];

function participants(item: OutstandingItem): HTMLElement {
  return h('ul', { class: 'participants' }, ...item.participants.map((p) =>
    h('li', {}, h('span', { class: 'participant' }, p.participant), ': ', p.outcome, p.mailbox === undefined ? null : ` → ${p.mailbox}`, p.reason === undefined ? null : h('span', { class: 'reason' }, ` (${p.reason})`))),
    item.unmappedTotal !== undefined && item.unmappedTotal > item.participants.filter((p) => p.outcome === 'unmapped').length ? h('li', {}, `… ${item.unmappedTotal} unmapped in all`) : null,
  );
}

/** Items not imported into every mailbox, with the reason per participant, and replay. */
export async function renderItems(ctx: PageContext, query: URLSearchParams): Promise<void> {
  const filter = {
    connector: query.get('connector') ?? undefined,
    status: query.get('status') ?? undefined,
    reason: query.get('reason') ?? undefined,
    number: query.get('number') ?? undefined,
    from: query.get('from') ?? undefined,
    to: query.get('to') ?? undefined,
  };
  const picker = await connectorPicker(ctx, filter.connector, () => undefined);
  const connectorId = picker.value;
  const { items } = connectorId === '' ? { items: [] as OutstandingItem[] } : await ctx.api.get<{ items: OutstandingItem[] }>('items', { ...filter, connector: connectorId });
  const selected = new Set<string>();
  const outcome = h('div', { id: 'replay-result', 'aria-live': 'polite' });

  const replay = async (body: Record<string, unknown>): Promise<void> => {
    try {
      const result = await ctx.api.send<ReplayResult>('POST', 'items/replay', { connector: connectorId, ...body });
      const parts = [`${result.replayed.length} item(s) queued for import again`];
      if (result.missing.length > 0) parts.push(`${result.missing.length} missing from the archive`);
      if (result.failed.length > 0) parts.push(`${result.failed.length} could not be queued (${result.failed.map((f) => `${f.itemId}: ${f.error}`).join('; ')})`);
      if ((result.notOutstanding?.length ?? 0) > 0) parts.push(`${result.notOutstanding!.length} no longer outstanding`);
      replace(outcome, messageBar(result.failed.length > 0 ? 'warning' : 'success', `${parts.join('; ')}. `, h('a', { href: location.hash, id: 'refresh-items', onclick: () => ctx.go(location.hash) }, 'Refresh to see the outcome')));
      ctx.announce(parts.join('; '));
    } catch (error) {
      replace(outcome, errorBar(error, 'replay-error'));
    }
  };

  const itemTable = (caption: string, rows: OutstandingItem[], id: string): HTMLElement =>
    table<OutstandingItem>(caption, [
      {
        header: 'Select',
        cell: (item) => h('input', {
          type: 'checkbox', class: 'select-item', 'aria-label': `Select ${item.itemId}`, value: item.itemId, disabled: !ctx.canChange,
          onchange: (e) => ((e.target as HTMLInputElement).checked ? selected.add(item.itemId) : selected.delete(item.itemId)),
        }),
      },
      { header: 'Item', cell: (item) => h('code', { class: 'item-id' }, item.itemId) },
      { header: 'Status', cell: (item) => item.status },
      { header: 'Archived', cell: (item) => when(item.archivedAt) },
      { header: 'Reason', cell: (item) => item.reason },
      { header: 'Participants', cell: (item) => participants(item) },
      { header: 'Attempts', cell: (item) => item.attempts, numeric: true },
      { header: 'Action', cell: (item) => changeButton(ctx, 'Replay', () => void replay({ ids: [item.itemId] }), { size: 'small', class: 'replay-one', 'aria-label': `Replay ${item.itemId}` }) },
    ], rows, { empty: 'None.', id });

  const input = (name: string, label: string, value: string | undefined, type = 'text'): Child =>
    h('span', { class: 'inline-field' }, h('label', { for: `filter-${name}` }, label), h('input', { id: `filter-${name}`, name, type, value: value ?? '' }));
  const form = h('form', { class: 'filters', id: 'item-filters', role: 'search', 'aria-label': 'Filter items' },
    picker.element,
    h('span', { class: 'inline-field' }, h('label', { for: 'filter-status' }, 'Status'),
      h('select', { id: 'filter-status', name: 'status' }, h('option', { value: '' }, 'Any'), ...STATUSES.map((s) => h('option', { value: s, selected: s === filter.status }, s)))),
    input('reason', 'Reason contains', filter.reason),
    input('number', 'Number or address', filter.number),
    input('from', 'From', filter.from, 'date'),
    input('to', 'To', filter.to, 'date'),
    h('fluent-button', { type: 'submit', id: 'apply-filter' }, 'Filter'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const params = new URLSearchParams();
    params.set('connector', String((form.querySelector('#connector-picker') as HTMLSelectElement).value));
    for (const [name, value] of data) if (typeof value === 'string' && value !== '' && name !== '') params.set(name, value);
    ctx.go(`#/items?${params.toString()}`);
  });

  const partial = items.filter((i) => i.status === 'partial');
  const notImported = items.filter((i) => i.status !== 'partial');
  replace(
    ctx.main,
    heading('Unmapped and failed items', 'What is outstanding now. Fix the mapping first, then replay: each item is imported once into each mailbox it lacks.'),
    form,
    h('div', { class: 'toolbar' },
      changeButton(ctx, 'Replay selected', () => void replay({ ids: [...selected] }), { id: 'replay-selected' }),
      changeButton(ctx, 'Replay all shown', () => void replay({ all: true, filter: Object.fromEntries(Object.entries({ ...filter, connector: undefined }).filter(([, v]) => v !== undefined && v !== '')) }), { id: 'replay-all' }),
    ),
    outcome,
    h('section', { 'aria-labelledby': 'not-imported-title' }, h('h2', { id: 'not-imported-title' }, `Not imported (${notImported.length})`), itemTable('Items not imported', notImported, 'items-table')),
    h('section', { 'aria-labelledby': 'partial-title' },
      h('h2', { id: 'partial-title' }, `Imported for some participants only (${partial.length})`),
      h('p', {}, 'These reached some mailboxes but left a participant unmapped. After the mapping is fixed, a replay adds only the missing copies.'),
      itemTable('Partly imported items', partial, 'partial-table'),
    ),
  );
}
