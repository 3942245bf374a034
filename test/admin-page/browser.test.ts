import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestBrowser } from './browser';

/**
 * The browser test's watch on the Content-Security-Policy must see a violation, or the admin
 * page test's "no violation" would pass whatever the page did.
 */
describe('the test browser', () => {
  let browser: TestBrowser;

  before(async () => {
    browser = await TestBrowser.launch({ baseURL: 'http://admin-page.test' });
  });
  after(() => browser?.close());

  test('reports an inline script and an inline style that the page policy blocks', async () => {
    await browser.page.route('http://admin-page.test/**', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/html', 'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'" },
        body: '<!doctype html><title>t</title><style>body { color: red }</style><p id="done">x</p><script>document.title = "ran";</script>',
      }),
    );
    await browser.page.goto('/');
    await browser.page.locator('#done').waitFor();
    assert.notEqual(await browser.page.title(), 'ran');
    await browser.page.waitForFunction('true');
    assert.ok(browser.problems.some((p) => /script-src/.test(p)), browser.problems.join('\n'));
    assert.ok(browser.problems.some((p) => /style-src/.test(p)), browser.problems.join('\n'));
  });
});
