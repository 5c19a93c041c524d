/**
 * The documentation as a newcomer meets it: every `sh` block of the README and
 * of docs/ runs, in order, against a live service (one per page), and must
 * succeed; tables that restate a catalogue match it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bigCatalogFigures, summaryTable } from '../bench/summary.ts';
import { AUDIT_ACTIONS } from '../src/audit/events.ts';
import { SSH_SETTINGS, TLS_SETTINGS } from '../src/connections/fields/settings.ts';
import type { SettingsGroup } from '../src/connections/fields/values.ts';
import { TEST_FAILURES } from '../src/connectivity/errors.ts';
import { DIALECTS } from '../src/dialects/registry.ts';
import { ERROR_CODES } from '../src/error-codes.ts';
import { CONNECTION_EVENT_ACTIONS } from '../src/events/connection-events.ts';
import { createSqliteDatabase } from './support/databases.ts';
import { startTestService } from './support/service.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
/** Where the examples say the service listens. */
const DOCUMENTED_URL = 'http://127.0.0.1:4000';

const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');
const shellBlocks = (page: string) => [...read(page).matchAll(/^```sh\n([\s\S]*?)^```/gm)].map(([, code = '']) => code);

/** The targets of a page's links: inline `[text](target)` and `<target>` autolinks. */
const linksOf = (markdown: string) => {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [
    ...[...prose.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target = '']) => target),
    ...[...prose.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)].map(([, target = '']) => target),
  ];
};

