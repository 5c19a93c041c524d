/**
 * Who touches each table: every use of a member of the table's Prisma delegate (found by its type,
 * so that a variable holding the delegate is found too) and every SQL text naming the table after
 * FROM, INTO, UPDATE, JOIN or TABLE, in the TypeScript files under `<root>/src`, outside the one
 * module allowed to (its store module, src/db/tables/<table>.ts).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface Table {
  /** The table's name in SQL. */
  name: string;
  /** The type of its Prisma delegate. */
  delegate: string;
  /** The one module that may read or write it. */
  module: string;
}

export const TABLES: Table[] = [
  { name: 'database_connections', delegate: 'DatabaseConnectionDelegate', module: 'src/db/tables/connections.ts' },
  { name: 'workspaces', delegate: 'WorkspaceDelegate', module: 'src/db/tables/workspaces.ts' },
  { name: 'api_keys', delegate: 'ApiKeyDelegate', module: 'src/db/tables/api-keys.ts' },
  { name: 'audit_events', delegate: 'AuditEventDelegate', module: 'src/db/tables/audit-events.ts' },
  { name: 'idempotency_keys', delegate: 'IdempotencyKeyDelegate', module: 'src/db/tables/idempotency-keys.ts' },
  { name: 'schema_snapshots', delegate: 'SchemaSnapshotDelegate', module: 'src/db/tables/schema-history.ts' },
  { name: 'schema_changes', delegate: 'SchemaChangeDelegate', module: 'src/db/tables/schema-history.ts' },
];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The table a SQL text works on, if any: its name after FROM, INTO, UPDATE, JOIN or TABLE (quoted or not). */
const sqlTable = (text: string) =>
  TABLES.find(({ name }) => new RegExp(`\\b(FROM|INTO|UPDATE|JOIN|TABLE)\\s+"?${name}\\b`, 'i').test(text));

/** `file:line what` for each place that reads or writes a table outside its module. */
export function tableAccessOutsideStores(root: string): string[] {
  const files = sourceFiles(join(root, 'src'));
  const program = ts.createProgram(files, {
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const found: string[] = [];
  for (const file of files) {
    const path = relative(root, file);
    const source = program.getSourceFile(file);
    if (!source) continue;
    const report = (node: ts.Node, table: Table | undefined, what: string) => {
      if (!table || table.module === path) return;
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${path}:${line + 1} ${table.name}: ${what}`);
    };
    const visit = (node: ts.Node) => {
      if (ts.isStringLiteralLike(node)) report(node, sqlTable(node.text), 'SQL on the table');
      // A member of a delegate, however the delegate was reached: `prisma.workspace.update`, `table.update`.
      if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
        const type = checker.getTypeAtLocation(node.expression);
        const name = (type.aliasSymbol ?? type.getSymbol())?.getName() ?? '';
        const table = TABLES.find(({ delegate }) => delegate === name);
        report(node, table, `its Prisma delegate (${node.getText()})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
