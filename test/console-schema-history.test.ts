/**
 * The schema history on a connection's page in the console, in Chromium, on both stores, against a
 * real PostgreSQL database the test changes: when its schema was last scanned, Scan now, the changes
 * each scan found (added, removed, changed from → to), newest first, a page at a time; at 390 px
 * and in the dark; no scan offered to a caller without connections:read in the connection's
 * workspace; a scan of an unreachable database, and of a connection deleted meanwhile, saying why;
 * a name with a right-to-left override kept from reversing what follows, a long comment clamped.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { VALUE_SHOWN } from '../console/src/value-shown.ts';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { SCHEMA_CHANGES_PAGE_DEFAULT } from '../src/schema/schema-history.ts';
import { chromiumAvailable, expectAccessible, SCREENSHOTS, useConsole, WAIT } from './support/console.ts';
import { postgresAvailable, runSql, STORES } from './support/databases.ts';
import { clientFor } from './support/service.ts';
import { closedPort } from './support/targets.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

const ADMIN = generateApiKey();
const WRITER = generateApiKey();
const API_KEYS = JSON.stringify([
  { name: 'admin', hash: hashApiKey(ADMIN), scopes: ['connections:read', 'connections:write'] },
  // Sees the connections of `default`, where it writes, but reads only elsewhere: it may not scan them.
  {
    name: 'writer',
    hash: hashApiKey(WRITER),
    grants: [
      { workspace: 'default', scopes: ['connections:write'] },
      { workspace: 'elsewhere', scopes: ['connections:read'] },
    ],
  },
]);
const GONE = 'The connection is gone (deleted, or no longer yours to see).';

/** The text of each item of the list of changes, in order. */
const changesIn = (history: Locator) => history.locator('.changes li').allTextContents();