/** The anchors a page's headings get, as GitHub makes them. */
const headingSlugs = (markdown: string) =>
  [...markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map(([, title = '']) =>
    title
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-'),
  );

describe('the documentation', () => {
  it('has pages, each linked from the README', () => {
    const readme = read('README.md');
    for (const page of PAGES.filter((page) => page !== 'README.md')) expect(readme).toContain(`](${page})`);
  });

  it('keeps the README a short read: what it is, the commands, a first call of each interface, the map', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(120);
    for (const command of ['npm install', 'npm start', 'npm test']) expect(readme).toContain(command);
    expect(readme).toContain('## A first REST call');
    expect(readme).toContain('## A first GraphQL query');
  });

  it.each(PAGES)('links from %s only to files and headings inside the repository', (page) => {
    for (const link of linksOf(read(page))) {
      // The service's own pages, as the examples run it, are no files.
      if (link.startsWith(DOCUMENTED_URL)) continue;
      expect(link, `${page}: ${link}`).not.toMatch(/^[a-z][a-z0-9+.-]*:/i);
      const [path = '', anchor] = link.split('#');
      const target = path ? join(dirname(join(ROOT, page)), path) : join(ROOT, page);
      expect(target.startsWith(ROOT), `${page}: ${link} leads out of the repository`).toBe(true);
      expect(existsSync(target), `${page}: ${link} names no file`).toBe(true);
      if (anchor) expect(headingSlugs(readFileSync(target, 'utf8')), `${page}: ${link}`).toContain(anchor);
    }
  });

  it.each(PAGES.filter((page) => shellBlocks(page).length > 0))(
    'runs every shell example of %s against a live service',
    async (page) => {
      const database = createSqliteDatabase();
      const service = await startTestService(database.url);
      try {
        const script = ['set -euo pipefail', ...shellBlocks(page)].join('\n').replaceAll(DOCUMENTED_URL, service.url);
        const { stdout } = await promisify(execFile)('bash', ['-c', script], {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? '' },
          timeout: 60_000,
        });
        // The examples that expect an error answer a 4xx, never a fault of the service.
        expect(stdout).not.toMatch(/"status":\s*5\d\d|internal_error/);
      } finally {
        await service.stop();
        await database.drop();
      }
    },
    90_000,
  );

  it('shows in the README the answer its first REST call gets: the same fields, in order, and values', async () => {
    const section = read('README.md').split('## A first REST call')[1] ?? '';
    const request = JSON.parse(/-d '([\s\S]*?)'/.exec(section)?.[1] ?? 'null');
    const shown = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)?.[1] ?? 'null');
    const database = createSqliteDatabase();
    const service = await startTestService(database.url);
    try {
      const response = await fetch(`${service.url}/api/v1/database-connections`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      expect(response.status).toBe(201);
      const answer = await response.json();
      expect(Object.keys(answer)).toEqual(Object.keys(shown));
      // What each call makes its own: an id, and the time.
      const made = { id: expect.stringMatching(/^[0-9a-f-]{36}$/), created_at: expect.any(String) };
      expect(answer).toEqual({ ...shown, ...made, updated_at: answer.created_at });
    } finally {
      await service.stop();
      await database.drop();
    }
  });

  it('lists in docs/rest-api.md the catalogue of error codes, as it is', () => {
    const rows = Object.entries(ERROR_CODES)
      .sort(([, a], [, b]) => a.status - b.status)
      .map(([code, entry]) => `| ${entry.status} | \`${code}\` | ${entry.description} |`);
    expect(read('docs/rest-api.md')).toContain(['| Status | `code` | Meaning |', '|---|---|---|', ...rows].join('\n'));
  });

  it('lists in docs/security.md every audit action, and in docs/production.md every kind of live change', () => {
    const filters = /action \(([^)]*)\)/.exec(read('docs/security.md'))?.[1] ?? '';
    expect(filters.replace(/\n#/g, ' ').split(/,\s*/)).toEqual([...AUDIT_ACTIONS]);
    const live = /\*\*Live changes\*\*: [^.]*? streams ([\s\S]*?) over/.exec(read('docs/production.md'))?.[1] ?? '';
    expect([...live.matchAll(/`([A-Z_]+)`/g)].map(([, name]) => name)).toEqual(
      CONNECTION_EVENT_ACTIONS.map((action) => action.toUpperCase()),
    );
  });

  it('names in docs/rest-api.md each dialect once, with the driver versions package.json pins', () => {
    const doc = read('docs/rest-api.md');
    const table = doc.slice(doc.indexOf('| Dialect | URI (example) |')).split('\n\n')[0] ?? '';
    const dialects = [...table.matchAll(/^\| ([a-z, ]+) \|/gm)].flatMap(([, names = '']) => names.split(', '));
    expect(dialects.sort()).toEqual(DIALECTS.map((dialect) => dialect.name).sort());
    const pinned: Record<string, string> = JSON.parse(read('package.json')).dependencies;
    const named = [...table.matchAll(/`(@?[a-z0-9/.-]+)` (\d[\w.-]*)/g)];
    expect(named.length).toBeGreaterThan(5);
    for (const [, name = '', version] of named) expect(pinned[name], name).toBe(version);
  });

  it('shows in docs/benchmark.md the targets as the last benchmark runs measured them (bench/results)', () => {
    expect(read('docs/benchmark.md')).toContain(summaryTable());
  });

  it('shows in docs/benchmark.md each vendor’s big-catalog figures as its last run measured them, all five in one run', () => {
    const figures = bigCatalogFigures();
    expect(Object.keys(figures).sort()).toEqual(['Athena', 'BigQuery', 'Databricks', 'Snowflake', 'Trino']);
    const rows = read('docs/benchmark.md')
      .split('\n')
      .filter((line) => / MB: (met|not met) \|$/.test(line));
    for (const [vendor, ending] of Object.entries(figures)) {
      const row = rows.find((line) => line.startsWith(`| ${vendor} (`));
      expect(row?.slice(-ending.length), vendor).toBe(ending);
    }
  });

  it('lists in docs/rest-api.md the reasons a connection test fails, as the catalogue has them', () => {
    const rows = Object.entries(TEST_FAILURES).map(([code, words]) => `| \`${code}\` | ${words} |`);
    expect(read('docs/rest-api.md')).toContain(['| `error.code` | Meaning |', '|---|---|', ...rows].join('\n'));
  });

  it.each([SSH_SETTINGS, TLS_SETTINGS])(
    'lists in docs/rest-api.md every member of $graphqlName, as declared',
    (group: SettingsGroup) => {
      const rows = Object.entries(group.members).map(([name, member]) => {
        const presence = member.required
          ? 'required'
          : member.default !== undefined
            ? `default ${member.default}`
            : 'optional';
        return `| \`${member.rest}\` | \`${name}\` | ${presence}${member.secret ? ', secret' : ''} | ${member.description} |`;
      });
      expect(read('docs/rest-api.md')).toContain(
        ['| Member | GraphQL | | Meaning |', '|---|---|---|---|', ...rows].join('\n'),
      );
    },
  );
});
