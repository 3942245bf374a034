import type { AdminApi, ConnectorOverview, Me } from './api';
import { ApiError } from './api';
import { h, messageBar, type Attributes, type Child } from './dom';

/** What every view gets: the API, who is signed in, where to render, and how to move on. */
export interface PageContext {
  readonly api: AdminApi;
  readonly me: Me;
  readonly canChange: boolean;
  readonly main: HTMLElement;
  /** Goes to a hash route, e.g. `#/connectors/att-main`. */
  go(route: string): void;
  /** Tells screen readers what just happened (a polite live region). */
  announce(text: string): void;
}

export const READ_ONLY_HINT = 'Read only: changing needs the Connectors.Admin role';

/** A button that changes something: disabled, with the reason, for a reader. */
export function changeButton(ctx: PageContext, label: Child, onclick: (event: Event) => void, attributes: Attributes = {}): HTMLElement {
  return h(
    'fluent-button',
    {
      ...attributes,
      ...(ctx.canChange ? { onclick } : { disabled: true, title: READ_ONLY_HINT, 'aria-description': READ_ONLY_HINT }),
      'data-change': '',
    },
    label,
  );
}

/** A view's heading and a short line under it. */
export function heading(title: string, ...lead: Child[]): HTMLElement {
  document.title = `${title} · TeleMessage archiver`;
  return h('header', { class: 'view-header' }, h('h1', { tabindex: '-1', id: 'view-title' }, title), lead.length > 0 ? h('p', { class: 'lead' }, ...lead) : null);
}

/** An error as the page shows it: the API's own message, which names the field and the cause. */
export function errorBar(error: unknown, id?: string): HTMLElement {
  const message = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  const bar = messageBar('error', message);
  if (id !== undefined) bar.id = id;
  return bar;
}

/** The connectors for a picker; views that work on one connector start with it. */
export async function connectorPicker(ctx: PageContext, selected: string | undefined, onchange: (id: string) => void, options: { label?: string; allowAll?: boolean } = {}): Promise<{ element: HTMLElement; connectors: ConnectorOverview[]; value: string }> {
  const connectors = await ctx.api.get<ConnectorOverview[]>('connectors');
  const select = h(
    'select',
    { id: 'connector-picker', onchange: () => onchange(select.value) },
    options.allowAll === true ? h('option', { value: '' }, 'All connectors') : null,
    ...connectors.map((c) => h('option', { value: c.id, selected: c.id === selected }, `${c.id} (${c.productName})`)),
  );
  const value = selected ?? (options.allowAll === true ? '' : connectors[0]?.id ?? '');
  select.value = value;
  const element = h('div', { class: 'picker' }, h('label', { for: 'connector-picker' }, options.label ?? 'Connector'), select);
  return { element, connectors, value };
}
