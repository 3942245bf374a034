import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where the tests find Chromium: Debian's `chromium` package, or the browser this variable names. */
export const CHROMIUM_ENV = 'ADMIN_PAGE_CHROMIUM';
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export function chromiumPath(): string {
  const path = process.env[CHROMIUM_ENV] ?? DEFAULT_CHROMIUM;
  if (!existsSync(path)) {
    throw new Error(`No Chromium at ${path}: install Debian's package (apt-get install -y chromium, as .ci/run does) or set ${CHROMIUM_ENV}`);
  }
  return path;
}

/**
 * One headless Chromium with one page, for a whole test file. Every Content-Security-Policy
 * violation and every uncaught page error is collected, so a test can fail on them.
 */
export class TestBrowser {
  readonly problems: string[] = [];

  private constructor(
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async launch(options: { baseURL: string }): Promise<TestBrowser> {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      // Test machines and containers run as root, where Chromium's sandbox cannot start.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    try {
      const context = await browser.newContext({ baseURL: options.baseURL, viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'en-US', timezoneId: 'UTC' });
      // The violation event reaches the page's own listeners; this init script runs in every
      // document before the page's code (Playwright injects it, outside the page's CSP).
      await context.addInitScript({
        content:
          "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile + ':' + e.lineNumber));",
      });
      const page = await context.newPage();
      const testBrowser = new TestBrowser(browser, context, page);
      page.on('console', (message) => {
        const text = message.text();
        if (/CSP violation|Content Security Policy/i.test(text)) testBrowser.problems.push(text);
      });
      page.on('pageerror', (error) => testBrowser.problems.push(`page error: ${error.message}`));
      return testBrowser;
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
