/**
 * The GraphQL type of each kind of value the field catalogue declares (src/connections/fields/values.ts),
 * in output and in input. Generic code reads a catalogue field's value as `unknown` (a JSON column,
 * a derived value, a secret as presented): here it is checked against its kind before GraphQL gets
 * it, so that each field's Pothos type says what its resolver truly returns.
 */
import { type FieldRef, type InputFieldRef, isThenable } from '@pothos/core';
import type { builder } from '../builder.ts';
import { isJsonObject } from '../connections/fields/values.ts';
import type { Context } from '../context.ts';

export type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
export type ObjectFieldBuilder<Parent> = PothosSchemaTypes.ObjectFieldBuilder<Types, Parent>;
export type InputFieldBuilder = PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>;

/** The arguments a catalogue field may take: `reveal`, on those that hold secrets. */
export interface RevealArgs {
  reveal?: boolean | null;
}

/** A field that holds secrets, or is read from one, shows them only when asked, to those allowed. */
export function revealable<Parent>(t: ObjectFieldBuilder<Parent>) {
  return {
    args: {
      reveal: t.arg.boolean({
        defaultValue: false,
        description: 'Show the secrets (needs the connections:reveal scope; the reveal is logged).',
      }),
    },
    authScopes: (_parent: Parent, { reveal }: RevealArgs) =>
      reveal ? { 'connections:reveal': true as const } : (true as const),
  };
}

/** One output field of a catalogue: all but its type, which its kind gives. */
export interface OutputSpec<Parent> {
  description?: string;
  nullable: boolean;
  args?: ReturnType<typeof revealable<Parent>>['args'];
  authScopes?: ReturnType<typeof revealable<Parent>>['authScopes'];
  /** What the field shows, before it is checked against its kind: a value, or a promise of one. */
  read: (parent: Parent, args: RevealArgs, context: Context) => unknown;
}

export type OutputFactory<Parent> = (t: ObjectFieldBuilder<Parent>, spec: OutputSpec<Parent>) => FieldRef<Types>;

export interface InputSpec {
  description?: string;
  required: boolean;
}

export type InputFactory = (t: InputFieldBuilder, spec: InputSpec) => InputFieldRef<Types, unknown>;

/** A value that is not of its field's kind is a fault of the service, never the client's. */
function notOfKind(kind: string, info: { fieldName: string; parentType: { name: string } }): never {
  throw new Error(`${info.parentType.name}.${info.fieldName} read a value that is not a ${kind}.`);
}

type Resolve<Parent, T> = (
  parent: Parent,
  args: RevealArgs,
  context: Context,
  info: { fieldName: string; parentType: { name: string } },
) => T | Promise<T>;

/**
 * The resolver of a spec, its value checked by `is`: `null` passes where the field is nullable. A
 * value read synchronously stays synchronous (no promise per row of a long list).
 */
export function checked<Parent, T>(
  spec: OutputSpec<Parent>,
  kind: string,
  is: (value: unknown) => value is T,
): Resolve<Parent, T> {
  const check = (value: unknown, info: Parameters<Resolve<Parent, T>>[3]): T =>
    is(value) ? value : notOfKind(kind, info);
  return (parent, args, context, info) => {
    const value = spec.read(parent, args, context);
    return isThenable(value) ? Promise.resolve(value).then((settled) => check(settled, info)) : check(value, info);
  };
}

/** Like `checked`, for a nullable field: null (or nothing), or a value of the kind. */
export const checkedOrNull = <Parent, T>(spec: OutputSpec<Parent>, kind: string, is: (value: unknown) => value is T) =>
  checked(spec, kind, (value): value is T | null | undefined => value == null || is(value));

/** A spec's options as Pothos takes them: all but how it reads (in the resolver) and its nullability. */
export const options = <Parent>({ description, args, authScopes }: OutputSpec<Parent>) => ({
  description,
  args: args ?? {},
  authScopes,
});

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isDate = (value: unknown): value is Date => value instanceof Date;
const isInt = (value: unknown): value is number => Number.isSafeInteger(value);
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

/** The output fields of the kinds GraphQL has built in or as scalars, over any parent. */
export function scalarOutputs<Parent>() {
  const of = <T>(kind: string, is: (value: unknown) => value is T) => ({
    required: (spec: OutputSpec<Parent>) => checked(spec, kind, is),
    orNull: (spec: OutputSpec<Parent>) => checkedOrNull(spec, kind, is),
  });
  const string = of('string', isString);
  const strings = of('list of strings', isStringList);
  const object = of('JSON object', isJsonObject);
  const date = of('date', isDate);
  const int = of('whole number', isInt);
  const boolean = of('boolean', isBoolean);
  return {
    ID: (t, spec) =>
      spec.nullable
        ? t.field({ ...options(spec), type: 'ID', nullable: true, resolve: string.orNull(spec) })
        : t.field({ ...options(spec), type: 'ID', nullable: false, resolve: string.required(spec) }),
    String: (t, spec) =>
      spec.nullable
        ? t.field({ ...options(spec), type: 'String', nullable: true, resolve: string.orNull(spec) })
        : t.field({ ...options(spec), type: 'String', nullable: false, resolve: string.required(spec) }),
    '[String]': (t, spec) =>
      spec.nullable
        ? t.field({ ...options(spec), type: ['String'], nullable: true, resolve: strings.orNull(spec) })
        : t.field({ ...options(spec), type: ['String'], nullable: false, resolve: strings.required(spec) }),
    JSONObject: (t, spec) =>
      spec.nullable
        ? t.field({ ...options(spec), type: 'JSONObject', nullable: true, resolve: object.orNull(spec) })
        : t.field({ ...options(spec), type: 'JSONObject', nullable: false, resolve: object.required(spec) }),
    DateTime: (t, spec) =>
      spec.nullable
        ? t.field({ ...options(spec), type: 'DateTime', nullable: true, resolve: date.orNull(spec) })
        : t.field({ ...options(spec), type: 'DateTime', nullable: false, resolve: date.required(spec) }),
    Int: (t, spec) =>
      spec.nullable
        ? t.field({ ...options(spec), type: 'Int', nullable: true, resolve: int.orNull(spec) })
        : t.field({ ...options(spec), type: 'Int', nullable: false, resolve: int.required(spec) }),
    Boolean: (t, spec) =>
      spec.nullable
        ? t.field({ ...options(spec), type: 'Boolean', nullable: true, resolve: boolean.orNull(spec) })
        : t.field({ ...options(spec), type: 'Boolean', nullable: false, resolve: boolean.required(spec) }),
  } satisfies Record<string, OutputFactory<Parent>>;
}

/** The input fields of the kinds GraphQL has built in or as scalars. */
export const SCALAR_INPUTS = {
  ID: (t, spec) => t.id(spec),
  String: (t, spec) => t.string(spec),
  '[String]': (t, spec) => t.stringList(spec),
  JSONObject: (t, spec) => t.field({ ...spec, type: 'JSONObject' }),
  DateTime: (t, spec) => t.field({ ...spec, type: 'DateTime' }),
  Int: (t, spec) => t.int(spec),
  Boolean: (t, spec) => t.boolean(spec),
} satisfies Record<string, InputFactory>;
