/**
 * Column types as the Snowflake stand-in keeps them, independently of the driver that reads them:
 * a type as declared in CREATE TABLE is kept as Snowflake's DESCRIBE TABLE writes it (`INT` is
 * `NUMBER(38,0)`, `TEXT` is `VARCHAR(16777216)`, `TIMESTAMP_NTZ` is `TIMESTAMP_NTZ(9)`, `DOUBLE` is
 * `FLOAT`: Snowflake's data type reference and the DESCRIBE TABLE answers fakesnow's tests record),
 * and information_schema.columns tells it apart again: its standard name in DATA_TYPE (`TEXT` for
 * a VARCHAR) and its length, precision and scale, and fractional seconds in columns of their own.
 */

/** Declared names Snowflake keeps as another, with the parameters it gives one declared without. */
const KEPT_AS: Record<string, string> = {
  ...Object.fromEntries(
    ['NUMBER', 'DECIMAL', 'NUMERIC', 'INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'BYTEINT'].map((name) => [
      name,
      'NUMBER(38,0)',
    ]),
  ),
  ...Object.fromEntries(['VARCHAR', 'TEXT', 'STRING'].map((name) => [name, 'VARCHAR(16777216)'])),
  ...Object.fromEntries(['DOUBLE', 'DOUBLE PRECISION', 'REAL', 'FLOAT4', 'FLOAT8'].map((name) => [name, 'FLOAT'])),
  ...Object.fromEntries(['TIMESTAMP', 'DATETIME', 'TIMESTAMP_NTZ'].map((name) => [name, 'TIMESTAMP_NTZ(9)'])),
  ...Object.fromEntries(['TIMESTAMP_LTZ', 'TIMESTAMP_TZ', 'TIME'].map((name) => [name, `${name}(9)`])),
  CHAR: 'VARCHAR(1)',
  BINARY: 'BINARY(8388608)',
};

/** A declared type as Snowflake keeps it, DESCRIBE TABLE's way; one written so already stays as it is. */
export const keptType = (declared: string) => {
  const type = declared.toUpperCase();
  const numberWithPrecision = /^NUMBER\((\d+)\)$/.exec(type);
  return numberWithPrecision ? `NUMBER(${numberWithPrecision[1]},0)` : (KEPT_AS[type] ?? type);
};

/** The columns of information_schema.columns that tell a type, in lower case, as the view's values (JSON strings, or null). */
export interface TypeParts {
  data_type: string;
  character_maximum_length: string | null;
  numeric_precision: string | null;
  numeric_scale: string | null;
  datetime_precision: string | null;
}

const FRACTIONS = new Set(['TIME', 'TIMESTAMP_LTZ', 'TIMESTAMP_NTZ', 'TIMESTAMP_TZ']);

/** A type kept DESCRIBE TABLE's way as information_schema.columns tells it. */
export function typeParts(kept: string): TypeParts {
  const [, name = kept, first = null, second = null] = /^([A-Z_0-9]+)(?:\((\d+)(?:,(\d+))?\))?$/.exec(kept) ?? [];
  const parts: TypeParts = {
    data_type: name === 'VARCHAR' ? 'TEXT' : name,
    character_maximum_length: null,
    numeric_precision: null,
    numeric_scale: null,
    datetime_precision: null,
  };
  if (name === 'VARCHAR' || name === 'BINARY') parts.character_maximum_length = first;
  if (name === 'NUMBER') Object.assign(parts, { numeric_precision: first, numeric_scale: second });
  if (FRACTIONS.has(name)) parts.datetime_precision = first;
  return parts;
}
