import './fluent';
import { AdminApi, ApiError, type AdminRole, type Me } from './api';
import { field, h, isChecked, messageBar, replace, valueOf } from './dom';
import { errorBar, type PageContext } from './context';
import { renderConnectors } from './views/connectors';
import { renderWizard } from './views/wizard';
import { renderConnector } from './views/connector';
import { renderItems } from './views/items';
import { renderMapping } from './views/mapping';
import { renderLog } from './views/log';
import { renderAudit } from './views/audit';

/** The views by their hash route; `#/connectors/<id>` is the connector page. */
const NAV = [
  { route: '#/connectors', label: 'Connectors' },
  { route: '#/add', label: 'Add connector' },
  { route: '#/items', label: 'Unmapped and failed' },
  { route: '#/mapping', label: 'Mapping files' },
  { route: '#/log', label: 'Download log' },
  { route: '#/audit', label: 'Audit trail' },
] as const;

const api = new AdminApi();

function parseRoute(hash: string): { path: string[]; query: URLSearchParams } {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

/**
 * Renders the view of the current hash route. Each render writes into a container of its own, so a
 * slow view that finishes after the administrator moved on writes into a detached element, never
 * over the newer view.
 */
async function render(shellCtx: PageContext, nav: HTMLElement): Promise<void> {
  const { path, query } = parseRoute(location.hash);
  const [section = 'connectors', id] = path;
  for (const link of nav.querySelectorAll('a')) {
    const current = link.getAttribute('href') === `#/${section}`;
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = shellCtx.main;
  const view = h('div', { class: 'view' }, h('fluent-spinner', { 'aria-label': 'Loading' }));
  replace(main, view);
  main.removeAttribute('data-view');
  const ctx: PageContext = { ...shellCtx, main: view };
  try {
    if (section === 'connectors' && id !== undefined) await renderConnector(ctx, id);
    else if (section === 'add') await renderWizard(ctx);
    else if (section === 'items') await renderItems(ctx, query);
    else if (section === 'mapping') await renderMapping(ctx, query);
    else if (section === 'log') await renderLog(ctx, query);
    else if (section === 'audit') await renderAudit(ctx, query);
    else await renderConnectors(ctx);
  } catch (error) {
    replace(view, errorBar(error, 'view-error'));
  }
  if (!view.isConnected) return;
  main.setAttribute('data-view', section === 'connectors' && id !== undefined ? 'connector' : section);
  view.querySelector<HTMLElement>('#view-title')?.focus();
}

function localBanner(me: Me): HTMLElement | null {
  if (!me.localSignIn) return null;
  return h(
    'div',
    { class: 'local-banner', role: 'note', id: 'local-banner' },
    h('strong', {}, 'LOCAL'),
    ' Signed in with the local sign-in, which stands in for App Service Authentication on this machine. It cannot be turned on in Azure. ',
    h('fluent-button', { size: 'small', appearance: 'outline', id: 'local-signout', onclick: () => void signOut() }, 'Switch user'),
  );
}

async function signOut(): Promise<void> {
  await api.send('POST', 'local-signout');
  location.reload();
}

function shell(me: Me): void {
  const main = h('main', { id: 'main', tabindex: '-1' });
  const status = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'announce' });
  const nav = h('nav', { 'aria-label': 'Admin sections' }, h('ul', {}, ...NAV.map((n) => h('li', {}, h('a', { href: n.route }, n.label)))));
  const roles = me.roles.length === 0 ? 'no role' : me.roles.join(', ');
  const ctx: PageContext = {
    api,
    me,
    canChange: me.canChange,
    main,
    go: (route) => {
      if (location.hash === route) void render(ctx, nav);
      else location.hash = route;
    },
    announce: (text) => {
      status.textContent = text;
    },
  };
  replace(
    document.body,
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'),
    localBanner(me),
    h(
      'header',
      { class: 'top-bar' },
      h('span', { class: 'product' }, 'TeleMessage archiver · Data connectors'),
      h('span', { class: 'who', id: 'who' }, me.principal.name, ' (', roles, ')', me.canChange ? null : h('fluent-badge', { appearance: 'tint', color: 'warning', id: 'read-only-badge' }, 'Read only')),
    ),
    h('div', { class: 'layout' }, nav, main),
    status,
  );
  window.addEventListener('hashchange', () => void render(ctx, nav));
  void render(ctx, nav);
}

/** Nobody is signed in: the local sign-in form where it is on, otherwise the Entra sign-in. */
function signInPage(): void {
  const error = h('div', { id: 'signin-error' });
  const name = h('fluent-text-input', { id: 'signin-name', value: 'admin@contoso.test', required: true });
  const admin = h('fluent-checkbox', { id: 'role-admin', checked: true });
  const reader = h('fluent-checkbox', { id: 'role-read' });
  const submit = async (): Promise<void> => {
    const roles: AdminRole[] = [];
    if (isChecked(admin)) roles.push('Connectors.Admin');
    if (isChecked(reader)) roles.push('Connectors.Read');
    try {
      await api.send('POST', 'local-signin', { name: valueOf(name).trim(), roles });
      location.reload();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'local-signin-off') {
        replace(error, messageBar('info', 'Sign in with your organisation account: ', h('a', { href: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(location.pathname)}` }, 'Sign in')));
      } else replace(error, errorBar(err));
    }
  };
  document.title = 'Sign in · TeleMessage archiver';
  replace(
    document.body,
    h(
      'main',
      { class: 'signin', id: 'main' },
      h('h1', {}, 'Sign in'),
      h('p', {}, 'In Azure, App Service Authentication signs you in with Microsoft Entra ID. On a development machine, the local sign-in stands in for it: pick a user and roles.'),
      h('form', { id: 'signin-form', onsubmit: (e) => { e.preventDefault(); void submit(); } },
        h('fieldset', {}, h('legend', {}, 'Local sign-in (development only)'),
          field('User name', name),
          field('Connectors.Admin (may change)', admin, { after: true }),
          field('Connectors.Read (may look)', reader, { after: true }),
        ),
        h('fluent-button', { type: 'submit', appearance: 'primary', id: 'signin-submit' }, 'Sign in locally'),
      ),
      h('p', {}, 'In Azure: ', h('a', { href: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(location.pathname)}` }, 'Sign in with Microsoft')),
      error,
    ),
  );
}

async function start(): Promise<void> {
  try {
    shell(await api.me());
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signInPage();
    else replace(document.body, h('main', { id: 'main' }, h('h1', {}, 'The admin page cannot start'), errorBar(error, 'start-error')));
  }
}

void start();
