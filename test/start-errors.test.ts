/**
 * What stops `npm start`, as a newcomer meets it: one line naming the setting to change, no stack
 * trace. A port in use (by a loopback listener of the test's own), and a bad setting.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createSqliteDatabase } from './support/databases.ts';
import { runServerProcess } from './support/process.ts';
import { TEST_ENCRYPTION_KEY } from './support/service.ts';

/** The lines of the output that say why it stopped. */
const stopLines = (output: string) => output.split('\n').filter((line) => line.includes('Cannot start'));

describe('a start that cannot be', () => {
  it('says in one line that the port is in use, naming it and PORT', async () => {
    const database = createSqliteDatabase();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const { code, output } = await runServerProcess({
        DATABASE_URL: database.url,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        PORT: String(port),
      });
      expect(code).toBe(1);
      const lines = stopLines(output);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        `Cannot start: port ${port} on 127.0.0.1 is in use by another program: stop it, or set PORT to a free port`,
      );
      expect(output).not.toMatch(/"stack"|\n\s+at /);
    } finally {
      taken.close();
      await database.drop();
    }
  });

  it('names a bad setting and what is wrong with it, in plain words', async () => {
    const database = createSqliteDatabase();
    try {
      const hash = `sha256:${'0'.repeat(64)}`;
      const { code, output } = await runServerProcess({
        DATABASE_URL: database.url,
        API_KEYS: JSON.stringify([{ name: 'reader', hash, scopes: ['connections:read', 'connections:raed'] }]),
      });
      expect(code).toBe(1);
      expect(output.trim()).toBe(
        'Cannot start: API_KEYS: key "reader": scopes[1] is "connections:raed", which is not one of ' +
          'connections:read, connections:write, connections:reveal, audit:read, access:admin, metrics:read',
      );
    } finally {
      await database.drop();
    }
  });
});
