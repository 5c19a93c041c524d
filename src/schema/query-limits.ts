/**
 * How much one GraphQL operation may ask for, and the error that says a query asked for more. The
 * complexity of a query is the number of fields it would resolve, a list's fields counted once per
 * item it may hold: a page of connections holds `first` (or `last`) items, whether the number is
 * written in the query or passed as a variable; other lists count as LIST_SIZE. The limits are
 * sized for the documented maximum: a page of CONNECTION_PAGE_MAX connections with every field.
 */
import { GraphQLError, type ValidationRule } from 'graphql';

export const QUERY_LIMITS = {
  /** Fields resolved, lists counted by their size: a page of 1,000 connections with every field is about 40,000. */
  complexity: 60_000,
  /**
   * Fields nested in fields. No query of today's schema nests deeper than 8 (a page's connections'
   * discovered columns): this guards types that will refer to each other.
   */
  depth: 12,
  /** Fields selected in all, aliases and fragments included. */
  breadth: 400,
  /** Fields given another name in the document: each may repeat a costly field, a database read. */
  aliases: 15,
  /** Tokens in the document, counted before it is parsed. */
  tokens: 4_000,
} as const;

export type QueryLimit = keyof typeof QUERY_LIMITS;

/** How many items a list other than a page counts for (schemas, tables and columns of a discovery). */
export const LIST_SIZE = 10;

/** The code of a query refused for asking more than a limit allows. */
export const QUERY_LIMIT_EXCEEDED = 'QUERY_LIMIT_EXCEEDED';

const WORDS: Record<QueryLimit, string> = {
  complexity: 'asks for more fields than one query may (each field of a list counted once per item)',
  depth: 'nests fields deeper than one query may',
  breadth: 'selects more fields than one query may',
  aliases: 'renames more fields than one query may',
  tokens: 'is longer than one query may be',
};

/** The error of a query over a limit: which limit, its value, and what the query came to. */
export function queryLimitError(limit: QueryLimit, found: number): GraphQLError {
  const max = QUERY_LIMITS[limit];
  return new GraphQLError(
    `The query ${WORDS[limit]}: its ${limit} is ${found}, over the limit of ${max}. Ask for fewer rows ` +
      '(first, last) or fewer fields, or split the query.',
    { extensions: { code: QUERY_LIMIT_EXCEEDED, limit, max, found } },
  );
}

/** The complexity of a page of `first` or `last` items (`defaultSize` when neither is given). */
export const pageComplexity =
  (defaultSize: number) =>
  ({ first, last }: { first?: number | null; last?: number | null }) => ({
    field: 1,
    multiplier: Math.max(first ?? last ?? defaultSize, 0),
  });

/** A validation rule: refuses a document with more aliases than QUERY_LIMITS.aliases. */
export const aliasLimitRule: ValidationRule = (context) => {
  let aliases = 0;
  return {
    Field(node) {
      if (node.alias) aliases++;
    },
    Document: {
      leave() {
        if (aliases > QUERY_LIMITS.aliases) context.reportError(queryLimitError('aliases', aliases));
      },
    },
  };
};
