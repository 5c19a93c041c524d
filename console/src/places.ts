/**
 * Where the connection form shows each of its errors (by the keys draft.ts gives them): the input,
 * and what the field is called; and bringing the user there from a link.
 */
import { type Draft, SSH_MEMBERS, TLS_MEMBERS } from './draft.ts';
import type { Dialect } from './operations.ts';
import { SHOWN_FIELDS } from './plain-fields.ts';
import { labelOf, labelOfField } from './ui.tsx';

/** Where an error of the form is shown: the id of its input, and what the field is called. */
interface Place {
  id: string;
  label: string;
}

/** The inputs of the form that are always there, by their keys: their ids and labels, for the form too. */
export const PLACES = {
  workspace: { id: 'workspace', label: 'Workspace' },
  dialect: { id: 'dialect', label: 'Dialect' },
  uri: { id: 'uri', label: 'Connection URI' },
  'param:options': { id: 'param-options', label: 'Other URI parameters' },
  ssh: { id: 'use-ssh', label: 'SSH tunnel' },
  tls: { id: 'tls-caCertificate', label: 'TLS certificates' },
  schemas: { id: 'schemas', label: 'Schemas' },
  metadata: { id: 'metadata', label: 'Metadata (JSON)' },
} satisfies Record<string, Place>;

/** Where a plain field shown as it comes (plain-fields.ts) has its input: its name is its id. */
export const plainPlace = (name: string): Place => ({ id: name, label: labelOfField(name) });

const memberLabel = (members: readonly (readonly [string, string])[], name: string) =>
  members.find(([member]) => member === name)?.[1];

/** Where the form shows the error of this key; none for a field the form has no input for. */
export function placeOf(key: string, draft: Draft, dialect: Dialect): Place | undefined {
  const [group, member = ''] = key.split(':');
  if (key === 'parameters' || (group === 'param' && draft.mode === 'uri')) {
    const first = dialect.parameters[0];
    if (draft.mode === 'uri' || !first) return PLACES.uri;
    return { id: `param-${first.name}`, label: 'Where it is' };
  }
  if (group === 'param' && dialect.parameters.some((parameter) => parameter.name === member))
    return { id: `param-${member}`, label: labelOf(member) };
  const ssh = group === 'ssh' && draft.useSsh ? memberLabel(SSH_MEMBERS, member) : undefined;
  if (ssh) return { id: `ssh-${member}`, label: ssh };
  const tls = group === 'tls' ? memberLabel(TLS_MEMBERS, member) : undefined;
  if (tls) return { id: `tls-${member}`, label: tls };
  if (SHOWN_FIELDS.some((field) => field.name === key)) return plainPlace(key);
  return (PLACES as Record<string, Place>)[key] ?? (PLACES as Record<string, Place>)[group ?? ''];
}

/** Brings the field into view, its label too, and gives its input the focus. */
export const jumpTo = (id: string) => (event: Event) => {
  event.preventDefault();
  const input = document.getElementById(id);
  if (!input) return;
  (document.querySelector(`label[for="${id}"]`) ?? input).scrollIntoView({ block: 'start' });
  input.focus({ preventScroll: true });
};
