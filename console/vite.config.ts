/**
 * The console's build: one page and its hashed assets in dist/console, served by the service at /
 * (assets under /console/). The build fails when the JavaScript passes its budget, gzipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** The most JavaScript the console may ship, gzipped (the bound). */
export const SCRIPT_BUDGET_BYTES = 250 * 1024;

/** Measures the scripts written, gzipped; refuses a build over the budget. */
function scriptBudget(outDir: string): Plugin {
  return {
    name: 'script-budget',
    apply: 'build',
    closeBundle() {
      const folder = join(outDir, 'assets');
      const scripts = readdirSync(folder).filter((name) => name.endsWith('.js'));
      const gzipped = scripts.reduce((total, name) => total + gzipSync(readFileSync(join(folder, name))).length, 0);
      const line = `console: ${scripts.length} script(s), ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${SCRIPT_BUDGET_BYTES / 1024} KB)`;
      if (gzipped > SCRIPT_BUDGET_BYTES) throw new Error(`${line}: over budget`);
      console.log(line);
    },
  };
}

const outDir = join(import.meta.dirname, '..', 'dist', 'console');

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false },
  plugins: [scriptBudget(outDir)],
});
