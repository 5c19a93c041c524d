/**
 * The tables prisma/model.prisma describes, read from its text: each model's table, its columns
 * (name, Prisma type, nullability) and its indexes (primary key, unique, plain), in the form the
 * migrations' tables are read in (test/schema-drift.test.ts). The model keeps to scalar types both
 * providers share (its header says so), which is all this reader knows.
 */
import { readFileSync } from 'node:fs';

export interface ModelColumn {
  name: string;
  type: 'String' | 'Int' | 'Boolean' | 'DateTime' | 'Bytes';
  nullable: boolean;
}

export interface ModelIndex {
  columns: string[];
  kind: 'primary' | 'unique' | 'index';
}

export interface ModelTable {
  name: string;
  columns: ModelColumn[];
  indexes: ModelIndex[];
}

const mapped = (attributes: string) => /@map\("([^"]+)"\)/.exec(attributes)?.[1];
const listOf = (text: string) => text.split(',').map((name) => name.trim());

export function modelTables(path = new URL('../../prisma/model.prisma', import.meta.url)): ModelTable[] {
  const text = readFileSync(path, 'utf8').replace(/\/\/.*$/gm, '');
  return [...text.matchAll(/^model\s+(\w+)\s*\{([^}]*)\}/gm)].map(([, model = '', body = '']) => {
    const columns: ModelColumn[] = [];
    const indexes: ModelIndex[] = [];
    const columnOf = new Map<string, string>();
    const blockAttributes: string[] = [];
    for (const line of body.split('\n').map((l) => l.trim())) {
      if (line.startsWith('@@')) {
        blockAttributes.push(line);
        continue;
      }
      const field = /^(\w+)\s+(String|Int|Boolean|DateTime|Bytes)(\?)?\s*(.*)$/.exec(line);
      if (!field) continue;
      const [, name = '', type, optional, attributes = ''] = field;
      const column = mapped(attributes) ?? name;
      columnOf.set(name, column);
      columns.push({ name: column, type: type as ModelColumn['type'], nullable: optional === '?' });
      if (/@id\b/.test(attributes)) indexes.push({ columns: [column], kind: 'primary' });
      if (/@unique\b/.test(attributes)) indexes.push({ columns: [column], kind: 'unique' });
    }
    let table = model;
    for (const attribute of blockAttributes) {
      const [, kind = '', argument = ''] = /^@@(\w+)\((.*)\)$/.exec(attribute) ?? [];
      const fields = /^\[([^\]]*)\]/.exec(argument)?.[1];
      const columnsOf = () => listOf(fields ?? '').map((name) => columnOf.get(name) ?? name);
      if (kind === 'map') table = /"([^"]+)"/.exec(argument)?.[1] ?? table;
      else if (kind === 'id') indexes.push({ columns: columnsOf(), kind: 'primary' });
      else if (kind === 'unique') indexes.push({ columns: columnsOf(), kind: 'unique' });
      else if (kind === 'index') indexes.push({ columns: columnsOf(), kind: 'index' });
    }
    return { name: table, columns, indexes };
  });
}
