import type { AuditEntry } from '../api';
import { h, replace, table } from '../dom';
import { connectorPicker, heading, type PageContext } from '../context';
import { shortJson, when } from '../format';

/** Every change made through the page or the command line: who, when, what, before and after. */
export async function renderAudit(ctx: PageContext, query: URLSearchParams): Promise<void> {
  const connector = query.get('connector') ?? undefined;
  const picker = await connectorPicker(ctx, connector, (id) => ctx.go(id === '' ? '#/audit' : `#/audit?connector=${encodeURIComponent(id)}`), { allowAll: true });
  const entries = await ctx.api.get<AuditEntry[]>('audit', { connector: picker.value, limit: '200' });
  replace(
    ctx.main,
    heading('Audit trail', 'Every change: who made it, when, what, and the record before and after. Secrets are never recorded.'),
    h('div', { class: 'filters' }, picker.element),
    table<AuditEntry>('Audit trail', [
      { header: 'When', cell: (e) => when(e.at) },
      { header: 'Who', cell: (e) => `${e.actor.name} (${e.actor.via})` },
      { header: 'What', cell: (e) => h('span', { class: 'audit-action' }, e.action) },
      { header: 'Connector', cell: (e) => e.connectorId ?? '' },
      { header: 'Details', cell: (e) => h('span', { class: 'json' }, shortJson(e.details)) },
      { header: 'Before', cell: (e) => h('span', { class: 'json' }, shortJson(e.before)) },
      { header: 'After', cell: (e) => h('span', { class: 'json' }, shortJson(e.after)) },
    ], entries, { empty: 'No changes recorded yet.', id: 'audit-table' }),
  );
}
