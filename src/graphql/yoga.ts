/** The GraphQL Yoga server: the one pipeline both /graphql and the REST facade execute through. */
import { execute } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Context } from '../context.ts';
import type { Logger } from '../logger.ts';
import { schema } from '../schema/index.ts';

export type Yoga = YogaServerInstance<Record<string, unknown>, Context>;

export const GRAPHQL_PATH = '/graphql';

export function createGraphQLServer(context: Context): Yoga {
  const { logger } = context;
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: () => context,
    // Unexpected errors reach clients as "Unexpected error."; the original goes
    // to the log through the logger below.
    maskedErrors: true,
    // Served by our own routes (src/http/server.ts), which also check the database.
    healthCheckEndpoint: '/.yoga-health',
    landingPage: false,
    // No cross-origin access unless a later setting opens it.
    cors: false,
    logging: yogaLogger(logger),
    plugins: [useGraphQLJsExecute],
  });
}

/**
 * Executes with graphql-js itself. Yoga's default executor (@graphql-tools)
 * writes fields that resolve asynchronously after the others, so a response
 * would not follow the order of the query as the GraphQL spec asks.
 */
const useGraphQLJsExecute: Plugin = {
  onExecute: ({ setExecuteFn }) => setExecuteFn(execute),
};

function yogaLogger(logger: Logger) {
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) logger[level]({ err: first }, first.message);
      else logger[level]({ details: rest.length > 0 ? rest : undefined }, String(first));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
