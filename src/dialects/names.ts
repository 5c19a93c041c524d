/**
 * The names of databases and schemas as each dialect's vendor reads them, by the rule the registry
 * declares (`names`): what the vendor's own tools would find for a name in a URI or in a
 * connection's `schemas`.
 */
import type { Dialect, NameCase } from './registry.ts';

/** A name in double quotes, its own double quotes doubled: `"Sales"`, `"a""b"`. */
const QUOTED = /^"((?:[^"]|"")*)"$/s;

/**
 * `name` as the dialect's vendor reads it: in double quotes, as written inside them; bare, its
 * letters a–z or A–Z folded to the dialect's case, as Snowflake, Oracle and PostgreSQL fold
 * unquoted identifiers and Athena's Glue catalog keeps names. A dialect that folds nothing compares
 * the name as it is.
 */
export function nameAsRead(dialect: Dialect, name: string): string {
  if (dialect.names === 'as-written') return name;
  const quoted = QUOTED.exec(name);
  if (quoted) return (quoted[1] ?? '').replaceAll('""', '"');
  return dialect.names === 'upper'
    ? name.replace(/[a-z]+/g, (letters) => letters.toUpperCase())
    : name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Each rule in words, for the table of docs/rest-api.md. */
export const NAME_RULES: Record<NameCase, string> = {
  upper: 'upper-cased (`sales` is `SALES`); in double quotes, as written (`"sales"` is `sales`)',
  lower: 'lower-cased (`Sales` is `sales`); in double quotes, as written (`"Sales"` is `Sales`)',
  'as-written': 'as written',
};
