/** The GraphiQL explorer and the REST reference in a real browser (Debian's Chromium, driven by playwright-core). */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/service.ts';
import { createSqliteDatabase, type TestDatabase } from './support/databases.ts';
import { startTestService } from './support/service.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI) throw new Error(`Chromium is required under CI at ${CHROMIUM}`);
  console.warn(`SKIPPED: the browser tests, because there is no Chromium at ${CHROMIUM} (apt-get install chromium).`);
}

describe.skipIf(!available)('the explorers in Chromium', () => {
  let database: TestDatabase;
  let service: RunningService;
  let browser: Browser;

  beforeAll(async () => {
    database = createSqliteDatabase();
    service = await startTestService(database.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await database?.drop();
  });

  it('loads under its Content-Security-Policy, runs the example query, mutation and subscription of its first tab', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    const loaded = await page.goto(`${service.url}/graphql`);
    expect(loaded?.headers()['content-security-policy']).toMatch(/script-src 'sha256-/);
    const editor = page.locator('.graphiql-query-editor .monaco-editor, .graphiql-query-editor .CodeMirror').first();
    await editor.waitFor({ timeout: 20_000 });
    // The first tab holds this API's example operations: run each as a newcomer would.
    await expect.poll(() => editor.textContent(), { timeout: 10_000 }).toContain('ListConnections');
    const run = async (operation: string) => {
      await page.locator('.graphiql-execute-button').click();
      await page.getByRole('menuitem', { name: operation }).click();
    };
    const response = () => page.locator('.graphiql-response').textContent();
    await run('CreateConnection');
    await expect.poll(response, { timeout: 10_000 }).toContain('CreateDatabaseConnectionSuccess');
    await run('ListConnections');
    await expect.poll(response, { timeout: 10_000 }).toMatch(/"totalCount":\s*1\b/);
    // The subscription runs over Server-Sent Events: a change made elsewhere shows in the response.
    await run('WatchConnections');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const created = await fetch(`${service.url}/api/v1/database-connections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ alias: 'from-elsewhere', connection_uri: 'postgresql://u:p@h/db' }),
    });
    expect(created.status).toBe(201);
    await expect.poll(response, { timeout: 10_000 }).toContain('from-elsewhere');
    expect(await response()).toContain('CREATED');
    await page.screenshot({ path: 'test/artifacts/graphiql.png' });
    expect(refused).toEqual([]);
  });

  it('shows the REST reference at /api/v1/docs, listing the four documented endpoints, from local assets', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    const outside: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(service.url) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    const response = await page.goto(`${service.url}/api/v1/docs`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    const operations = await page
      .locator('.opblock-summary')
      .evaluateAll((summaries) =>
        summaries.map((summary) =>
          [
            summary.querySelector('.opblock-summary-method')?.textContent,
            summary.querySelector('.opblock-summary-path')?.getAttribute('data-path'),
          ].join(' '),
        ),
      );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /api/v1/database-connections',
        'GET /api/v1/database-connections',
        'PUT /api/v1/database-connections/{id}',
        'DELETE /api/v1/database-connections/{id}',
      ]),
    );
    await page.screenshot({ path: 'test/artifacts/api-docs.png', fullPage: true });
    expect(refused).toEqual([]);
    expect(outside).toEqual([]);
  });
});
