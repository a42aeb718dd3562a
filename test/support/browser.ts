// Debian's Chromium for the browser tests, through playwright-core (no browser is downloaded): one
// headless launch with an empty profile, its first page, and the page's errors collected as problems.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Console errors that are the test's doing (a stopped server, a refused live connection), not the page's. */
const EXPECTED_CONSOLE = /Failed to load resource|ERR_CONNECTION_REFUSED|EventSource/;

export interface BrowserOptions {
  readonly timezoneId: string;
  /** Unset: the browser's default (light). */
  readonly colorScheme?: 'light' | 'dark';
  /** Console errors count as problems too (besides uncaught page errors); default true. */
  readonly consoleErrors?: boolean;
  /** Collect Content-Security-Policy violations in `window.__csp`; default true. */
  readonly watchCsp?: boolean;
}

export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors (and console errors when asked), in order: a test ends asserting it empty. */
  readonly problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(options: BrowserOptions): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1366, height: 900 },
    locale: 'en-US',
    timezoneId: options.timezoneId,
    ...(options.colorScheme !== undefined ? { colorScheme: options.colorScheme } : {}),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  if (options.watchCsp ?? true) {
    // Browser-side code is passed as text: this project's TypeScript has no DOM types outside web/client.
    await page.addInitScript(`
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (event) => window.__csp.push(event.violatedDirective + ' ' + event.blockedURI));
    `);
  }
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  if (options.consoleErrors ?? true) {
    page.on('console', (message) => {
      if (message.type() === 'error' && !EXPECTED_CONSOLE.test(message.text())) problems.push(`console: ${message.text()}`);
    });
  }
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
