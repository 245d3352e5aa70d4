// Browser tests drive Debian's Chromium through playwright-core (no downloaded browser).
// Where Chromium is missing they are skipped, and say so in the test output.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import http, { type Server } from 'node:http';
import type { Config } from '../../src/config.ts';
import type { Knex } from 'knex';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTestApp } from './app.ts';
import { TEST_PASSWORD } from './factories.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM_PATH);

const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * BROWSER_TESTS=skip leaves them out on purpose: CI runs them in its real-Postgres pass and sets it
 * for the embedded pass (what they check is the same on either database; the pass stays in time).
 */
const skippedOnPurpose = process.env.BROWSER_TESTS === 'skip';

/** A describe block that runs only where Chromium is installed, and says when it is skipped. */
export function describeInBrowser(name: string, body: () => void): void {
  if (skippedOnPurpose) {
    console.warn(`\n[browser tests SKIPPED] "${name}": BROWSER_TESTS=skip (CI runs them in its real-Postgres pass)\n`);
    describe.skip(`${name} [SKIPPED: BROWSER_TESTS=skip]`, body);
    return;
  }
  if (hasChromium) {
    describe(name, body);
    return;
  }
  console.warn(`\n[browser tests SKIPPED] "${name}": no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)\n`);
  describe.skip(`${name} [SKIPPED: no Chromium installed]`, body);
}

export interface BrowserSession {
  readonly baseUrl: string;
  readonly browser: Browser;
  /** A fresh browser context (its own cookies) with one page. */
  newPage(): Promise<Page>;
}

/**
 * Serves the app on a free local port and launches Chromium for the enclosing describe block.
 * `config` gets the address the app listens at (for PUBLIC_URL, where Stripe Checkout returns).
 */
export function useBrowser(getDb: () => Knex, options: { config?: (baseUrl: string) => Config } = {}): BrowserSession {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';
  beforeAll(async () => {
    // Listen first, build the app once the address is known.
    server = await new Promise<Server>((resolve) => {
      const listening = http.createServer().listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('request', createTestApp(getDb(), options.config ? { config: options.config(baseUrl) } : {}));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: LAUNCH_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  return {
    get baseUrl() {
      return baseUrl;
    },
    get browser() {
      if (!browser) throw new Error('The browser starts in beforeAll');
      return browser;
    },
    async newPage() {
      const context = await this.browser.newContext({ baseURL: baseUrl });
      return context.newPage();
    },
  };
}

/** Fills in and sends the real login form. */
export async function logInThroughForm(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
}
