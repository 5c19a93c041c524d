/**
 * The GraphQL object and input types of a connection's groups of settings (SSH,
 * TLS), built from their declarations (src/connections/fields/settings.ts).
 */
import { builder } from '../builder.ts';
import { SSH_SETTINGS, TLS_SETTINGS } from '../connections/fields/settings.ts';
import type { SettingsGroup } from '../connections/fields/values.ts';
import { type InputFactory, type OutputFactory, SCALAR_INPUTS, scalarOutputs } from './value-types.ts';

type Settings = Record<string, unknown>;

const OUTPUT_OF: Record<string, OutputFactory<Settings> | undefined> = scalarOutputs<Settings>();
const INPUT_OF: Record<string, InputFactory | undefined> = SCALAR_INPUTS;

/** The factory a member's kind names: members are scalars, never groups of their own. */
function memberKind<F>(table: Record<string, F | undefined>, group: SettingsGroup, name: string, kind: string): F {
  const factory = table[kind];
  if (!factory) throw new Error(`${group.graphqlName}.${name} is a ${kind}: a group's members are scalars.`);
  return factory;
}

function settingsTypes(group: SettingsGroup) {
  const members = Object.entries(group.members);
  const output = builder.objectRef<Settings>(group.graphqlName).implement({
    description: group.description,
    fields: (t) =>
      Object.fromEntries(
        members.map(([name, member]) => [
          name,
          memberKind(
            OUTPUT_OF,
            group,
            name,
            member.value.graphql,
          )(t, {
            // Always there: required members, and those with a default.
            nullable: !(member.required || member.default !== undefined),
            description: member.description,
            read: (settings) => settings[name],
          }),
        ]),
      ),
  });
  const input = builder.inputType(`${group.graphqlName}Input`, {
    description: group.description,
    fields: (t) =>
      Object.fromEntries(
        members.map(([name, member]) => [
          name,
          memberKind(
            INPUT_OF,
            group,
            name,
            member.value.graphql,
          )(t, {
            required: member.required === true,
            description: member.description,
          }),
        ]),
      ),
  });
  return { output, input };
}

/** The object and input type of each group, by its GraphQL name. */
export const SETTINGS_TYPES = {
  SshSettings: settingsTypes(SSH_SETTINGS),
  TlsSettings: settingsTypes(TLS_SETTINGS),
} satisfies Record<SettingsGroup['graphqlName'], unknown>;
