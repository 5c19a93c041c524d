/**
 * Reads a provisioning file: YAML or JSON (JSON is YAML), a top-level
 * `connections:` list of objects with the REST field names, an optional
 * `workspaces:` list of names, and an optional `secret_references:` map of
 * workspaces to the references their connections may use. Every problem is
 * reported with its line, none stops the reading of the rest.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Node, YAMLMap } from 'yaml';

// Loaded on first use: only a service with CONNECTIONS_FILE (or npm run apply) reads YAML.
let loaded: typeof import('yaml') | undefined;
const yaml = () => {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return loaded;
};

import { WORKSPACE_NAME } from '../auth/grants.ts';
import { WORKSPACE_REFERENCES } from '../connections/stored/references.ts';

/** The keys a provisioning file may hold. */
const KEYS = ['connections', 'workspaces', 'secret_references'];

/** The `workspaces:` list: names by the rules of a workspace's name; each problem added with its line. */
function readWorkspaces(list: unknown, lineAt: (node: Node) => number, problems: FileProblem[]): string[] {
  if (list === undefined) return [];
  if (!yaml().isSeq(list)) {
    problems.push({ where: 'workspaces', line: lineAt(list as Node), message: 'must be a list of names' });
    return [];
  }
  return list.items.flatMap((item, index) => {
    const name = yaml().isScalar(item) ? item.value : undefined;
    const checked = WORKSPACE_NAME.safeParse(name);
    if (checked.success) return [checked.data];
    const message = typeof name === 'string' ? (checked.error.issues[0]?.message ?? 'is invalid') : 'must be a name';
    problems.push({ where: `workspaces[${index}]`, line: lineAt(item as Node), message });
    return [];
  });
}

/** The `secret_references:` map, by the rules of SECRET_REFERENCES; each problem added with its line. */
function readSecretReferences(
  map: unknown,
  lineAt: (node: Node) => number,
  problems: FileProblem[],
): Record<string, string[]> {
  if (map === undefined) return {};
  const result = WORKSPACE_REFERENCES.safeParse(yaml().isNode(map) ? map.toJSON() : undefined);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    // As deep as the path goes in the file: the workspace, or the item of its list.
    let node = map as Node;
    for (const part of issue.path) {
      const child = yaml().isCollection(node) ? node.get(part, true) : undefined;
      if (!yaml().isNode(child)) break;
      node = child;
    }
    const where = ['secret_references', ...issue.path].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
    const message = issue.path.length > 0 ? issue.message : 'must map workspace names to lists of references';
    problems.push({ where, line: lineAt(node), message });
  }
  return {};
}

export interface FileEntry {
  /** Its place in the list, from 0. */
  index: number;
  /** The object as written, REST field names. */
  body: Record<string, unknown>;
  /** The line of a field path in this entry (`ssh_settings.private_key`), or of the entry itself. */
  lineOf(path: string): number;
}

export interface FileProblem {
  /** `connections[2].connection_uri`, or '' for the file as a whole. */
  where: string;
  line: number;
  message: string;
}

export class ProvisioningFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: FileProblem[],
  ) {
    super(
      `${file} is not a provisioning file this service can apply; nothing was changed:\n` +
        problems.map(({ where, line, message }) => `  line ${line}: ${where ? `${where} ` : ''}${message}`).join('\n'),
    );
  }
}

export interface ProvisioningFile {
  path: string;
  entries: FileEntry[];
  /** The names of the `workspaces:` list. */
  workspaces: string[];
  /** The `secret_references:` map: the references each workspace's connections may use. */
  secretReferences: Record<string, string[]>;
  /** What is wrong with the form of the file beyond its entries (a list item that is no object, an unknown key). */
  problems: FileProblem[];
}

/**
 * npm's banner (`> name@version script`, then the command) where the file starts: `npm run export >
 * FILE` writes it into the file, before the document. Refused, saying how to export without it.
 */