describe.each(STORES)('the schema history in the console on $name', { timeout: 60_000 }, (store) => {
  const skip = !chromiumAvailable || store.skip || !postgresAvailable;
  const { state, screenshots, signedIn } = useConsole(
    store,
    skip,
    { API_KEYS },
    'CREATE TABLE orders (id integer PRIMARY KEY)',
  );
  const api = () => clientFor(state.service.url);
  const asAdmin = { authorization: `Bearer ${ADMIN}` };

  /** A connection to the target's `schemas`, through `port` (5432: the server itself); its id. */
  async function connection(alias: string, port = 5432, schemas = ['public']): Promise<string> {
    const uri = `postgresql://postgres@127.0.0.1:${port}${new URL(state.target.url).pathname}`;
    const made = await api().request(
      'POST',
      '/api/v1/database-connections',
      { alias, connection_uri: uri, schemas },
      asAdmin,
    );
    expect(made.status).toBe(201);
    return made.body.id;
  }

  /** The page of connection `alias`, opened from the list, and its schema history. */
  async function historyOf(key: string, alias: string, options?: Parameters<typeof signedIn>[1]) {
    const { page } = await signedIn(key, options);
    await page.getByRole('link', { name: alias }).click();
    await page.getByRole('heading', { name: alias }).waitFor();
    return { page, history: page.getByRole('region', { name: 'Schema history' }) };
  }

  it.skipIf(skip)(
    'shows when the schema was last scanned, scans now, and lists what changed, newest first',
    async () => {
      await connection('warehouse');
      const { page, history } = await historyOf(ADMIN, 'warehouse');
      // Read on opening: its first scan, made then.
      const lastScan = history.locator('.last-scan');
      await expect.poll(() => lastScan.textContent(), WAIT).toMatch(/^Schema last scanned .+: 1 table, 1 column\.$/);
      const time = lastScan.locator('time');
      const scannedAt = Date.parse(String(await time.getAttribute('datetime')));
      expect(Date.now() - scannedAt).toBeLessThan(60_000);
      expect(await time.getAttribute('title')).toContain(String(new Date(scannedAt).getFullYear()));
      expect(await history.textContent()).toContain('No change found since the first scan.');

      // A column added in the database: found by Scan now, its type the change's after value.
      await runSql(state.target, "ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT ''");
      await history.getByRole('button', { name: 'Scan now' }).click();
      await history.getByRole('status').filter({ hasText: 'Scanned: the schema changed, as listed below.' }).waitFor();
      expect(await changesIn(history)).toEqual(['added column public.orders.note: text NOT NULL']);
      expect(await lastScan.textContent()).toMatch(/: 1 table, 2 columns\.$/);
      await expectAccessible(page, 'the schema history');
      if (screenshots) await history.screenshot({ path: `${SCREENSHOTS}/schema-history.png` });

      // Nothing changed since: said so, the catalog the same since the scan that found it.
      await history.getByRole('button', { name: 'Scan now' }).click();
      await history.getByRole('status').filter({ hasText: 'Scanned: no change since the last scan.' }).waitFor();
      expect(await lastScan.textContent()).toMatch(/: 1 table, 2 columns, the same since .+\.$/);
      expect(await changesIn(history)).toHaveLength(1);
    },
  );

  it.skipIf(skip)('labels changes added, removed and changed, and shows more a page at a time', async () => {
    const { page, history } = await historyOf(ADMIN, 'warehouse');
    await history.locator('.changes li').first().waitFor();
    // More changes in one scan than a page holds: the column dropped, a type changed, columns added.
    const added = Array.from({ length: SCHEMA_CHANGES_PAGE_DEFAULT }, (_, n) => `ADD COLUMN c${n} integer`);
    await runSql(state.target, `ALTER TABLE orders DROP COLUMN note, ALTER COLUMN id TYPE bigint, ${added.join(', ')}`);
    await history.getByRole('button', { name: 'Scan now' }).click();
    await history.getByRole('status').filter({ hasText: 'Scanned: the schema changed' }).waitFor();
    const firstPage = await changesIn(history);
    expect(firstPage).toHaveLength(SCHEMA_CHANGES_PAGE_DEFAULT);
    expect(await history.getByRole('heading', { level: 3 }).count()).toBe(1);

    await history.getByRole('button', { name: 'Show more changes' }).click();
    const total = SCHEMA_CHANGES_PAGE_DEFAULT + 3;
    await expect.poll(() => changesIn(history), WAIT).toHaveLength(total);
    const all = await changesIn(history);
    expect(all.slice(0, SCHEMA_CHANGES_PAGE_DEFAULT)).toEqual(firstPage);
    // Newest first: the last scan's changes under its time, then the first's.
    expect(all.at(-1)).toBe('added column public.orders.note: text NOT NULL');
    expect(all).toContain('removed column public.orders.note, was text NOT NULL');
    expect(all).toContain('changed type of public.orders.id: integer →to bigint');
    expect(all.filter((text) => /^added column public\.orders\.c\d+: integer$/.test(text))).toHaveLength(
      SCHEMA_CHANGES_PAGE_DEFAULT,
    );
    expect(await history.getByRole('heading', { level: 3 }).allTextContents()).toEqual([
      expect.stringMatching(/^Found /),
      expect.stringMatching(/^Found /),
    ]);
    // The last page read: the button that asked for it gone, the focus at the first change it brought.
    expect(await history.getByRole('button', { name: 'Show more changes' }).count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(all[SCHEMA_CHANGES_PAGE_DEFAULT]);
    await expectAccessible(page, 'the schema history, every page');
  });

  it.skipIf(skip)('fits 390 px, in the dark', async () => {
    const { page, history } = await historyOf(ADMIN, 'warehouse', { width: 390, scheme: 'dark' });
    await history.getByRole('button', { name: 'Show more changes' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(page, 'the schema history at 390 px, dark');
  });

  it.skipIf(skip)('offers no scan to a caller without connections:read in the connection’s workspace', async () => {
    await connection('shared');
    const { page } = await signedIn(WRITER);
    const asked: string[] = [];
    page.on('request', (request) => {
      if (/ConsoleSchema(Snapshot|Changes)/.test(request.postData() ?? '')) asked.push(request.url());
    });
    await page.getByRole('link', { name: 'shared' }).click();
    // The page itself needs that scope (for the connection's health checks) and says so; whatever it
    // shows, it offers no scan and asks nothing of the schema history.
    await page.getByRole('heading', { name: 'shared' }).or(page.getByRole('alert')).first().waitFor();
    // A frame and a little more: what an effect of that render would ask is asked by then.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 200))));
    expect(await page.locator('main').textContent()).toContain('connections:read');
    expect(await page.getByRole('button', { name: 'Scan now' }).count()).toBe(0);
    expect(asked).toEqual([]);
  });

  it.skipIf(skip)(
    'keeps a right-to-left override in a name to the name, and clamps a long comment with a way to see it whole',
    async () => {
      await connection('hostile');
      const { page, history } = await historyOf(ADMIN, 'hostile');
      await history.locator('.last-scan').waitFor();
      // U+202E (RIGHT-TO-LEFT OVERRIDE) in a table's name; a comment longer than the console shows.
      const comment = `Orders ${'x'.repeat(VALUE_SHOWN)} end of comment`;
      await runSql(state.target, `CREATE TABLE "\u202Eevil" (id integer); COMMENT ON TABLE orders IS '${comment}'`);
      await history.getByRole('button', { name: 'Scan now' }).click();
      await history.getByRole('status').filter({ hasText: 'Scanned: the schema changed' }).waitFor();
      const added = history.locator('.changes li').filter({ hasText: 'evil' });
      expect(await added.textContent()).toBe('added table public."\u202Eevil"');
      // In the middle of a path: the override ends with its name, the column's name after it, not reversed.
      await runSql(state.target, `ALTER TABLE "\u202Eevil" ADD COLUMN memo text`);
      await history.getByRole('button', { name: 'Scan now' }).click();
      const note = history.locator('.changes li').filter({ hasText: 'memo' });
      await note.waitFor();
      expect(await note.locator('code').first().textContent()).toBe('public."\u202Eevil".memo');
      const [evil, column] = await Promise.all([1, 2].map((n) => note.locator('code bdi').nth(n).boundingBox()));
      if (!evil || !column) throw new Error('the path shows no names');
      expect(column.x).toBeGreaterThanOrEqual(evil.x + evil.width);

      const changed = history.locator('.changes li').filter({ hasText: 'comment of' });
      const showAll = changed.getByRole('button', { name: `Show all ${comment.length} characters` });
      expect(await changed.locator('code').nth(2).textContent()).toBe(`${comment.slice(0, VALUE_SHOWN)}…`);
      expect(await showAll.getAttribute('aria-expanded')).toBe('false');
      await showAll.click();
      expect(await changed.locator('code').nth(2).textContent()).toBe(comment);
      await expectAccessible(page, 'a hostile name and a long comment');
      await changed.getByRole('button', { name: 'Show less' }).click();
      expect(await changed.locator('code').nth(2).textContent()).toBe(`${comment.slice(0, VALUE_SHOWN)}…`);
    },
  );

  it.skipIf(skip)('says why a scan failed: the database unreachable, or the connection gone', async () => {
    // Never scanned, and nothing listening: opening it says why there is no scan.
    await connection('nowhere', await closedPort());
    const nowhere = await historyOf(ADMIN, 'nowhere');
    const refused = /^connection_failed: .+ \(connection_refused: .+\)$/;
    await expect.poll(() => nowhere.history.getByRole('alert').textContent(), WAIT).toMatch(refused);
    expect(await nowhere.history.textContent()).toContain('No scan to show.');

    // Scanned once through a proxy, which then goes: the scan says why, the last scan still shown.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const id = await connection('behind-proxy', proxy.port);
    const { page, history } = await historyOf(ADMIN, 'behind-proxy');
    const lastScan = history.locator('.last-scan');
    await expect.poll(() => lastScan.textContent(), WAIT).toMatch(/^Schema last scanned /);
    await proxy.close();
    await history.getByRole('button', { name: 'Scan now' }).click();
    await expect.poll(() => history.getByRole('alert').textContent(), WAIT).toMatch(refused);
    expect(await lastScan.textContent()).toMatch(/^Schema last scanned /);
    await expectAccessible(page, 'a failed scan');

    // Deleted meanwhile: said so.
    expect((await api().request('DELETE', `/api/v1/database-connections/${id}`, undefined, asAdmin)).status).toBe(200);
    await history.getByRole('button', { name: 'Scan now' }).click();
    await expect.poll(() => history.getByRole('alert').textContent(), WAIT).toBe(GONE);
  });

  it.skipIf(skip)('names a table or view added or removed by what it is, and says nothing more of it', async () => {
    await runSql(state.target, 'CREATE SCHEMA kinds; CREATE TABLE kinds.legacy (id integer)');
    await connection('kinds', 5432, ['kinds']);
    const { history } = await historyOf(ADMIN, 'kinds');
    await expect.poll(() => history.locator('.last-scan').textContent(), WAIT).toMatch(/^Schema last scanned /);
    await runSql(
      state.target,
      'DROP TABLE kinds.legacy; CREATE TABLE kinds.typed (id integer); CREATE VIEW kinds.seen AS SELECT 1 AS one',
    );
    await history.getByRole('button', { name: 'Scan now' }).click();
    await history.getByRole('status').filter({ hasText: 'Scanned: the schema changed' }).waitFor();
    // In path order, each with its own words: no ": table" after an addition, no ", was table" after a removal.
    expect(await changesIn(history)).toEqual([
      'removed table kinds.legacy',
      'added view kinds.seen',
      'added table kinds.typed',
    ]);
  });
});
