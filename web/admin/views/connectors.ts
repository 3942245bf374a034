import type { ConnectorOverview } from '../api';
import { h, replace, table } from '../dom';
import { heading, type PageContext } from '../context';
import { lag, when } from '../format';

const STATUS_COLOR: Record<ConnectorOverview['status'], string> = { healthy: 'success', behind: 'warning', failing: 'danger', disabled: 'subtle' };

export function statusBadge(connector: Pick<ConnectorOverview, 'status' | 'statusReason'>): HTMLElement {
  return h(
    'span',
    { class: 'status' },
    h('fluent-badge', { appearance: 'filled', color: STATUS_COLOR[connector.status], class: 'status-badge' }, connector.status),
    ' ',
    h('span', { class: 'reason' }, connector.statusReason),
  );
}

/** The Connectors tab: one row per connector with its state now. */
export async function renderConnectors(ctx: PageContext): Promise<void> {
  const connectors = await ctx.api.get<ConnectorOverview[]>('connectors');
  replace(
    ctx.main,
    heading('Connectors', 'Each connector archives one TeleMessage product into a folder of every mapped mailbox. Unmapped and failed counts are what is outstanding now.'),
    h('div', { class: 'toolbar' }, h('fluent-button', { appearance: 'primary', onclick: () => ctx.go('#/add'), id: 'add-connector' }, 'Add connector')),
    table<ConnectorOverview>(
      'Connectors',
      [
        { header: 'Connector', cell: (c) => h('a', { href: `#/connectors/${encodeURIComponent(c.id)}`, class: 'connector-link' }, c.id) },
        { header: 'Product', cell: (c) => c.productName },
        { header: 'Folder', cell: (c) => c.folderName },
        { header: 'Status', cell: (c) => statusBadge(c) },
        { header: 'Last run', cell: (c) => (c.lastRun === null ? 'never' : `${c.lastRun.status}, ${when(c.lastRun.at ?? c.lastRun.to)}`) },
        { header: 'Behind TeleMessage', cell: (c) => lag(c.lagSeconds) },
        { header: 'Imported today', cell: (c) => c.importedToday, numeric: true },
        { header: 'Unmapped', cell: (c) => h('a', { href: `#/items?connector=${encodeURIComponent(c.id)}&status=unmapped` }, String(c.outstanding.unmapped + c.outstanding.partial)), numeric: true },
        { header: 'Failed', cell: (c) => h('a', { href: `#/items?connector=${encodeURIComponent(c.id)}&status=failed` }, String(c.outstanding.failed + c.outstanding.quarantined)), numeric: true },
      ],
      connectors,
      { empty: 'No connectors yet: add one.', id: 'connectors-table' },
    ),
  );
}
