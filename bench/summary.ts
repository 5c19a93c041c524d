/**
 * `npx tsx bench/summary.ts`: the table of targets in docs/benchmark.md, from the last run of each store and
 * runtime (bench/results/<store>-node<major>.json): each target, what each run measured, and
 * whether it is met. test/docs.test.ts checks that docs/benchmark.md shows this very table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { metMark, type Report, targetsOf } from './targets.ts';

const RESULTS = fileURLToPath(new URL('results/', import.meta.url));
const STORE_NAMES: Record<string, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export function summaryTable(folder = RESULTS): string {
  const reports = readdirSync(folder)
    .filter((name) => /^\w+-node\d+\.json$/.test(name))
    // SQLite first, then by runtime.
    .sort((a, b) => Number(b.startsWith('sqlite')) - Number(a.startsWith('sqlite')) || a.localeCompare(b))
    .map((name) => JSON.parse(readFileSync(`${folder}${name}`, 'utf8')) as Report);
  const columns = reports.map((report) => `${STORE_NAMES[report.store] ?? report.store}, Node ${report.machine.node}`);
  const targets = reports.map(targetsOf);
  const lines = [
    `| target | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
    ...(targets[0] ?? []).map(
      ({ target }, i) =>
        `| ${target} | ${targets.map((run) => `${run[i]?.measured} ${metMark(run[i]?.met)}`.trim()).join(' | ')} |`,
    ),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(summaryTable());
