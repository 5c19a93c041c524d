/**
 * The types of an operation's answer and variables, read by gql.tada from the operation's text and
 * the schema's types generated from schema.graphql (`npm run schema`). Types only: the console
 * sends its operations as the strings they are, and nothing of gql.tada reaches the bundle.
 */
import type { initGraphQLTada, ResultOf, VariablesOf } from 'gql.tada';
import type { introspection } from './schema.generated.d.ts';

declare module 'gql.tada' {
  // gql.tada's first overload looks a text up in a cache of pre-built documents, which the console has
  // none of; this lets any text pass that lookup, so that the overload that parses it can be asked.
  interface setupCache {
    [text: string]: unknown;
  }
}

/** How the answers carry the schema's own scalars. */
interface Scalars {
  DateTime: string;
  JSONObject: Record<string, unknown>;
  SafeInt: number;
}

// Declared, never defined: only its type is used, to read an operation's text at compile time.
declare const graphql: ReturnType<typeof initGraphQLTada<{ introspection: introspection; scalars: Scalars }>>;
/** The typed document gql.tada makes of an operation's text (the last overload, which parses it). */
type Document<Text extends string> = ReturnType<typeof graphql<Text, []>>;

/** The `data` of an operation's answer. */
export type Result<Text extends string> = ResultOf<Document<Text>>;
/** The variables an operation takes. */
export type Variables<Text extends string> = VariablesOf<Document<Text>>;

/**
 * Whether an answer's type holds `unknown` where a field's type should be: what gql.tada makes of a
 * field that the schema lacks (a JSON object's members, under an index signature, are unknown by right).
 */
type HoldsUnknown<T> = unknown extends T
  ? true
  : T extends readonly (infer Item)[]
    ? HoldsUnknown<Item>
    : T extends object
      ? string extends keyof T
        ? false
        : { [Key in keyof T]-?: HoldsUnknown<T[Key]> }[keyof T]
      : false;

/**
 * Nothing more for an operation whose every field schema.graphql has; for one with a field it lacks,
 * a demand no text meets, so that running it fails the type check even where that field is never read.
 */
export type KnownFields<Text extends string> =
  true extends HoldsUnknown<Result<Text>>
    ? { 'an operation selecting a field that schema.graphql lacks': never }
    : unknown;
