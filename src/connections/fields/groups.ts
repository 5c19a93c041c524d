/**
 * Groups of settings as values of a connection's fields: an object of declared
 * members, each a value kind of its own, with rules across members, masking of
 * its secret members, and secret references where those may stand.
 */
import { z } from 'zod';
import { isReference } from '../../secrets/references.ts';
import { MASK } from '../../secrets/uri-secrets.ts';
import { type SecretHandling, type SettingsGroup, type SettingsMember, typeError, type ValueKind } from './values.ts';

type Settings = Record<string, unknown>;
type Members = [name: string, member: SettingsMember][];

const present = (value: Settings, name: string) => value[name] !== undefined && value[name] !== null;

/** A group of settings (an object of declared members), or null for none. */
export function settings(group: SettingsGroup): ValueKind<Settings | null> {
  const members: Members = Object.entries(group.members);
  return {
    graphql: group.graphqlName,
    group,
    nullable: true,
    rules: settingsRules(group, members),
    shape: settingsShape(members),
    jsonSchema: settingsJsonSchema(members),
    stored: 'json',
    secrets: settingsSecrets(
      group,
      members.filter(([, member]) => member.secret).map(([name]) => name),
    ),
  };
}

/** What a group's value is checked and normalised by, as stored. */
function settingsRules(group: SettingsGroup, members: Members) {
  const rules = z
    .strictObject(
      Object.fromEntries(
        members.map(([name, member]) => {
          // A secret member may hold the mask, to keep the stored secret on an update: the kinds of
          // secret members (exactText, pemText) take it as it is.
          const rule = member.value.rules;
          // Left out or null, a member with a default takes it.
          if (member.default !== undefined) return [name, rule.nullish().transform((v) => v ?? member.default)];
          return [name, member.required ? rule : rule.nullish()];
        }),
      ),
      { error: typeError('an object') },
    )
    .superRefine((value, context) => {
      for (const { member, message } of group.check(value)) {
        context.addIssue({ code: 'custom', path: member ? [member] : [], message });
      }
    })
    // Kept in declaration order, a member left out as null: one stored form for one meaning.
    .transform((value) =>
      Object.fromEntries(members.map(([name]) => [name, value[name as keyof typeof value] ?? null])),
    )
    .nullable();
  return rules as unknown as z.ZodType<Settings | null>;
}

/** A group's value as REST takes it, its members by their REST names. */
function settingsShape(members: Members) {
  return z
    .strictObject(
      Object.fromEntries(
        members.map(([, member]) => [member.rest, member.required ? member.value.shape : member.value.shape.nullish()]),
      ),
      { error: typeError('an object or null') },
    )
    .nullable();
}

function settingsJsonSchema(members: Members): Record<string, unknown> {
  return {
    type: ['object', 'null'],
    additionalProperties: false,
    required: members.filter(([, member]) => member.required).map(([, member]) => member.rest),
    properties: Object.fromEntries(
      members.map(([, member]) => [
        member.rest,
        {
          ...member.value.jsonSchema,
          ...(!member.required && { type: [member.value.jsonSchema.type, 'null'] }),
          description: member.description,
        },
      ]),
    ),
  };
}

/** How a group's secret members are masked, given back, and resolved when they are references. */
function settingsSecrets(group: SettingsGroup, secretMembers: string[]): SecretHandling<Settings | null> {
  return {
    // A reference names a secret and is none: shown as written.
    mask: (value) =>
      value && {
        ...value,
        ...Object.fromEntries(
          secretMembers.filter((name) => present(value, name) && !isReference(value[name])).map((name) => [name, MASK]),
        ),
      },
    maskedPaths: (value) => (value ? secretMembers.filter((name) => value[name] === MASK) : []),
    secretsIn: (value) =>
      value
        ? secretMembers
            .map((name) => value[name])
            .filter((secret): secret is string => typeof secret === 'string' && secret !== MASK && !isReference(secret))
        : [],
    restore(incoming, stored) {
      if (!incoming) return incoming;
      const masked = secretMembers.filter((name) => incoming[name] === MASK);
      if (masked.length === 0) return incoming;
      if (!stored || group.destination.some((name) => incoming[name] !== stored[name])) return undefined;
      if (masked.some((name) => !present(stored, name))) return undefined;
      return { ...incoming, ...Object.fromEntries(masked.map((name) => [name, stored[name]])) };
    },
    resolveReferences: (value, resolve) =>
      value && {
        ...value,
        ...Object.fromEntries(
          secretMembers
            .filter((name) => isReference(value[name]))
            .map((name) => [name, resolve(value[name] as string, name)]),
        ),
      },
  };
}
