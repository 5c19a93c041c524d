/**
 * A connection in its REST form, the wire format of REST bodies and of provisioning files: its
 * fields under their REST names (declared in src/connections/fields/fields.ts, reached through the GraphQL
 * entry), members of groups of settings too. Only the shape of a body is checked here (each field's
 * type, unknown fields); the rules are the connections commands'.
 */
import { z } from 'zod';
import type { SettingsGroup } from '../graphql/entry.ts';
import {
  alternativesOf,
  CONNECTION_FIELDS,
  type ConnectionFieldName,
  type FieldDeclaration,
  fieldPath,
  GRAPHQL_NAME_OF_REST,
  INPUT_FIELDS,
  isRequiredInput,
  missingMessage,
  REST_NAME_OF,
  WRITTEN_FIELDS,
} from '../graphql/entry.ts';
import type { FieldProblem } from '../validation.ts';

type Settings = Record<string, unknown> | null;

/** A group of settings with its members renamed: GraphQL → REST names (`toRest`), or back. */
export function renameMembers(value: Settings, group: SettingsGroup, toRest: boolean): Settings {
  if (value === null || typeof value !== 'object') return value;
  const renamed: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(group.members)) {
    const [from, to] = toRest ? [name, member.rest] : [member.rest, name];
    if (value[from] !== undefined) renamed[to] = value[from];
  }
  return renamed;
}

/** The REST body of a document's input fields (GraphQL names): the form of a provisioning file's entries. */
export function restBodyOf(document: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, field] of INPUT_FIELDS) {
    const { group } = field.value;
    body[field.rest ?? name] = group ? renameMembers(document[name] as Settings, group, true) : document[name];
  }
  return body;
}

/**
 * A field path of the GraphQL input in REST names: `connectionUri` → `connection_uri`,
 * `sshSettings.privateKey` → `ssh_settings.private_key`, `schemas[1]` stays, and so does what
 * follows a member (`connectionUri.options.odbc_driver`: a parameter of the URI).
 */
export function restFieldPath(path: string): string {
  const [name = '', member, ...rest] = path.split('.');
  const graphqlName = /^[A-Za-z]+/.exec(name)?.[0] ?? '';
  const restName = name.replace(graphqlName, REST_NAME_OF.get(graphqlName) ?? graphqlName);
  const group = (CONNECTION_FIELDS as Record<string, FieldDeclaration>)[graphqlName]?.value.group;
  if (member === undefined) return restName;
  return [restName, group?.members[member]?.rest ?? member, ...rest].join('.');
}

/** REST bodies whose fields are a given set of a connection's input fields. */
export interface BodyShape {
  /** The GraphQL input field each REST field becomes. */
  fields: ConnectionFieldName[];
  /** Fields left out take their declared defaults (PUT replaces the whole document). */
  fillDefaults: boolean;
  /** What an unknown field is not, in the problem's words: "a field of …". */
  noun: string;
  /** The types of the fields, by their REST names: built once, as building a zod schema costs far more than using it. */
  check: z.ZodType;
}

/** The shape of bodies with these fields. */
export function bodyShape(fields: ConnectionFieldName[], options: { fillDefaults: boolean; noun: string }): BodyShape {
  const check = z.object(
    Object.fromEntries(
      WRITTEN_FIELDS.filter(([name]) => fields.includes(name)).map(([name, field]) => [
        field.rest ?? name,
        isRequiredInput(field) ? field.value.shape : field.value.shape.optional(),
      ]),
    ),
  );
  return { fields, ...options, check };
}

/**
 * The GraphQL input of a REST body: its fields renamed, defaults filled when asked, or the
 * problems of its shape (unknown fields, missing ones, wrong types) in REST names.
 */
export function inputFromBody(
  body: Record<string, unknown>,
  shape: BodyShape,
): { input: Record<string, unknown> } | { problems: FieldProblem[] } {
  const checked = shape.check.safeParse(body);
  const problems: FieldProblem[] = checked.success
    ? []
    : checked.error.issues.flatMap((issue) =>
        // An unknown member of a group of settings: one problem each, at its own path.
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({
              field: fieldPath([...issue.path, key]),
              message: `is not a field of ${fieldPath(issue.path)}`,
            }))
          : [{ field: fieldPath(issue.path), message: issue.message }],
      );
  for (const field of Object.keys(body)) {
    const known = shape.fields.includes(GRAPHQL_NAME_OF_REST.get(field) as ConnectionFieldName);
    if (!known) problems.push({ field, message: `is not a field of ${shape.noun}` });
  }
  // A required field that others may stand in for: one of the forms is needed.
  for (const [name, field] of INPUT_FIELDS) {
    const others = alternativesOf(field);
    if (!shape.fields.includes(name) || !others || !shape.fillDefaults) continue;
    const given = [name, ...others].some((other) => body[REST_NAME_OF.get(other) ?? other] !== undefined);
    if (!given) problems.push({ field: field.rest ?? name, message: missingMessage(field) });
  }
  if (problems.length > 0) return { problems };
  const input: Record<string, unknown> = {};
  for (const [name, field] of WRITTEN_FIELDS) {
    if (!shape.fields.includes(name)) continue;
    const value = body[field.rest ?? name];
    const { group, fromRest } = field.value;
    if (value !== undefined)
      input[name] = group ? renameMembers(value as Settings, group, false) : fromRest ? fromRest(value) : value;
    else if (shape.fillDefaults && field.input && 'default' in field.input && !field.input.keptOnReplace)
      input[name] = field.input.default;
  }
  return { input };
}

/** A whole connection document as REST sends it (create, replace, a provisioning file's entry): defaults fill what is left out. */
export const DOCUMENT_SHAPE = bodyShape(
  WRITTEN_FIELDS.map(([name]) => name),
  { fillDefaults: true, noun: 'a database connection' },
);