function npmBanner(text: string): FileProblem | undefined {
  const match = /^(\s*)(> \S+@\S+ \S+)/.exec(text);
  if (!match) return undefined;
  return {
    where: '',
    line: (match[1]?.match(/\n/g)?.length ?? 0) + 1,
    message:
      `starts with npm's banner (${match[2]}), which \`npm run export > FILE\` writes into the file: export with ` +
      '`npm run export -- --output FILE` (or `npm run -s export > FILE`), then import that file',
  };
}

type LineAt = (node: Node | null | undefined) => number;

/**
 * The entries of the file, and what is wrong with its form; throws ProvisioningFileError when it
 * cannot be read or parsed at all.
 */
export function readProvisioningFile(file: string): ProvisioningFile {
  const { root, lineAt } = parse(file, readText(file));
  const list = yaml().isMap(root) ? root.get('connections', true) : undefined;
  if (!yaml().isMap(root) || !yaml().isSeq(list)) {
    throw new ProvisioningFileError(file, [
      { where: '', line: lineAt(root as Node), message: 'must hold a `connections:` list' },
    ]);
  }
  const problems: FileProblem[] = [];
  for (const pair of root.items) {
    const key = (pair.key as { value?: unknown })?.value;
    if (typeof key !== 'string' || !KEYS.includes(key)) {
      problems.push({
        where: String(key),
        line: lineAt(pair.key as Node),
        message: 'is not a key of a provisioning file',
      });
    }
  }
  const entries = readEntries(list.items, lineAt, problems);
  return {
    path: file,
    entries,
    workspaces: readWorkspaces(root.get('workspaces', true), lineAt, problems),
    secretReferences: readSecretReferences(root.get('secret_references', true), lineAt, problems),
    problems,
  };
}

/** The file's text, unless it cannot be read or starts with npm's banner. */
function readText(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ProvisioningFileError(file, [
      { where: '', line: 0, message: `cannot be read (${(error as Error).message})` },
    ]);
  }
  const banner = npmBanner(text);
  if (banner) throw new ProvisioningFileError(file, [banner]);
  return text;
}

/** The document's top node, and the line of each node; throws with every error when the text does not parse. */
function parse(file: string, text: string): { root: unknown; lineAt: LineAt } {
  const lines = new (yaml().LineCounter)();
  const document = yaml().parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const lineAt: LineAt = (node) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const problems: FileProblem[] = document.errors.map((error) => ({
    where: '',
    line: error.linePos?.[0].line ?? 1,
    message: (error.message.split('\n')[0] ?? 'does not parse').replace(/ at line \d+, column \d+:?$/, ''),
  }));
  if (problems.length > 0) throw new ProvisioningFileError(file, problems);
  return { root: document.contents, lineAt };
}

/** The items of the `connections:` list that are objects; each other one a problem. */
function readEntries(items: unknown[], lineAt: LineAt, problems: FileProblem[]): FileEntry[] {
  const entries: FileEntry[] = [];
  items.forEach((item, index) => {
    const node = item as Node;
    if (!yaml().isMap(node)) {
      problems.push({ where: `connections[${index}]`, line: lineAt(node), message: 'must be an object' });
      return;
    }
    entries.push({
      index,
      body: node.toJSON() as Record<string, unknown>,
      lineOf: (path) => lineAt(nodeAt(node, path)),
    });
  });
  return entries;
}

/** As deep as the path goes in the file: a field left out is reported at its entry. */
function nodeAt(entry: Node, path: string): Node {
  let current: Node = entry;
  for (const part of path.split(/[.[\]]/).filter(Boolean)) {
    const child = yaml().isMap(current)
      ? (current as YAMLMap).get(part, true)
      : yaml().isSeq(current)
        ? current.get(Number(part), true)
        : undefined;
    if (!child) break;
    current = child as Node;
  }
  return current;
}
