/**
 * The process's memory: the heap sized to MEMORY_LIMIT_MB or the container's limit (read from a
 * cgroup folder the test writes), a bad limit refused at start, and the generated Prisma clients
 * reading their query compiler from its file.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { GeneratedClientChangedError, loadingFromFile, queryCompilerFile } from '../src/db/query-compiler-file.ts';
import { cgroupLimitMb, memoryLimit } from '../src/memory.ts';
import { createSqliteDatabase } from './support/databases.ts';
import { runServerProcess, startServerProcess } from './support/process.ts';
import { TEST_ENCRYPTION_KEY } from './support/service.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A cgroup folder holding the given files (path below the folder → content). */
function cgroupWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(os.tmpdir(), 'cgroup-'));
  folders.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), `${text}\n`);
  }
  return root;
}

describe("the container's memory limit", () => {
  it('is read from cgroup v2, then v1, in MB', () => {
    expect(cgroupLimitMb(cgroupWith({ 'memory.max': String(512 * 2 ** 20) }))).toBe(512);
    expect(cgroupLimitMb(cgroupWith({ 'memory/memory.limit_in_bytes': String(768 * 2 ** 20) }))).toBe(768);
  });

  it('is none where the cgroup sets none, or more than the machine has, or there is no cgroup', () => {
    expect(cgroupLimitMb(cgroupWith({ 'memory.max': 'max' }))).toBeUndefined();
    expect(cgroupLimitMb(cgroupWith({ 'memory/memory.limit_in_bytes': '9223372036854771712' }))).toBeUndefined();
    expect(cgroupLimitMb(cgroupWith({ 'memory.max': String(os.totalmem() + 2 ** 30) }))).toBeUndefined();
    expect(cgroupLimitMb(cgroupWith({}))).toBeUndefined();
  });

  it('gives way to MEMORY_LIMIT_MB', () => {
    const root = cgroupWith({ 'memory.max': String(512 * 2 ** 20) });
    expect(memoryLimit(1024, root)).toEqual({ mb: 1024, source: 'MEMORY_LIMIT_MB' });
    expect(memoryLimit(undefined, root)).toEqual({ mb: 512, source: 'cgroup' });
    expect(memoryLimit(undefined, cgroupWith({}))).toBeUndefined();
  });
});

describe('MEMORY_LIMIT_MB', () => {
  it('is refused below 256 MB or when not a number, naming the setting', () => {
    expect(() => loadConfig({ MEMORY_LIMIT_MB: '128' })).toThrow(
      'MEMORY_LIMIT_MB must be a whole number from 256 to 1048576',
    );
    expect(() => loadConfig({ MEMORY_LIMIT_MB: '1g' })).toThrow('MEMORY_LIMIT_MB');
  });

  it('stops the start with one line when it is bad', async () => {
    const database = createSqliteDatabase();
    try {
      const { code, output } = await runServerProcess({
        DATABASE_URL: database.url,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        MEMORY_LIMIT_MB: 'lots',
      });
      expect(code).toBe(1);
      expect(output.trim()).toBe('Cannot start: MEMORY_LIMIT_MB must be a whole number from 256 to 1048576');
    } finally {
      await database.drop();
    }
  });

  it("sizes V8's heap: in place where Node.js can start itself again, else it names the NODE_OPTIONS", async () => {
    const database = createSqliteDatabase();
    const env = { DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, MEMORY_LIMIT_MB: '512' };
    const heapLine = (output: string) =>
      JSON.parse(output.split('\n').find((line) => line.includes('"memoryLimitMb"')) ?? '{}');
    try {
      const server = await startServerProcess(env);
      try {
        const line = heapLine(server.output());
        expect(line).toMatchObject({ memoryLimitMb: 512, memoryLimitFrom: 'MEMORY_LIMIT_MB' });
        if ('execve' in process) {
          expect(line.msg).toBe('heap sized to the memory limit');
          // The old generation's 384 MB, and the young generation V8 adds to it.
          expect(line.heapLimitMb).toBeGreaterThanOrEqual(384);
          expect(line.heapLimitMb).toBeLessThan(384 + 256);
        } else {
          expect(line.msg).toBe(
            'this Node.js cannot size its heap to the memory limit once started: start it with NODE_OPTIONS=--max-old-space-size=384',
          );
        }
      } finally {
        server.child.kill();
        await server.exited;
      }
      // Started as the warning says, or by an operator's own size: that size is kept.
      const given = await startServerProcess({ ...env, NODE_OPTIONS: '--max-old-space-size=300' });
      try {
        const line = heapLine(given.output());
        expect(line.msg).toBe('heap sized to the memory limit');
        // 300 MB of old generation, and the young generation V8 adds (up to 192 MB on Node.js 24).
        expect(line.heapLimitMb).toBeGreaterThanOrEqual(300);
        expect(line.heapLimitMb).toBeLessThan(300 + 256);
      } finally {
        given.child.kill();
        await given.exited;
      }
    } finally {
      await database.drop();
    }
  });
});

describe("the generated clients' query compiler", () => {
  it('is read from its file, the very module Prisma ships as base64', async () => {
    for (const provider of ['sqlite', 'postgresql']) {
      const classSource = readFileSync(
        new URL(`../src/generated/${provider}/internal/class.ts`, import.meta.url),
        'utf8',
      );
      expect(classSource).not.toContain('wasm-base64');
      expect(classSource).toContain(queryCompilerFile(provider));
      const { wasm } = await import(`@prisma/client/runtime/query_compiler_small_bg.${provider}.wasm-base64.mjs`);
      const file = readFileSync(new URL(`../${queryCompilerFile(provider)}`, import.meta.url));
      expect(file.equals(Buffer.from(wasm, 'base64'))).toBe(true);
    }
  });

  it('stops `npm run generate` when a Prisma version loads it otherwise', () => {
    expect(() => loadingFromFile('config.compilerWasm = undefined', 'sqlite')).toThrow(GeneratedClientChangedError);
  });
});
