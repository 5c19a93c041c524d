/**
 * The response cache: the results of the reads the read cache serves (a connection by id, a page
 * of connections, its count), kept by document, variables and the caller's access, so that a read
 * asked again skips execution (the scope checks, the query limits' count, the resolvers) and its
 * answer is written from the JSON kept. It is The Guild's response-cache plugin for envelop; what
 * it may keep and when it forgets it are decided here, by the read cache's rules:
 *
 * - only queries whose every field of Query and DatabaseConnection is one the read cache serves
 *   (the table's row); a reveal (any `reveal` argument not false), a request past the cache
 *   (Cache-Control: no-cache), a mutation or a subscription are never looked up nor kept;
 * - kept per caller's access (its grants: workspaces and scopes), since what a caller sees is
 *   checked during execution, and a hit skips it; a revoked or expired credential is refused
 *   before GraphQL, so it reaches nothing kept;
 * - every change event forgets everything, and a result read while a change was told is not kept;
 *   while changes of other processes are not heard, nothing is looked up nor kept;
 * - only results without errors; bounded as the read cache is (READ_CACHE_ENTRIES, READ_CACHE_MB,
 *   READ_CACHE_TTL_S).
 */
import { createHash } from 'node:crypto';
import { type BuildResponseCacheKeyFunction, type Cache, useResponseCache } from '@envelop/response-cache';
import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  type ValueNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Access } from '../auth/grants.ts';
import type { ReadCacheSettings } from '../commands/connections/read-cache.ts';
import type { Context } from '../context.ts';
import type { ChangeWatcher } from '../events/connection-events.ts';

/** The fields of these types that a kept result may hold: those read from the connections' rows. */
const SERVED: Record<string, ReadonlySet<string>> = {
  Query: new Set(['databaseConnection', 'databaseConnections', '__typename']),
  // Not healthHistory, introspection, schemaSnapshot, schemaChanges: read from elsewhere.
  DatabaseConnection: new Set([
    '__typename',
    'id',
    'version',
    'workspace',
    'alias',
    'connectionUri',
    'dialect',
    'parameters',
    'schemas',
    'metadata',
    'useSsh',
    'sshSettings',
    'tlsSettings',
    'health',
    'managed',
    'createdAt',
    'updatedAt',
  ]),
};

/** A `reveal` argument of a document: its literal value, or the variable it reads and that one's default. */
type RevealArgument = { literal: ValueNode } | { variable: string; fallback?: ValueNode };

/**
 * What a document may be kept for: never (null), or when none of its reveal arguments is true, under
 * the values of the variables it declares (those it does not, GraphQL ignores).
 */
type Verdict = { reveals: RevealArgument[]; variables: string[] } | null;

const revealAsked = (value: ValueNode | undefined) => value?.kind === Kind.BOOLEAN && value.value;

function verdictOf(schema: GraphQLSchema, document: DocumentNode): Verdict {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const [operation] = operations;
  if (operations.length !== 1 || operation?.operation !== 'query') return null;
  const defaults = new Map(
    (operation.variableDefinitions ?? []).map((definition) => [
      definition.variable.name.value,
      definition.defaultValue,
    ]),
  );
  const reveals: RevealArgument[] = [];
  let served = true;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(field) {
        const parent = typeInfo.getParentType()?.name;
        if (parent === undefined || SERVED[parent]?.has(field.name.value) === false) served = false;
        for (const argument of field.arguments ?? []) {
          if (argument.name.value !== 'reveal') continue;
          const { value } = argument;
          reveals.push(
            value.kind === Kind.VARIABLE
              ? { variable: value.name.value, fallback: defaults.get(value.name.value) }
              : { literal: value },
          );
        }
      },
    }),
  );
  return served ? { reveals, variables: [...defaults.keys()].sort() } : null;
}

function reveals(verdict: NonNullable<Verdict>, variables: Readonly<Record<string, unknown>> | null | undefined) {
  return verdict.reveals.some((argument) => {
    if ('literal' in argument) return revealAsked(argument.literal);
    const value = variables?.[argument.variable];
    return value === undefined ? revealAsked(argument.fallback) : value !== false && value !== null;
  });
}

