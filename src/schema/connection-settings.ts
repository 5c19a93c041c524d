/**
 * The GraphQL object and input types of a connection's groups of settings (SSH,
 * TLS), built from their declarations (src/connections/fields/settings.ts).
 */
import { builder } from '../builder.ts';
import { SSH_SETTINGS, TLS_SETTINGS } from '../connections/fields/settings.ts';
import type { SettingsGroup } from '../connections/fields/values.ts';

type Settings = Record<string, unknown>;

function settingsTypes(group: SettingsGroup) {
  const members = Object.entries(group.members);
  const output = builder.objectRef<Settings>(group.graphqlName).implement({
    description: group.description,
    fields: (t) =>
      Object.fromEntries(
        members.map(([name, member]) => [
          name,
          t.field({
            type: member.value.graphql as 'String',
            // Always there: required members, and those with a default.
            nullable: !(member.required || member.default !== undefined),
            description: member.description,
            resolve: (settings) => settings[name] as string,
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
          t.field({
            type: member.value.graphql as 'String',
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
