/**
 * The console at /, in a real browser (Debian's Chromium, driven by playwright-core), on both
 * stores: signing in with a key (a refused one said so), adding a PostgreSQL connection through its
 * form and testing it against the local server (healthy as soon as it is saved), a failed test shown
 * at the right field and asked about before saving, a failed Save's error summary taking the focus,
 * editing, revealing with and without the scope, browsing the schema, a connection made by another
 * client appearing, the list at 390 px, deleting; the live list refused (said, not asked again), its
 * sign-in ended, or a page's (back to sign-in), its service gone and back (asked again, less and less often);
 * axe-core's WCAG A and AA checks on each page, at 1280 and 390 px, light and dark. Also: every
 * operation it runs is valid against schema.graphql, and it ships under its script budget.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSchema, parse, validate } from 'graphql';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as OPERATIONS from '../console/src/operations.ts';
import { SCRIPT_BUDGET_BYTES } from '../console/vite.config.ts';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { CONNECTION_FIELDS } from '../src/connections/fields/fields.ts';
import type { RunningService } from '../src/service.ts';
import {
  chromiumAvailable as available,
  expectAccessible,
  fill,
  launchChromium,
  SCREENSHOTS,
  useConsole,
  WAIT,
} from './support/console.ts';
import {
  createPostgresDatabase,
  createSqliteDatabase,
  postgresAvailable,
  STORES,
  type TestDatabase,
} from './support/databases.ts';
import { AUDIENCE, type RunningProvider, signingKey, startProvider } from './support/oidc.ts';
import { clientFor, startTestService } from './support/service.ts';
import { closedPort } from './support/targets.ts';

describe('the console’s code', () => {
  it('runs only operations valid against schema.graphql', () => {
    const schema = buildSchema(readFileSync('schema.graphql', 'utf8'));
    const documents = Object.entries(OPERATIONS).filter(
      ([, value]) => typeof value === 'string' && /^(query|mutation|subscription) /.test(value),
    );
    expect(documents.length).toBeGreaterThan(8);
    for (const [name, text] of documents) {
      expect(validate(schema, parse(text as string)).map(String), name).toEqual([]);
    }
  });

  it('stays out of the service, and the service out of it', () => {
    const files = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(folder, entry.name)) : [join(folder, entry.name)],
      );
    for (const file of files('src').filter((name) => name.endsWith('.ts') && !name.includes('generated'))) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '(\.\.\/)+console\//);
    }
    for (const file of files('console/src'))
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '(\.\.\/)+src\//);
  });

  it('ships its scripts under the budget, gzipped', () => {
    const assets = 'dist/console/assets';
    const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
    const size = scripts.reduce((total, name) => total + gzipSync(readFileSync(join(assets, name))).length, 0);
    expect(size).toBeGreaterThan(1_000);
    expect(size).toBeLessThan(SCRIPT_BUDGET_BYTES);
  });
});

const ADMIN = generateApiKey();
const AUDITOR = generateApiKey();
const API_KEYS = JSON.stringify([
  {
    name: 'admin',
    hash: hashApiKey(ADMIN),
    scopes: ['connections:read', 'connections:write', 'connections:reveal', 'audit:read'],
  },
  // Reads and writes, and reads the trail, but may not see secrets.
  { name: 'auditor', hash: hashApiKey(AUDITOR), scopes: ['connections:read', 'connections:write', 'audit:read'] },
]);
const PASSWORD = 'console-Secret/1';
describe.each(STORES)('the console on $name', { timeout: 60_000 }, (store) => {
  const skip = !available || store.skip || !postgresAvailable;
  // Health checks on, each second: the list shows a connection turn healthy on its own.
  const env = { API_KEYS, HEALTH_CHECK_INTERVAL_S: '1' };
  const orders = 'CREATE TABLE orders (id integer PRIMARY KEY, placed_at timestamptz NOT NULL, note text)';
  const { state, screenshots, signedIn } = useConsole(store, skip, env, orders);

  it.skipIf(skip)('asks for a key, then leads from the empty list to a tested, saved, healthy connection', async () => {
    const { page, refused, outside } = await signedIn(ADMIN);
    await page.getByRole('heading', { name: 'No connections yet' }).waitFor();
    await expectAccessible(page, 'empty list');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByRole('heading', { name: 'Add connection' }).waitFor();
    await page.getByLabel('Dialect', { exact: true }).selectOption({ label: 'PostgreSQL' });
    await fill(page, { Alias: 'sales', Host: '127.0.0.1', Port: '5432' });
    await fill(page, {
      Database: new URL(state.target.url).pathname.slice(1),
      Username: 'postgres',
      Password: PASSWORD,
    });
    // The alias, a plain field, hinted by the first sentence of what the API says of it.
    const aliasHint = `${CONNECTION_FIELDS.alias.description.split('. ')[0]}.`;
    expect(await page.locator('#alias-hint').textContent()).toBe(aliasHint);
    // The TLS certificates are closed until opened.
    const ca = page.getByLabel('CA certificate', { exact: true });
    expect(await ca.isVisible()).toBe(false);
    const tls = page.getByText('TLS certificates (none)');
    await tls.click();
    expect(await ca.isVisible()).toBe(true);
    await tls.click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => page.getByRole('status').allTextContents(), WAIT)
      .toContainEqual(expect.stringMatching(/^Connected in \d+ ms/));
    await expectAccessible(page, 'the form');
    if (screenshots) await page.screenshot({ path: `${SCREENSHOTS}/form.png`, fullPage: true });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'sales' }).waitFor();
    await expectAccessible(page, 'the detail');

    // The schema browser: schemas → tables → columns.
    await page.getByRole('button', { name: 'Browse schema' }).click();
    await page.getByText('public (1 table)', { exact: true }).click();
    await page.getByText('orders').click();
    const columns = page.getByRole('table', { name: 'Columns of public.orders' });
    await expect.poll(() => columns.textContent(), WAIT).toMatch(/placed_at.*timestamp with time zone/);
    await expectAccessible(page, 'the schema browser');
    if (screenshots) await page.locator('.schema-browser').screenshot({ path: `${SCREENSHOTS}/schema-browser.png` });

    // Listed, and healthy once the scheduled check has run.
    await page.getByRole('link', { name: 'Database connections' }).click();
    const list = page.getByRole('table', { name: 'Connections' });
    await expect.poll(() => list.textContent(), { timeout: 15_000 }).toMatch(/sales.*PostgreSQL.*Healthy/);
    if (screenshots) await page.screenshot({ path: `${SCREENSHOTS}/list.png`, fullPage: true });
    expect(refused).toEqual([]);
    expect(outside).toEqual([]);
  });

  it.skipIf(skip)('shows a failed test and the API’s field errors next to the fields they are about', async () => {
    const { page } = await signedIn(ADMIN);
    // By keyboard: Tab to "Add connection", Enter, and the form's first field is the next Tab away.
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    for (let presses = 0; presses < 10 && (await focused()) !== 'Add connection'; presses++)
      await page.keyboard.press('Tab');
    expect(await focused()).toBe('Add connection');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)).not.toBe(
      'none',
    );
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Add connection' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type('nowhere');
    expect(await page.getByLabel('Alias', { exact: true }).inputValue()).toBe('nowhere');
    await fill(page, { Host: '127.0.0.1', Port: '1', Database: 'x' });
    await page.getByRole('button', { name: 'Test connection' }).click();
    const port = page.getByLabel('Port', { exact: true });
    await expect.poll(() => port.getAttribute('aria-invalid'), WAIT).toBe('true');
    expect(await page.locator('#param-port-error').textContent()).toMatch(/^connection_refused: /);

    // Save right after the failed test: asked first, saying what failed; kept editing, nothing is saved.
    await page.getByRole('button', { name: 'Save' }).click();
    const question = page.getByRole('dialog', { name: 'Save a connection that does not connect?' });
    await question.waitFor();
    expect(await question.textContent()).toMatch(/The last test of these settings failed: connection_refused: /);
    await expectAccessible(page, 'the question before saving');
    await question.getByRole('button', { name: 'Keep editing' }).click();
    await question.waitFor({ state: 'hidden' });

    // Saving without a host: the API's 'parameters.host is required', at the Host field, and in the
    // error summary at the top, which takes the focus (in view) and links to the field.
    await fill(page, { Host: '' });
    await page.getByRole('button', { name: 'Save' }).click();
    const summary = page.locator('.error-summary');
    const summaryFocused = () => summary.evaluate((element) => element === document.activeElement).catch(() => false);
    await expect.poll(summaryFocused, WAIT).toBe(true);
    const inView = await summary.evaluate((element) => {
      const { top, bottom } = element.getBoundingClientRect();
      return top >= 0 && bottom <= innerHeight;
    });
    expect(inView).toBe(true);
    expect(await page.locator('#param-host-error').textContent()).toBe('is required');
    await summary.getByRole('link', { name: 'Host: is required' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('param-host');
    await fill(page, { 'Metadata (JSON)': '[1, 2]' });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(summaryFocused, WAIT).toBe(true);
    expect(await summary.getByRole('link').allTextContents()).toEqual([
      expect.stringMatching(/^Metadata \(JSON\): must be a JSON object/),
    ]);
    expect(await page.locator('#metadata-error').textContent()).toMatch(/must be a JSON object/);
    await expectAccessible(page, 'the form with errors');
    const aliases = async () => {
      const listed = await clientFor(state.service.url).request('GET', '/api/v1/database-connections', undefined, {
        authorization: `Bearer ${ADMIN}`,
      });
      return listed.body.map((connection: { alias: string }) => connection.alias);
    };
    expect(await aliases()).toEqual(['sales']);

    // An alias another connection has: the API's answer at the Alias field, linked from the summary.
    await fill(page, { Alias: 'sales', Host: '127.0.0.1', 'Metadata (JSON)': '{}' });
    await page.getByRole('button', { name: 'Save' }).click();
    await question.getByRole('button', { name: 'Save anyway' }).click();
    await expect.poll(summaryFocused, WAIT).toBe(true);
    expect(await summary.getByRole('link').allTextContents()).toEqual([
      expect.stringMatching(/^Alias: A database connection with the alias "sales" already exists/),
    ]);
    expect(await page.locator('#alias-error').textContent()).toMatch(/already exists in this workspace/);
    await fill(page, { Alias: 'nowhere' });

    // Back to the settings the test failed with: its result speaks for them again; saved anyway, when confirmed.
    await fill(page, { Host: '127.0.0.1', 'Metadata (JSON)': '{}' });
    await page.getByRole('button', { name: 'Save' }).click();
    await question.getByRole('button', { name: 'Save anyway' }).click();
    await page.getByRole('heading', { name: 'nowhere' }).waitFor();
    expect(await aliases()).toEqual(['sales', 'nowhere']);
  });

  it.skipIf(skip)('edits, keeping the masked password; reveals with the scope only', async () => {
    const { page } = await signedIn(ADMIN);
    await page.getByRole('link', { name: 'sales' }).click();
    // Checked each second since it was saved: its line of scheduled checks has dots.
    await page.getByRole('heading', { name: 'sales' }).waitFor();
    const checks = page.getByRole('list', { name: 'Scheduled checks, oldest first' }).locator('li');
    await expect.poll(() => checks.count(), WAIT).toBeGreaterThan(0);
    expect(await checks.first().textContent()).toMatch(/ok in \d+ ms$/);
    // Its legend says what the marks mean.
    expect(await page.locator('.legend').textContent()).toMatch(
      /^The last (\d+ scheduled checks, oldest first|scheduled check): +connected, +failed\.$/,
    );
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit sales' }).waitFor();
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('****');
    await fill(page, { 'Metadata (JSON)': '{"team": "finance"}' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'sales' }).waitFor();
    await expect.poll(() => page.locator('.fields').textContent(), WAIT).toContain('"team": "finance"');
    // Its plain fields first, the alias among them.
    expect(await page.locator('.fields > dt').first().textContent()).toBe('Alias');
    expect(await page.locator('.fields > dd').first().textContent()).toBe('sales');
    expect(await page.locator('.fields').textContent()).toContain('postgres:****@127.0.0.1');
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.locator('.fields').textContent(), WAIT).toContain('console-Secret%2F1');
    await expectAccessible(page, 'the detail, revealed');

    const auditor = await signedIn(AUDITOR);
    await auditor.page.getByRole('link', { name: 'sales' }).click();
    await auditor.page.getByRole('heading', { name: 'sales' }).waitFor();
    await auditor.page.getByRole('button', { name: 'Test connection' }).waitFor();
    expect(await auditor.page.getByRole('button', { name: 'Reveal' }).count()).toBe(0);
    // The reveal is in the trail, as the auditor reads it.
    await expect
      .poll(() => auditor.page.getByRole('table', { name: 'Audit trail' }).textContent(), WAIT)
      .toMatch(/reveal.*admin/);
  });

  it.skipIf(skip)(
    'shows a connection another client makes, at 390 px and in the dark; deletes with the alias typed',
    async () => {
      const { page } = await signedIn(ADMIN, { width: 390, scheme: 'dark' });
      await page.getByRole('table', { name: 'Connections' }).waitFor();
      // A port nothing listens on: its scheduled checks fail, with the longest health a row shows.
      const port = await closedPort();
      const made = await clientFor(state.service.url).request(
        'POST',
        '/api/v1/database-connections',
        { alias: 'from-elsewhere', dialect: 'mysql', parameters: { host: '127.0.0.1', port, username: 'bi' } },
        { authorization: `Bearer ${ADMIN}` },
      );
      expect(made.status).toBe(201);
      const list = page.getByRole('table', { name: 'Connections' });
      await expect.poll(() => list.textContent(), { timeout: 10_000 }).toMatch(/from-elsewhere.*connection_refused/);
      // Alias and health side by side, nothing scrolling sideways, rows a few lines tall.
      const rows = await page.evaluate(() =>
        [...document.querySelectorAll('tbody tr')].map((row) => ({
          height: row.getBoundingClientRect().height,
          healthRight: (row.lastElementChild as Element).getBoundingClientRect().right,
        })),
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      for (const row of rows) {
        expect(row.healthRight).toBeLessThanOrEqual(390);
        expect(row.height).toBeLessThan(150);
      }
      const region = page.getByRole('region', { name: 'Connections, scrollable' });
      expect(await region.evaluate((element) => element.scrollWidth - element.clientWidth)).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await expectAccessible(page, 'the list at 390 px, dark');

      await page.getByLabel('Search by alias').fill('elsewhere');
      await expect.poll(() => list.locator('tbody tr').count(), WAIT).toBe(1);
      await page.getByRole('link', { name: 'from-elsewhere' }).click();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      const confirm = page.getByRole('button', { name: 'Confirm delete' });
      expect(await confirm.isDisabled()).toBe(true);
      await page.getByLabel('Type from-elsewhere to confirm').fill('from-elsewhere');
      await confirm.click();
      await page.getByRole('heading', { name: 'Connections', exact: true }).waitFor();
      await page.getByLabel('Search by alias').fill('');
      await expect.poll(() => list.textContent(), WAIT).not.toContain('from-elsewhere');
      expect(await list.textContent()).toContain('sales');
    },
  );
});

describe.skipIf(!available)('signing in to the console', () => {
  let database: TestDatabase;
  let service: RunningService | undefined;
  let provider: RunningProvider | undefined;
  let browser: Browser;

  beforeAll(async () => {
    database = createSqliteDatabase();
    browser = await launchChromium();
  });
  afterEach(async () => {
    await service?.stop();
    await provider?.close();
    service = undefined;
    provider = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await database?.drop();
  });

  it('needs nothing in local mode', async () => {
    service = await startTestService(database.url);
    const page = await browser.newPage();
    await page.goto(`${service.url}/`);
    await page.getByRole('heading', { name: 'Connections', exact: true }).waitFor();
    expect(await page.locator('.who').textContent()).toBe('local');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('says so when a typed key is refused, the focus back at it, and when a sign-in has ended', async () => {
    const key = generateApiKey();
    service = await startTestService(database.url, {
      API_KEYS: JSON.stringify([{ name: 'reader', hash: hashApiKey(key), scopes: ['connections:read'] }]),
    });
    // A context of its own: axe-core checks pages of one.
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${service.url}/`);
    const field = page.getByLabel('API key');
    await field.waitFor();
    // Asked for a key, with nothing wrong yet.
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByRole('alert').count()).toBe(0);
    // Refused each time it is tried, and said each time: at the field, which has the focus to type it again.
    for (let attempt = 1; attempt <= 2; attempt++) {
      await field.fill(`${key}-wrong`);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id), WAIT).toBe('api-key');
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#api-key-error').textContent()).toMatch(/^The service refused this key: /);
      expect(await page.evaluate(() => sessionStorage.getItem('dcapi.token'))).toBeNull();
    }
    await expectAccessible(page, 'a refused key');
    await field.fill(key);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByRole('heading', { name: 'Connections', exact: true }).waitFor();
    // A key that stops working while signed in (here, another in the tab): the next request is refused,
    // and the console goes back to sign-in, saying why. Leaving the list and coming back reads it again.
    await page.evaluate(() => sessionStorage.setItem('dcapi.token', 'no-longer-valid'));
    await page.evaluate(() => {
      location.hash = '#/new';
    });
    await page.evaluate(() => {
      location.hash = '#/';
    });
    await page.getByRole('alert').filter({ hasText: 'Your sign-in has ended' }).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    expect(await page.evaluate(() => sessionStorage.getItem('dcapi.token'))).toBeNull();
    // Three sign-ins and an accessibility check: over 30 s once on a loaded CI machine.
  }, 90_000);

  it('says a sign-in has ended when the console opens with a credential no longer valid', async () => {
    service = await startTestService(database.url, {
      API_KEYS: JSON.stringify([{ name: 'reader', hash: hashApiKey(generateApiKey()), scopes: ['connections:read'] }]),
    });
    // The tab's credential set before the console's own code runs: a page opened or reloaded after it expired.
    // (Setting it in a page already signed in and reloading would race that page's own requests: the first
    // refused one signs it out, and the reload would then find no credential to call ended.)
    const page = await (await browser.newContext()).newPage();
    await page.addInitScript(() => sessionStorage.setItem('dcapi.token', 'no-longer-valid'));
    await page.goto(`${service.url}/`);
    await page.getByRole('alert').filter({ hasText: 'Your sign-in has ended' }).waitFor();
    expect(await page.getByLabel('API key').getAttribute('aria-invalid')).toBeNull();
  });

  /** The Authorization header of `key`, for the REST calls a test makes beside the console. */
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  /** The console in a page of its own, and a count of the live-change streams it opens. */
  async function consolePage() {
    const page = await (await browser.newContext()).newPage();
    const streams = { opened: 0 };
    page.on('request', (request) => {
      if (request.headers().accept === 'text/event-stream') streams.opened++;
    });
    await page.goto(`${service?.url}/`);
    return { page, streams };
  }

  /** The console signed in with `key`, on the list. */
  async function listSignedIn(key: string) {
    const opened = await consolePage();
    await opened.page.getByLabel('API key').fill(key);
    await opened.page.getByRole('button', { name: 'Use this key' }).click();
    await opened.page.getByRole('heading', { name: 'Connections', exact: true }).waitFor();
    return opened;
  }

  it('follows a sign-in that ends while the list is live: back to sign-in, saying why, asking no more', async () => {
    const admin = generateApiKey();
    service = await startTestService(database.url, {
      API_KEYS: JSON.stringify([{ name: 'admin', hash: hashApiKey(admin), scopes: ['access:admin'] }]),
    });
    const api = clientFor(service.url);
    expect((await api.request('POST', '/api/v1/workspaces', { name: 'team' }, bearer(admin))).status).toBe(201);
    const made = await api.request(
      'POST',
      '/api/v1/api-keys',
      { name: 'member', grants: [{ workspace: 'team', scopes: ['connections:read'] }] },
      bearer(admin),
    );
    const { page, streams } = await listSignedIn(made.body.key);
    const live = page.locator('.live');
    await expect.poll(() => live.textContent(), WAIT).toBe('Live');
    // The workspace renamed: the stream ends (its key's grants changed), and the list, open again, is live.
    const opened = streams.opened;
    expect((await api.request('PUT', '/api/v1/workspaces/team', { name: 'crew' }, bearer(admin))).status).toBe(200);
    await expect.poll(() => streams.opened, WAIT).toBe(opened + 1);
    await expect.poll(() => live.textContent(), WAIT).toBe('Live');
    // The key revoked: the stream ends, and the console is back at sign-in, saying why, reading no more.
    expect((await api.request('DELETE', `/api/v1/api-keys/${made.body.id}`, undefined, bearer(admin))).status).toBe(
      200,
    );
    await page.getByRole('alert').filter({ hasText: 'Your sign-in has ended' }).waitFor(WAIT);
    const asked = streams.opened;
    await page.waitForTimeout(3_000);
    expect(streams.opened).toBe(asked);
  });

  it('brings a page whose key was revoked back to sign-in at its next request, saying why', async () => {
    const admin = generateApiKey();
    service = await startTestService(database.url, {
      API_KEYS: JSON.stringify([{ name: 'admin', hash: hashApiKey(admin), scopes: ['access:admin'] }]),
    });
    const api = clientFor(service.url);
    const grants = [{ workspace: '*', scopes: ['connections:read', 'connections:write'] }];
    const made = await api.request('POST', '/api/v1/api-keys', { name: 'editor', grants }, bearer(admin));
    const { page } = await listSignedIn(made.body.key);
    await page.getByRole('button', { name: 'Add connection' }).first().click();
    await page.getByRole('heading', { name: 'Add connection' }).waitFor();
    await api.request('DELETE', `/api/v1/api-keys/${made.body.id}`, undefined, bearer(admin));
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('alert').filter({ hasText: 'Your sign-in has ended' }).waitFor(WAIT);
    expect(await page.getByLabel('API key').isVisible()).toBe(true);
  });

  it('says why live changes are refused, and stops asking for them', async () => {
    const writer = generateApiKey();
    service = await startTestService(database.url, {
      API_KEYS: JSON.stringify([{ name: 'writer', hash: hashApiKey(writer), scopes: ['connections:write'] }]),
    });
    const { page, streams } = await listSignedIn(writer);
    const stopped = page.locator('.live');
    await expect.poll(() => stopped.textContent(), WAIT).toBe('Not live');
    expect(await page.getByRole('alert').allTextContents()).toContainEqual(
      'Live changes stopped: This API key lacks the connections:read scope.',
    );
    await expectAccessible(page, 'live changes refused');
    // Once refused, not asked again (it was, every 2 s).
    await page.waitForTimeout(3_000);
    expect(streams.opened).toBe(1);
  });

  it('asks for live changes again after the service went away, less often the longer it is away', async () => {
    // Its stream closed at once when it stops: a stream is in flight until then.
    const env = { PORT: String(await closedPort()), SHUTDOWN_TIMEOUT_MS: '0' };
    service = await startTestService(database.url, env);
    const { page, streams } = await consolePage();
    const live = page.locator('.live');
    await expect.poll(() => live.textContent(), WAIT).toBe('Live');
    await service.stop();
    await expect.poll(() => live.textContent(), WAIT).toBe('Connecting…');
    // Asked again after 2 s, then 4 s: twice in 7 s (it was every 2 s: three times).
    const before = streams.opened;
    await page.waitForTimeout(7_000);
    expect(streams.opened - before).toBe(2);
    // Back (after 8 s more at most): live, and the list read again, with what was made meanwhile.
    service = await startTestService(database.url, env);
    await clientFor(service.url).request('POST', '/api/v1/database-connections', {
      alias: 'made-meanwhile',
      connection_uri: 'postgresql://bi@db.internal/sales',
    });
    await expect.poll(() => live.textContent(), { timeout: 15_000 }).toBe('Live');
    await expect
      .poll(() => page.getByRole('table', { name: 'Connections' }).textContent(), WAIT)
      .toContain('made-meanwhile');
  });

  it.skipIf(!postgresAvailable)('shows a connection tested just before it was saved as healthy at once', async () => {
    // No scheduled check (the tests' default): the health shown is the test the save made.
    service = await startTestService(database.url);
    const target = await createPostgresDatabase();
    try {
      const page = await browser.newPage();
      await page.goto(`${service.url}/#/new`);
      await page.getByRole('heading', { name: 'Add connection' }).waitFor();
      await page.getByLabel('Dialect', { exact: true }).selectOption({ label: 'PostgreSQL' });
      await fill(page, { Alias: 'tested-first', Host: '127.0.0.1', Port: '5432', Username: 'postgres' });
      await fill(page, { Database: new URL(target.url).pathname.slice(1) });
      await page.getByRole('button', { name: 'Test connection' }).click();
      await expect
        .poll(() => page.getByRole('status').allTextContents(), WAIT)
        .toContainEqual(expect.stringMatching(/^Connected in \d+ ms/));
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'tested-first' }).waitFor();
      const health = page.getByRole('region', { name: 'Health' });
      expect(await health.textContent()).toMatch(/^HealthHealthy \d+ ms · checked .+No scheduled check yet\.$/);
      await page.getByRole('link', { name: 'Database connections' }).click();
      const list = page.getByRole('table', { name: 'Connections' });
      await expect.poll(() => list.textContent(), WAIT).toMatch(/tested-first.*Healthy \d+ ms/);
    } finally {
      await target.drop();
    }
  });

  it('opens a connection of the provisioning file read-only, saying why', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dcapi-console-')), 'connections.yaml');
    writeFileSync(
      file,
      'connections:\n  - alias: ledger\n    connection_uri: postgresql://bi:Ledger-1@db.internal/ledger\n',
    );
    service = await startTestService(database.url, { CONNECTIONS_FILE: file });
    const page = await browser.newPage();
    await page.goto(`${service.url}/`);
    await page.getByRole('link', { name: 'ledger' }).click();
    await page.getByRole('heading', { name: 'ledger' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('From the provisioning file (CONNECTIONS_FILE)');
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    // Reached by its address, the form is read-only too.
    await page.goto(`${page.url()}/edit`);
    await page.getByRole('heading', { name: 'Edit ledger' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('its source of truth: change it there');
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Alias', { exact: true }).isDisabled()).toBe(true);
  });

  it('signs in at the identity provider with the authorization code and PKCE', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    provider = await startProvider([], [await signingKey('console-key')], 0, [
      { id: 'dcapi-console', redirectUri: `${url}/`, grants: ['*:connections:read'] },
    ]);
    service = await startTestService(database.url, {
      PORT: String(port),
      OIDC_ISSUER: provider.issuer,
      OIDC_AUDIENCE: AUDIENCE,
      CONSOLE_OIDC_CLIENT_ID: 'dcapi-console',
    });
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.getByRole('button', { name: 'Sign in with your identity provider' }).click();
    // The provider's own pages: sign in as anyone, then consent.
    await page.locator('input[name="login"]').fill('ana');
    await page.locator('input[name="password"]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Connections', exact: true }).waitFor();
    expect(page.url()).toBe(`${url}/`);
    // The token is the provider's, for this API, kept for the tab; the console reads with it.
    const token = await page.evaluate(() => sessionStorage.getItem('dcapi.token'));
    const claims = JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ iss: provider.issuer, aud: AUDIENCE, client_id: 'dcapi-console', sub: 'ana' });
    expect(await page.locator('.who').textContent()).toMatch(/Sign out$/);
  });
});