/** Who sees the same results: callers of the same grants. */
const sessions = new WeakMap<Access, string>();
function sessionOf(access: Access): string {
  let session = sessions.get(access);
  if (session === undefined) {
    session = JSON.stringify(
      access.grants
        .map(({ workspace, scopes }) => [workspace, [...scopes].sort()] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    sessions.set(access, session);
  }
  return session;
}

/** A short name for each document: Yoga hands every request of the same text the same parsed document. */
const documentIds = new WeakMap<DocumentNode, string>();
let lastDocumentId = 0;
function documentIdOf(document: DocumentNode): string {
  let id = documentIds.get(document);
  if (id === undefined) {
    id = String(++lastDocumentId);
    documentIds.set(document, id);
  }
  return id;
}

/** Kept results are shared by every request that hits them: nothing may change one. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

interface Kept {
  data: ExecutionResult['data'];
  /** The result as Yoga would write it. */
  json: string;
}

export interface ResponseCacheStats {
  hits: number;
  entries: number;
  bytes: number;
}

export interface ResponseCache extends ChangeWatcher {
  plugins: Plugin[];
  stats(): ResponseCacheStats;
}

/** The results kept, bounded as the read cache is, and the store the response cache reads and writes them through. */
function keptResults(settings: ReadCacheSettings) {
  const kept = new LRUCache<string, Kept>({
    max: Math.max(settings.maxEntries, 1),
    maxSize: Math.max(settings.maxBytes, 1),
    // The result's text (its UTF-8 bytes: text outside Latin-1 takes two bytes a character in memory
    // too), as much again for the objects of its data, and its key.
    sizeCalculation: (entry, key) => 2 * Buffer.byteLength(entry.json) + key.length + 64,
    ttl: settings.ttlMs,
  });
  let hits = 0;
  const store: Cache = {
    set(key, result) {
      kept.set(key, { data: deepFreeze(result.data), json: JSON.stringify(result) });
    },
    get(key) {
      const entry = kept.get(key);
      if (!entry) return null;
      hits++;
      const { data, json } = entry;
      return { data, stringify: () => json } as ExecutionResult;
    },
    // Mutations are not seen (see `enabled`): change events forget instead.
    invalidate() {},
  };
  return { kept, store, hits: () => hits };
}

/**
 * A result's key: a digest of fixed length of its document, the values of the variables it declares
 * and the caller's grants. The variables are the caller's, as long as a body allows (undeclared ones
 * too, which GraphQL ignores): a key held as sent would escape READ_CACHE_MB. A variable left out
 * (its default then applies) is told apart from one given as null.
 */
function keyOf(
  { documentString, operationName, variableValues, sessionId }: Parameters<BuildResponseCacheKeyFunction>[0],
  declared: readonly string[],
): string {
  const values = Object.fromEntries(
    declared.filter((name) => variableValues && name in variableValues).map((name) => [name, variableValues?.[name]]),
  );
  return createHash('sha256')
    .update(`${documentString}|${operationName ?? ''}|${JSON.stringify(values)}|${sessionId ?? ''}`)
    .digest('base64url');
}

/** The response cache's plugins (to follow graphql-jit's, whose execution it wraps) and its watcher of changes. */
export function createResponseCache(settings: ReadCacheSettings): ResponseCache {
  const { kept, store, hits } = keptResults(settings);
  const verdicts = new WeakMap<DocumentNode, Verdict>();
  /** The executions that may be looked up and kept: the generation each started in, the variables its document declares. */
  const cacheable = new WeakMap<object, { generation: number; variables: string[] }>();
  let generation = 0;
  let heard = false;

  /** Decides, before the response cache's turn, whether this execution may be looked up and kept. */
  const gate: Plugin<Context> = {
    onExecute({ args }) {
      const context = args.contextValue;
      if (!heard || context.caller.fresh === true) return;
      let verdict = verdicts.get(args.document);
      if (verdict === undefined) {
        verdict = verdictOf(args.schema, args.document);
        verdicts.set(args.document, verdict);
      }
      if (verdict && !reveals(verdict, args.variableValues)) {
        cacheable.set(context, { generation, variables: verdict.variables });
      }
    },
  };

  const responseCache = useResponseCache<Context>({
    cache: store,
    ttl: settings.ttlMs,
    session: (context) => sessionOf(context.principal.access),
    enabled: (context) => cacheable.has(context),
    getDocumentString: (args) => documentIdOf(args.document),
    buildResponseCacheKey: (params) => keyOf(params, cacheable.get(params.context as object)?.variables ?? []),
    shouldCacheResult: ({ result }) => !result.errors?.length,
    // Read while a change was told (or while changes went unheard): answered, not kept.
    onTtl: ({ ttl, context }) => (heard && cacheable.get(context)?.generation === generation ? ttl : 0),
    includeExtensionMetadata: false,
  });

  return {
    plugins: [gate as Plugin, responseCache as Plugin],
    changed() {
      generation++;
      kept.clear();
    },
    hearing(now) {
      generation++;
      heard = now;
      kept.clear();
    },
    stats: () => ({ hits: hits(), entries: kept.size, bytes: kept.calculatedSize }),
  };
}
