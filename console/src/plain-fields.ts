/**
 * A connection's plain fields (text, a number, a flag) as the schema declares them, read from
 * schema.graphql into fields.generated.ts by `npm run schema`: the form has an input and the detail
 * a line for each the console does not show in a way of its own. A plain field added to the API
 * shows in both with no change here; another kind of field fails the type check below until the
 * console shows it its own way.
 */
import { PLAIN_FIELDS } from './fields.generated.ts';
import type { CREATE } from './operations.ts';
import type { Variables } from './typed.ts';

/** A plain field as fields.generated.ts declares it. */
export interface PlainField {
  name: string;
  type: 'String' | 'Int' | 'Float' | 'Boolean';
  /** A create must send it. */
  required: boolean;
  /** Null is one of its values: none. */
  nullable: boolean;
  description: string | null;
}

type Input = NonNullable<Variables<typeof CREATE>['input']>;

/**
 * The fields of a connection's input the console shows in a way of its own: the workspaces to pick
 * from, where the database is (a URI, or its dialect and parameters), the SSH tunnel, the TLS
 * certificates, the schemas as a list, the metadata as JSON.
 */
const OWN_WAY = [
  'workspace',
  'connectionUri',
  'dialect',
  'parameters',
  'useSsh',
  'sshSettings',
  'tlsSettings',
  'schemas',
  'metadata',
] as const satisfies readonly (keyof Input)[];
type OwnWay = (typeof OWN_WAY)[number];

/** Compiles only for `never`: a field of the input that is neither plain nor shown in the console's own way. */
type NoneOf<Names extends never> = Names;
export type ShownNowhere = NoneOf<Exclude<keyof Input, (typeof PLAIN_FIELDS)[number]['name'] | OwnWay>>;

type Shown = Exclude<(typeof PLAIN_FIELDS)[number], { name: OwnWay }>;
export type ShownName = Shown['name'];

const isShown = (field: (typeof PLAIN_FIELDS)[number]): field is Shown =>
  !(OWN_WAY as readonly string[]).includes(field.name);

/** The plain fields the console shows as they come; those a create must send first. */
export const SHOWN_FIELDS: readonly Shown[] = PLAIN_FIELDS.filter(isShown).sort(
  (one, other) => Number(other.required) - Number(one.required),
);

/** What the form's input of a plain field holds: a checkbox's state for a flag, text for the rest. */
export type Entered = string | boolean;

/** A plain field's value as its input holds it. */
export const enteredOf = (field: PlainField, value: unknown): Entered =>
  field.type === 'Boolean' ? value === true : value === null || value === undefined ? '' : String(value);

/** GraphQL's Int: 32 bits, signed. */
const INT_LIMIT = 2 ** 31;

/**
 * A plain field's value for the API from its input, or why its input cannot be sent. Left empty:
 * null where null is a value, left out (its default, or the stored value) where it is not and a
 * create need not send it. Text goes as it was typed: the service's rules trim it and answer at the field.
 */
export function sentValueOf(field: PlainField, entered: Entered): { value: unknown } | { problem: string } {
  if (typeof entered === 'boolean' || field.type === 'String') {
    if (entered !== '' || field.required) return { value: entered };
    return { value: field.nullable ? null : undefined };
  }
  const text = entered.trim();
  if (text === '') return field.required ? { problem: 'is required' } : { value: field.nullable ? null : undefined };
  const number = Number(text);
  if (field.type === 'Float' && Number.isFinite(number)) return { value: number };
  if (field.type === 'Int' && Number.isInteger(number) && number >= -INT_LIMIT && number < INT_LIMIT)
    return { value: number };
  const what = field.type === 'Int' ? `a whole number from ${-INT_LIMIT} to ${INT_LIMIT - 1}` : 'a number';
  return { problem: `must be ${what}` };
}

/** The inputs of the plain fields shown, as the form holds them. */
export type PlainDraft = Record<ShownName, Entered>;

/** The API's input of the plain fields shown. */
export type PlainInput = Pick<Input, ShownName>;

/** The shown plain fields' inputs for a connection's values (none: empty inputs). */
export const plainDraftOf = (values: Partial<Record<ShownName, unknown>>): PlainDraft =>
  Object.fromEntries(SHOWN_FIELDS.map((field) => [field.name, enteredOf(field, values[field.name])])) as PlainDraft;

/** A plain field's hint: the first sentence of its description in the schema, what it is. */
export const hintOf = (field: PlainField) => field.description?.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? field.description;

/** A plain field's value as the detail shows it. */
export const shownValueOf = (value: unknown) =>
  value === null || value === undefined || value === ''
    ? 'None'
    : value === true
      ? 'Yes'
      : value === false
        ? 'No'
        : String(value);
