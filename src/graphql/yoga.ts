/** The GraphQL Yoga server: the one pipeline both /graphql and the REST facade execute through. */

import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import {
  type DocumentNode,
  type ExecutionArgs,
  execute,
  GraphQLError,
  getOperationAST,
  getVariableValues,
  Kind,
  Lexer,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  Source,
  TokenKind,
} from 'graphql';
import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { AccessDeniedError } from '../auth/errors.ts';
import { missingScopesError } from '../auth/forbidden.ts';
import type { Context, RequestContext, ServiceContext } from '../context.ts';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../db/errors.ts';
import type { Logger } from '../logger.ts';
import { schema } from '../schema/index.ts';
import { aliasLimitRule, QUERY_LIMITS, queryLimitError } from '../schema/query-limits.ts';
import { scrub } from '../secrets/scrub.ts';
import type { ResponseCache } from './response-cache.ts';

export type Yoga = YogaServerInstance<RequestContext, Context>;

export const GRAPHQL_PATH = '/graphql';

export interface GraphQLObserver {
  countOperation(name: string | undefined, type: string): void;
  countDatabaseError(error: unknown): void;
}

/**
 * Documents whose variables are always well typed (the REST operations, which the adapter
 * fills from bodies whose shape it has checked): graphql-jit runs them without a second check.
 */
export const trustedDocuments = new WeakSet<DocumentNode>();

export interface GraphQLOptions {
  /** Introspection and field suggestions (GraphiQL's page is served by the HTTP server). */
  explorer: boolean;
  /** Told of each operation executed and of each database error (the HTTP layer's metrics). */
  observer: GraphQLObserver;
  /** The results of cached reads, kept whole (none when the read cache is off). */
  responseCache?: ResponseCache;
}

/** Each request must come with its principal (who is calling), authenticated by the HTTP server. */
export function createGraphQLServer(service: ServiceContext, options: GraphQLOptions): Yoga {
  const { logger } = service;
  return createYoga<RequestContext, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: ({ principal, logger: requestLogger, requestId, fresh }) => ({
      ...service,
      principal,
      logger: requestLogger,
      requestId,
      caller: { principal, requestId, logger: requestLogger, fresh },
    }),
    // Unexpected errors reach clients as "Unexpected error."; the original goes
    // to the log through the logger below.
    maskedErrors: {
      maskError: (error, message, isDev) => {
        const original = error instanceof GraphQLError ? error.originalError : error;
        options.observer.countDatabaseError(original);
        if (isDatabaseUnavailable(original)) return databaseUnavailable(error);
        // A scope the caller lacks in a workspace: the same error as a scope it lacks everywhere.
        if (original instanceof AccessDeniedError) return accessDenied(error as GraphQLError, original);
        return maskErrorAndSecrets(error, message, isDev);
      },
    },
    landingPage: false,
    // Served by the HTTP server from local assets, with its own security policy.
    graphiql: false,
    // CORS is answered by the HTTP server, from the CORS_ORIGINS allow-list (src/http/security.ts).
    cors: false,
    logging: yogaLogger(logger),
    plugins: [
      useGraphQLJsExecute,
      // Compiled execution of single-operation documents, except where the variables are invalid:
      // graphql-js then reports them with the path of the bad value, which graphql-jit's coercion does not.
      useGraphQlJit({}, { enableIf: jitMayRun }),
      // After graphql-jit, whose execution a miss runs and a hit skips.
      ...(options.responseCache?.plugins ?? []),
      useSecretFreeErrors,
      useOperationMetrics(options.observer),
      // Browsers may only send requests that a cross-site form or image could not.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      // The query limits are Pothos' complexity plugin's (src/schema/query-limits.ts), and the token count here.
      useTokenLimit,
      { onValidate: ({ addValidationRule }) => addValidationRule(aliasLimitRule) } satisfies Plugin,
      EnvelopArmorPlugin({
        maxDepth: { enabled: false },
        maxAliases: { enabled: false },
        maxTokens: { enabled: false },
        maxDirectives: { enabled: false },
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: !options.explorer },
      }),
      ...(options.explorer ? [] : [noIntrospection]),
    ],
  });
}

/** A scope the caller holds elsewhere but not in the workspace concerned: FORBIDDEN, naming the workspace. */
function accessDenied(located: GraphQLError, denied: AccessDeniedError): GraphQLError {
  const { extensions } = missingScopesError([denied.scope]);
  return new GraphQLError(denied.message, {
    nodes: located.nodes,
    path: located.path,
    extensions: { ...extensions, workspace: denied.workspace },
  });
}

