import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { startTestAzurite } from '../support/test-azurite';
import { LocalEnvironment } from '../../dev/demo/local-environment';
import { repoRoot } from '../../dev/demo/paths';
import { loadScenario } from '../../dev/scenario/scenario';
import type { HostProcess } from '../../dev/host';
import { singleDayAnchor } from '../e2e/pipeline-fixture';
import { TestBrowser } from './browser';

/**
 * The admin page as a new administrator uses it, in headless Chromium against the local host
 * with the app's real HTTP functions, Azurite and both simulators (the Fabrikam mapping scenario,
 * dev/scenarios/mapping). One browser and one page for the whole file; every step waits on what
 * the page shows or on the host's drained answer, never on a fixed time. Each page's screenshot
 * is written to docs/admin-web/ (docs/admin-web.md shows them).
 */

const SCENARIO = path.join(repoRoot(), 'dev', 'scenarios', 'mapping');
/**
 * Screenshots go to .work/admin-web so that a test run leaves the clone unchanged; to refresh the
 * ones docs/admin-web.md shows, run this file with ADMIN_PAGE_SCREENSHOTS=docs/admin-web.
 */
const SHOTS = path.resolve(repoRoot(), process.env.ADMIN_PAGE_SCREENSHOTS ?? path.join('.work', 'admin-web'));
const CONNECTOR = 'fabrikam-att';
const TM_USER = 'fabrikam-archive';
const TM_PASSWORD = 'mapping-demo-Tm-2026!';
const LEO_NUMBER = '+14255550104';
const LEO = 'leo.martin@fabrikam.com';

/** Priya, Yuki and Nora, without Leo (his items stay unmapped until the correction). */
const FIRST_MAPPING = 'Display Name,Mobile Number,UserPrincipalName\nPriya Shah,(425) 555-0101,priya.shah@fabrikam.com\nYuki Tanaka,+1 425 555 0103,yuki.tanaka@fabrikam.com\nNora Quinn,+1 425 555 0105,nora.quinn@fabrikam.com\n';
/** The same with two mistakes: a number that is no number (line 3) and an address that is none (line 4). */
const BROKEN_MAPPING = 'Display Name,Mobile Number,UserPrincipalName\nPriya Shah,(425) 555-0101,priya.shah@fabrikam.com\nYuki Tanaka,not a number,yuki.tanaka@fabrikam.com\nNora Quinn,+1 425 555 0105,nora.quinn at fabrikam\n';

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Types into a Fluent text input (its native input lives in the open shadow root). */
async function fill(page: Page, id: string, value: string): Promise<void> {
  await page.locator(`#${id} input`).fill(value);
}

async function messagesIn(environment: LocalEnvironment, user: string): Promise<number> {
  const mailbox = environment.graph.mailbox(user);
  return mailbox === undefined ? 0 : mailbox.folders.reduce((n, f) => n + f.messages.length, 0);
}

