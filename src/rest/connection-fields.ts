/**
 * A connection between its GraphQL form and its REST form: the selection the REST operations ask
 * for, and the REST body a GraphQL result becomes, derived from its fields
 * (src/connections/fields/fields.ts). Bodies become GraphQL inputs in src/rest/connection-form.ts.
 */

import type { DialectName } from '../graphql/entry.ts';
import {
  CONNECTION_FIELDS,
  type ConnectionFieldName,
  type FieldDeclaration,
  REST_FIELDS,
  REST_NAME_OF,
} from '../graphql/entry.ts';
import { renameMembers } from './connection-form.ts';

type Settings = Record<string, unknown> | null;

/** A connection as the REST operations select it. */
export type GraphQLConnection = Record<ConnectionFieldName, unknown> & { id: string; version: number };

/** The GraphQL selection of a connection: every field, secrets revealed only when `$reveal` asks. */
export const CONNECTION_SELECTION = (Object.entries(CONNECTION_FIELDS) as [ConnectionFieldName, FieldDeclaration][])
  .map(([name, field]) => {
    const { group, selection } = field.value;
    const members = group ? ` { ${Object.keys(group.members).join(' ')} }` : selection ? ` ${selection}` : '';
    return `${field.secret ? `${name}(reveal: $reveal)` : name}${members}`;
  })
  .join(' ');

/** The REST representation: the fields REST shows, by their REST names. */
export function toRest(connection: GraphQLConnection): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, field] of REST_FIELDS) {
    const value = connection[name];
    const { group, toRest: restOf } = field.value;
    body[field.rest] = group ? renameMembers(value as Settings, group, true) : restOf ? restOf(value) : value;
  }
  return body;
}

/** A REST body with every secret masked, whatever MASK_SECRETS says (for responses kept for replay). */
export function maskSecrets(body: Record<string, unknown>): Record<string, unknown> {
  const masked = { ...body };
  for (const [, field] of REST_FIELDS) {
    const { secrets, group } = field.value;
    if (!field.secret || !secrets || masked[field.rest] == null) continue;
    const value = masked[field.rest];
    masked[field.rest] = group
      ? renameMembers(secrets.mask(renameMembers(value as Settings, group, false)) as Settings, group, true)
      : secrets.mask(value);
  }
  // What is read from a secret is read again from its masked value.
  for (const [, field] of REST_FIELDS) {
    const source = field.derivedFrom && REST_NAME_OF.get(field.derivedFrom.field);
    if (field.derivedFrom && source && typeof masked[source] === 'string')
      masked[field.rest] = field.derivedFrom.derive(masked[source], masked.dialect as DialectName);
  }
  return masked;
}