/**
 * A database out of reach is no bug to hide behind "Unexpected error.": the
 * client is told so, with 503 and Retry-After on the HTTP response (Yoga reads
 * `extensions.http` and leaves it out of the body).
 */
function databaseUnavailable(error: unknown): GraphQLError {
  const located = error instanceof GraphQLError ? error : undefined;
  return new GraphQLError(`The database is unavailable. Retry in ${RETRY_AFTER_SECONDS} seconds.`, {
    nodes: located?.nodes,
    path: located?.path,
    extensions: {
      code: DATABASE_UNAVAILABLE,
      http: { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } },
    },
  });
}

/** The same error with its message scrubbed of URI secrets (itself when there were none). */
function withoutSecrets(error: GraphQLError): GraphQLError {
  const text = scrub(error.message);
  if (text === error.message) return error;
  const { nodes, source, positions, path, extensions } = error;
  return new GraphQLError(text, { nodes, source, positions, path, extensions });
}

/**
 * Unexpected errors become "Unexpected error." (Yoga's masking); errors meant
 * for clients keep their text, but graphql-js quotes invalid values in it, so
 * any connection URI secret in them is masked.
 */
const maskErrorAndSecrets: typeof maskError = (error, message, isDev) => {
  const masked = maskError(error, message, isDev);
  return masked instanceof GraphQLError ? withoutSecrets(masked) : masked;
};

/** Syntax and validation errors do not go through error masking: scrub them here. */
const useSecretFreeErrors: Plugin = {
  onParse:
    () =>
    ({ result, replaceParseResult }) => {
      if (result instanceof GraphQLError) replaceParseResult(withoutSecrets(result));
    },
  onValidate:
    () =>
    ({ result, setResult }) => {
      if (result.length > 0)
        setResult(result.map((error) => (error instanceof GraphQLError ? withoutSecrets(error) : error)));
    },
};

/**
 * Whether graphql-jit may run this request: a document of exactly one operation (the one named, if a
 * name is given) whose variables coerce cleanly (always so for the REST operations, checked by the
 * adapter). graphql-jit keeps one compiled query per parsed document, and Yoga hands every request
 * of the same text the same parsed document, so a document of several operations compiled for one
 * would run that one whatever operationName a later request names: those run on graphql-js.
 */
function jitMayRun({ schema, document, operationName, variableValues }: ExecutionArgs): boolean {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const [operation] = operations;
  if (operations.length !== 1 || !operation) return false;
  if (operationName && operation.name?.value !== operationName) return false;
  if (trustedDocuments.has(document)) return true;
  const definitions = operation.variableDefinitions ?? [];
  return definitions.length === 0 || !getVariableValues(schema, definitions, variableValues ?? {}).errors;
}

/** Counts each operation executed, by name and type. */
function useOperationMetrics(metrics: GraphQLObserver): Plugin {
  return {
    onExecute: ({ args }) => {
      const operation = getOperationAST(args.document, args.operationName);
      metrics.countOperation(operation?.name?.value, operation?.operation ?? 'unknown');
    },
  };
}

/** Refuses a document of more than QUERY_LIMITS.tokens tokens before it is parsed. */
const useTokenLimit: Plugin = {
  onParse: ({ params, setParseFn }) => {
    const text = typeof params.source === 'string' ? params.source : params.source.body;
    // A token is a character at least: a document no longer than the limit is within it, uncounted.
    if (text.length <= QUERY_LIMITS.tokens) return;
    const lexer = new Lexer(typeof params.source === 'string' ? new Source(params.source) : params.source);
    let tokens = 0;
    try {
      while (lexer.advance().kind !== TokenKind.EOF) tokens++;
    } catch {
      // Not GraphQL: the parser says where.
      return;
    }
    if (tokens > QUERY_LIMITS.tokens) {
      setParseFn(() => {
        throw queryLimitError('tokens', tokens);
      });
    }
  },
};

const noIntrospection: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
};

/**
 * Executes with graphql-js itself where graphql-jit does not. Yoga's default
 * executor (@graphql-tools) writes fields that resolve asynchronously after the
 * others, so a response would not follow the order of the query as the GraphQL
 * spec asks.
 */
const useGraphQLJsExecute: Plugin = {
  onExecute: ({ setExecuteFn }) => setExecuteFn(execute),
};

function yogaLogger(logger: Logger) {
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      // The error's message goes with the error, which the logger rids of a failed query's values.
      if (first instanceof Error) logger[level]({ err: first }, 'a GraphQL operation failed');
      else logger[level]({ details: rest.length > 0 ? rest : undefined }, String(first));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
