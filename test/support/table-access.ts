/**
 * Who touches the connections table: every use of a member of Prisma's `databaseConnection` delegate
 * (found by its type, so that a variable holding the delegate is found too) and every SQL text naming
 * `database_connections`, in the TypeScript files under `<root>/src`, outside the one module
 * allowed to (src/connections/store.ts).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const TABLE_MODULE = 'src/connections/store.ts';

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `file:line what` for each place outside TABLE_MODULE that reads or writes the connections table. */
export function tableAccessOutsideStore(root: string): string[] {
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
    if (path === TABLE_MODULE) continue;
    const source = program.getSourceFile(file);
    if (!source) continue;
    const report = (node: ts.Node, what: string) => {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${path}:${line + 1} ${what}`);
    };
    const visit = (node: ts.Node) => {
      if (ts.isStringLiteralLike(node) && /\bdatabase_connections\b/.test(node.text)) report(node, 'SQL on the table');
      // A member of the delegate, however the delegate was reached: `prisma.databaseConnection.update`, `table.update`.
      if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
        const type = checker.getTypeAtLocation(node.expression);
        const name = (type.aliasSymbol ?? type.getSymbol())?.getName() ?? '';
        if (name === 'DatabaseConnectionDelegate') report(node, `the table's Prisma delegate (${node.getText()})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