describe('the admin page in a browser', () => {
  let work: string;
  let environment: LocalEnvironment;
  let host: HostProcess;
  let browser: TestBrowser;
  let page: Page;

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'admin-page-'));
    await mkdir(SHOTS, { recursive: true });
    const scenario = await loadScenario(SCENARIO);
    const azurite = await startTestAzurite();
    environment = await LocalEnvironment.start({ scenarioDir: SCENARIO, azurite, graphDataDir: path.join(work, 'graph'), rebaseToNow: singleDayAnchor(scenario, new Date()) });
    // The host's working folder takes the local.settings.json the wizard writes the password to.
    host = await environment.startHost({ secrets: {}, cwd: work, echo: process.env['E2E_ECHO'] === '1' });
    browser = await TestBrowser.launch({ baseURL: `http://127.0.0.1:${host.port}` });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await environment?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  test('the local host sends /admin to the page, served with a strict Content-Security-Policy', async () => {
    const response = await page.goto('/admin');
    assert.equal(new URL(page.url()).pathname, '/api/admin/ui/');
    const csp = response?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    await page.locator('#signin-form').waitFor();
    await shot(page, 'sign-in');
  });

  test('an administrator signs in locally and sees the page marked as local', async () => {
    await fill(page, 'signin-name', 'ana@fabrikam.com');
    await page.click('#signin-submit');
    await page.locator('#local-banner').waitFor();
    assert.match(await page.locator('#who').innerText(), /ana@fabrikam\.com \(Connectors\.Admin\)/);
    await page.locator('#connectors-table').waitFor();
    assert.match(await page.locator('#connectors-table').innerText(), /No connectors yet/);
    // By keyboard: each view puts the focus on its heading, so Tab goes on to the view's first control;
    // a section link opens with Enter.
    assert.equal(await page.evaluate('document.activeElement?.id'), 'view-title');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'add-connector');
    await page.locator('nav a[href="#/audit"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('main[data-view="audit"]').waitFor();
    assert.equal(await page.evaluate('document.activeElement?.id'), 'view-title');
    await page.locator('nav a[href="#/connectors"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('main[data-view="connectors"] #add-connector').waitFor();
  });

  test('the wizard adds an AT&T connector: a wrong password first, then the right one; a mapping file with errors, then fixed', async () => {
    await page.click('#add-connector');
    await page.locator('#product-att-network').waitFor();
    await shot(page, 'wizard-product');
    await page.click('#product-att-network');
    await fill(page, 'connector-id', CONNECTOR);
    await page.click('#wizard-next');

    await page.locator('#terms-text').waitFor();
    await page.click('#wizard-next');
    assert.match(await page.locator('#step-problem').innerText(), /Accept the terms/);
    await page.click('#accept-terms');
    await page.click('#wizard-next');

    await fill(page, 'tm-base-url', environment.teleMessage.url);
    await fill(page, 'tm-username', TM_USER);
    await fill(page, 'tm-password', 'not-the-password');
    await page.click('#check-signin');
    await page.locator('#signin-error').waitFor();
    assert.match(await page.locator('#signin-error').innerText(), /TeleMessage/i);
    await shot(page, 'wizard-signin-rejected');
    await fill(page, 'tm-password', TM_PASSWORD);
    await page.click('#check-signin');
    await page.getByText('TeleMessage accepted this sign-in.').waitFor();
    await page.click('#wizard-next');

    // A file with errors: each shown with its line; the wizard will not go on.
    await page.locator('#mapping-file').setInputFiles({ name: 'fabrikam.csv', mimeType: 'text/csv', buffer: Buffer.from(BROKEN_MAPPING) });
    await page.locator('#preview-problems').waitFor();
    const problems = await page.locator('#preview-problems tbody tr').allInnerTexts();
    assert.ok(problems.some((row) => /^3\b[\s\S]*error/.test(row)), `line 3 is named: ${problems.join(' | ')}`);
    assert.ok(problems.some((row) => /^4\b[\s\S]*error/.test(row)), `line 4 is named: ${problems.join(' | ')}`);
    await shot(page, 'wizard-mapping-errors');
    await page.click('#wizard-next');
    assert.match(await page.locator('#step-problem').innerText(), /has errors/);

    await page.locator('#mapping-file').setInputFiles({ name: 'fabrikam.csv', mimeType: 'text/csv', buffer: Buffer.from(FIRST_MAPPING) });
    await page.getByText('The file is valid: 3 rows, 3 mapped users.').waitFor();
    await page.click('#wizard-next');

    await page.locator('#start-from').waitFor();
    await page.click('#wizard-next');
    await page.locator('#review').waitFor();
    assert.match(await page.locator('#review').innerText(), /fabrikam\.csv: 3 rows, 3 mapped users/);
    assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(TM_PASSWORD.replace(/[!]/g, '\\$&')));
    await shot(page, 'wizard-review');
    await page.click('#wizard-finish');
    await page.locator('main[data-view="connector"] #connector-facts').waitFor();
    assert.equal(await page.locator('#view-title').innerText(), CONNECTOR);
  });

  test('the demo items arrive on the connector page', async () => {
    const queued = page.waitForResponse((r) => r.url().endsWith(`/api/admin/connectors/${CONNECTOR}/run`));
    await page.click('#run-now');
    assert.equal((await queued).status(), 202);
    await page.locator('#action-result fluent-message-bar').waitFor();
    await environment.waitForDrained({ timeoutMs: 180_000, settleMs: 0 });
    await page.reload();
    await page.locator('#day-chart').waitFor();
    const imported = Number(await page.locator('#imported-today').innerText());
    assert.ok(imported > 0, `imported today: ${imported}`);
    const series = async (name: string): Promise<number> =>
      (await page.locator(`#day-chart rect[data-series="${name}"]`).evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))))).reduce((a, b) => a + b, 0);
    // The Fabrikam scenario: ten SMS, seven imported for some participants, three unmapped.
    assert.deepEqual({ fetched: await series('fetched'), imported: (await series('imported')) + (await series('partial')), unmapped: await series('unmapped') }, { fetched: 10, imported: 7, unmapped: 3 });
    assert.match(await page.locator('#runs-table').innerText(), /succeeded/);
    await shot(page, 'connector');
    await page.click('nav a[href="#/connectors"]');
    await page.locator('#connectors-table table').waitFor();
    assert.match(await page.locator('#connectors-table').innerText(), /AT&T/);
    await shot(page, 'connectors');
  });

  let leoItems: string[] = [];

  test("the unmapped items list Leo's number with the reason per participant", async () => {
    await page.goto(`/api/admin/ui/#/items?connector=${CONNECTOR}&number=${encodeURIComponent(LEO_NUMBER)}`);
    await page.locator('#items-table').waitFor();
    leoItems = await page.locator('#items-table .item-id').allInnerTexts();
    assert.ok(leoItems.length >= 1, 'an item of Leo is unmapped');
    assert.match(await page.locator('#items-table').innerText(), /unmapped/);
    assert.equal(await messagesIn(environment, LEO), 0);
    await page.goto(`/api/admin/ui/#/items?connector=${CONNECTOR}`);
    await page.locator('#partial-title').waitFor();
    await shot(page, 'items');
  });

  test('the corrected mapping file is checked, applied, compared with the first, and Leo\'s item replayed is imported once', async () => {
    await page.goto(`/api/admin/ui/#/mapping?connector=${CONNECTOR}`);
    await page.locator('#versions-table').waitFor();
    const corrected = await readFile(path.join(SCENARIO, 'mapping', 'corrected.csv'));
    await page.locator('#mapping-upload').setInputFiles({ name: 'corrected.csv', mimeType: 'text/csv', buffer: corrected });
    await page.locator('#apply-mapping').waitFor();
    await page.click('#apply-mapping');
    await page.locator('#versions-table tbody tr:nth-child(2)').waitFor();
    await page.click('#show-diff');
    await page.locator('#diff-summary').waitFor();
    assert.match(await page.locator('#diff-summary').innerText(), /^1 added, 0 removed, 0 changed, 3 unchanged/);
    assert.match(await page.locator('#diff-table').innerText(), new RegExp(LEO.replace(/\./g, '\\.')));
    await shot(page, 'mapping');

    const [first, ...rest] = leoItems;
    await page.goto(`/api/admin/ui/#/items?connector=${CONNECTOR}&number=${encodeURIComponent(LEO_NUMBER)}`);
    await page.locator('#items-table').waitFor();
    await page.locator('#items-table tr', { hasText: first! }).locator('.replay-one').click();
    await page.locator('#replay-result fluent-message-bar').waitFor();
    assert.match(await page.locator('#replay-result').innerText(), /^1 item\(s\) queued/);
    await environment.waitForDrained({ timeoutMs: 120_000, settleMs: 0 });
    await page.click('#refresh-items');
    await page.locator('#items-table, #items-table.empty').first().waitFor();
    const still = rest.length === 0 ? [] : await page.locator('#items-table .item-id').allInnerTexts();
    assert.deepEqual(still.sort(), [...rest].sort());
    assert.equal(await messagesIn(environment, LEO), 1, 'the replayed item is in Leo\'s mailbox once');
  });

  test('the log downloads as CSV with a row per item and mailbox', async () => {
    await page.goto('/api/admin/ui/#/log');
    await page.locator('#log-download').waitFor();
    await shot(page, 'log');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#log-download')]);
    const file = path.join(work, 'log.csv');
    await download.saveAs(file);
    const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    assert.ok(rows.length > 0);
    assert.deepEqual(Object.keys(rows[0]!), ['time', 'connector', 'item id', 'kind', 'source participant', 'mailbox', 'outcome', 'reason']);
    assert.ok(rows.some((r) => r['item id'] === leoItems[0] && r['mailbox'] === LEO && r['outcome'] === 'imported'), 'the replayed item is logged as imported into Leo\'s mailbox');
    assert.ok(rows.some((r) => r['outcome'] === 'unmapped'));
    assert.ok(rows.every((r) => Object.values(r).every((cell) => !/^[=+\-@\t\r]/.test(cell))), 'no cell starts a formula');
  });

  test('the audit trail shows every change with who made it', async () => {
    await page.goto('/api/admin/ui/#/audit');
    await page.locator('#audit-table').waitFor();
    const text = await page.locator('#audit-table').innerText();
    for (const action of ['connector.added', 'mapping.applied', 'connector.run', 'items.replayed']) assert.match(text, new RegExp(action.replace('.', '\\.')));
    assert.match(text, /ana@fabrikam\.com/);
    assert.doesNotMatch(text, new RegExp(TM_PASSWORD.replace(/[!]/g, '\\$&')));
    await shot(page, 'audit');
  });

  test('a reader sees everything, every change control is disabled, and the API refuses each change', async () => {
    await page.click('#local-signout');
    await page.locator('#signin-form').waitFor();
    await fill(page, 'signin-name', 'auditor@fabrikam.com');
    await page.click('#role-admin');
    await page.click('#role-read');
    await page.click('#signin-submit');
    await page.locator('#read-only-badge').waitFor();
    await page.goto('/api/admin/ui/#/connectors');
    await page.locator('#connectors-table').waitFor();
    assert.match(await page.locator('#connectors-table').innerText(), new RegExp(CONNECTOR));

    for (const [route, ready] of [
      [`#/connectors/${CONNECTOR}`, '#connector-facts'],
      [`#/items?connector=${CONNECTOR}`, '#partial-title'],
      [`#/mapping?connector=${CONNECTOR}`, '#versions-table'],
    ] as const) {
      await page.goto(`/api/admin/ui/${route}`);
      await page.locator(ready).waitFor();
      const enabled = await page.locator('[data-change]:not([disabled])').count();
      assert.equal(enabled, 0, `${route}: no change control enabled`);
      assert.ok((await page.locator('[data-change][disabled]').count()) > 0, `${route}: change controls shown disabled`);
    }
    assert.equal(await page.locator('#mapping-upload').isDisabled(), true);
    await shot(page, 'reader');

    // At 200 % zoom (half the width in CSS pixels) the page reflows instead of scrolling sideways.
    await page.setViewportSize({ width: 640, height: 900 });
    await page.goto(`/api/admin/ui/#/connectors/${CONNECTOR}`);
    await page.locator('#connector-facts').waitFor();
    assert.equal(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'), true);
    await page.setViewportSize({ width: 1280, height: 900 });

    const statuses = await page.evaluate(async (connector) => {
      const me = (await (await fetch('/api/admin/me')).json()) as { csrfToken: string };
      const send = async (method: string, url: string, body?: string, type = 'application/json'): Promise<number> =>
        (await fetch(url, { method, headers: { 'x-csrf-token': me.csrfToken, 'content-type': type }, ...(body === undefined ? {} : { body }) })).status;
      return {
        add: await send('POST', '/api/admin/connectors', JSON.stringify({ id: 'x-new', product: 'att-network', baseUrl: 'https://a.example', username: 'u', passwordSecretName: 's' })),
        checkSignIn: await send('POST', '/api/admin/connectors/check-signin', JSON.stringify({ baseUrl: 'https://a.example', username: 'u', password: 'p' })),
        patch: await send('PATCH', `/api/admin/connectors/${connector}`, JSON.stringify({ enabled: false })),
        run: await send('POST', `/api/admin/connectors/${connector}/run`),
        backfill: await send('POST', `/api/admin/connectors/${connector}/backfill`, JSON.stringify({ from: '2026-01-01' })),
        replay: await send('POST', '/api/admin/items/replay', JSON.stringify({ connector, all: true })),
        validate: await send('POST', `/api/admin/mapping/validate?connector=${connector}`, 'a,b\n', 'text/csv'),
        apply: await send('POST', `/api/admin/mapping?connector=${connector}`, 'a,b\n', 'text/csv'),
        rollback: await send('POST', '/api/admin/mapping/rollback', JSON.stringify({ connector, version: 'v' })),
      };
    }, CONNECTOR);
    for (const [change, status] of Object.entries(statuses)) assert.equal(status, 403, `${change} answers 403 to a reader`);
  });

  test('no page broke the Content-Security-Policy or threw', () => {
    assert.deepEqual(browser.problems, []);
  });
});
