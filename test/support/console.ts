/**
 * What the console's browser tests share: Debian's Chromium (skipped without it, except under CI),
 * axe-core's checks, filling fields by their labels, a page signed in with a key, and a service
 * with a PostgreSQL database for its connections to reach.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { RunningService } from '../../src/service.ts';
import { createPostgresDatabase, runSql, type STORES, type TestDatabase } from './databases.ts';
import { startTestService } from './service.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable && process.env.CI) throw new Error(`Chromium is required under CI at ${CHROMIUM}`);

/** Debian's Chromium, headless. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });

/** The screenshots of docs/console.md with `npm run screenshots` (DOCS_SCREENSHOTS=1); else, test/artifacts: a run changes no tracked file. */
export const SCREENSHOTS = process.env.DOCS_SCREENSHOTS === '1' ? 'docs/console' : 'test/artifacts/console';

/** How long a poll waits for what a round trip to the service (or its database) brings. */
export const WAIT = { timeout: 10_000 };

/** axe-core's WCAG 2.1 A and AA rules, contrast included: no violation. */
export async function expectAccessible(page: Page, where: string) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const found = violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target).join(' ')}`,
  );
  expect(found, where).toEqual([]);
}

/** Fills in the fields of the page by their labels. */
export async function fill(page: Page, fields: Record<string, string>) {
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
}

/**
 * A page of the console at `url` signed in with `key`, at `width` px, in the `scheme` colour scheme,
 * on the list; with what the Content Security Policy refused and the requests it made elsewhere.
 */
export async function signedIn(
  browser: Browser,
  url: string,
  key: string,
  { width = 1280, scheme = 'light' as 'light' | 'dark' } = {},
) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  const outside: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(url) && !request.url().startsWith('data:')) outside.push(request.url());
  });
  await page.goto(`${url}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Use this key' }).click();
  await page.getByRole('heading', { name: 'Connections', exact: true }).waitFor();
  return { page, refused, outside };
}

/**
 * Inside a describe block: the service on a database of `store` with the settings `env`, a
 * PostgreSQL database made by `targetSql` for its connections to reach, and Chromium; nothing when
 * `skip`. `signedIn` opens a page of it; `screenshots`: whether this store takes the pictures.
 */
export function useConsole(
  store: (typeof STORES)[number],
  skip: boolean,
  env: Record<string, string>,
  targetSql: string,
) {
  const state = {} as { database: TestDatabase; target: TestDatabase; service: RunningService; browser: Browser };
  const screenshots = store.name === 'sqlite';
  beforeAll(async () => {
    if (skip) return;
    state.database = await store.create();
    state.target = await createPostgresDatabase();
    await runSql(state.target, targetSql);
    state.service = await startTestService(state.database.url, env);
    state.browser = await launchChromium();
    if (screenshots) mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.service?.stop();
    await state.database?.drop();
    await state.target?.drop();
  });
  return {
    state,
    screenshots,
    /** A page of the console signed in with `key`, at `width` px, in the `scheme` colour scheme. */
    signedIn: (key: string, options?: Parameters<typeof signedIn>[3]) =>
      signedIn(state.browser, state.service.url, key, options),
  };
}
