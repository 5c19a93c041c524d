/** Settings: one schema of the environment, every bad setting reported at once, the documented table in step with it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENVIRONMENT, loadConfig } from '../src/config.ts';

/** The settings table of docs/production.md: variable name → its Default cell. */
function documentedSettings(): Map<string, string> {
  const readme = readFileSync(new URL('../docs/production.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| ([^|]*) \|/gm)];
  return new Map(rows.map(([, name = '', cell = '']) => [name, cell.trim()]));
}

describe('settings', () => {
  it('reports every bad setting at once, by name, quoting no secret', () => {
    const secret = 'not-a-key-but-secret';
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        MASK_SECRETS: 'yes',
        CONNECTION_TEST_DENIED_CIDRS: '10.0.0.0/99',
        RATE_LIMIT_PER_MINUTE: '-1',
        ENCRYPTION_KEY: secret,
        API_KEYS: '[{"name": 1}]',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'LOG_LEVEL', 'MASK_SECRETS', 'CONNECTION_TEST_DENIED_CIDRS', 'RATE_LIMIT_PER_MINUTE']) {
      expect(message).toContain(name);
    }
    expect(message).toContain('API_KEYS');
    expect(message).not.toContain(secret);
  });

  it('says what is wrong with an API key entry in plain words, naming the setting, the key and the field', () => {
    const hash = `sha256:${'0'.repeat(64)}`;
    const secretLooking = `dcapi_${'k'.repeat(43)}`;
    const cases: [unknown, string][] = [
      [{ name: 'x', scopes: ['audit:read'] }, 'API_KEYS: key "x": hash is missing'],
      [{ name: 'x', hash }, 'API_KEYS: key "x": needs either scopes or grants (one of the two)'],
      [
        { name: 'x', hash, scopes: ['audit:read'], colour: 1 },
        'API_KEYS: key "x": has "colour", which is not known here',
      ],
      [
        { name: '', hash, scopes: [] },
        'API_KEYS: entry 1: name must not be empty; API_KEYS: entry 1: scopes must have at least 1 item',
      ],
      [
        { name: 'x', hash, grants: [{ workspace: 'sales', scopes: ['sales:read'] }] },
        'API_KEYS: key "x": grants[0].scopes[0] is "sales:read", which is not one of',
      ],
      // A key pasted where a scope goes is not repeated.
      [{ name: 'x', hash, scopes: [secretLooking] }, 'API_KEYS: key "x": scopes[0] must be one of connections:read,'],
      ['x', 'API_KEYS: entry 1: must be an object'],
    ];
    for (const [entry, message] of cases) {
      const loading = () => loadConfig({ API_KEYS: JSON.stringify([entry]) });
      expect(loading, message).toThrow(message);
      expect(loading).not.toThrow(secretLooking);
    }
    expect(() => loadConfig({ API_KEYS: '{}' })).toThrow(/^API_KEYS: must be an array$/);
  });

  it('takes the defaults of the schema when nothing is set, and treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', RATE_LIMIT_PER_MINUTE: '' });
    expect(config.PORT).toBe(4000);
    expect(config.RATE_LIMIT_PER_MINUTE).toBe(60_000);
    expect(config.graphqlExplorer).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).graphqlExplorer).toBe(false);
  });

  it('opens file databases only with a folder for them, and takes vendor endpoints as dialect=URL', () => {
    expect(() => loadConfig({ ALLOW_FILE_DATABASES: 'true' })).toThrow(
      /ALLOW_FILE_DATABASES=true needs FILE_DATABASES_DIR/,
    );
    expect(loadConfig({ ALLOW_FILE_DATABASES: 'true', FILE_DATABASES_DIR: '/srv/dbs' }).FILE_DATABASES_DIR).toBe(
      '/srv/dbs',
    );
    expect(
      loadConfig({
        VENDOR_ENDPOINTS: 'snowflake=https://acme.privatelink.snowflakecomputing.com/, bigquery=http://127.0.0.1:9050',
      }).VENDOR_ENDPOINTS,
    ).toEqual({
      snowflake: 'https://acme.privatelink.snowflakecomputing.com',
      bigquery: 'http://127.0.0.1:9050',
    });
    for (const bad of ['oracle=https://x', 'snowflake=ftp://x', 'snowflake', 'bigquery=https://x/path']) {
      expect(() => loadConfig({ VENDOR_ENDPOINTS: bad }), bad).toThrow(/VENDOR_ENDPOINTS .* is not dialect=URL/);
    }
  });

  it('reads ALLOWED_HOSTS as names and addresses as requests write them, refusing anything else by its value', () => {
    expect(
      loadConfig({ ALLOWED_HOSTS: 'API.Example.com., 10.0.0.1, ::1, [fd00::1], dcapi_web' }).ALLOWED_HOSTS,
    ).toEqual(['api.example.com', '10.0.0.1', '::1', 'fd00::1', 'dcapi_web']);
    for (const bad of [
      'https://api.example.com',
      'api.example.com:443',
      '*.example.com',
      'a b',
      '10.0.0.1:80',
      '[::1]:4000',
    ]) {
      expect(() => loadConfig({ ALLOWED_HOSTS: bad }), bad).toThrow(
        `ALLOWED_HOSTS "${bad}" is not a host name or IP address (write it without scheme, port or wildcard)`,
      );
    }
  });

  it('refuses CORS_ORIGINS=* in local mode, where any page could then read every password', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://bi.example, *' })).toThrow(/CORS_ORIGINS=\* in local mode/);
    expect(loadConfig({ CORS_ORIGINS: 'https://bi.example' }).CORS_ORIGINS).toEqual(['https://bi.example']);
    const withKeys = {
      CORS_ORIGINS: '*',
      API_KEYS: JSON.stringify([{ name: 'k', hash: `sha256:${'0'.repeat(64)}`, scopes: ['connections:read'] }]),
    };
    expect(loadConfig(withKeys).CORS_ORIGINS).toEqual(['*']);
  });

  it('lists in docs/production.md exactly the variables the schema reads, with the same defaults', () => {
    const documented = documentedSettings();
    expect([...documented.keys()].sort()).toEqual(Object.keys(ENVIRONMENT.shape).sort());
    const defaults = ENVIRONMENT.parse({});
    for (const [name, value] of Object.entries(defaults)) {
      const shown = Array.isArray(value)
        ? value.join(',')
        : typeof value === 'object' && value !== null
          ? JSON.stringify(value)
          : String(value);
      if (Array.isArray(value) && value.length === 0) expect(documented.get(name), name).toBe('none');
      else expect(documented.get(name), name).toContain(`\`${shown}\``);
    }
  });
});
