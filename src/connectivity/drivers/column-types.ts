/**
 * Column types as Oracle, SQL Server and Snowflake write them, from the parts their catalogs keep
 * apart: each names a column's type without its length, precision or scale (`VARCHAR2`, `NUMBER`;
 * `nvarchar`, `decimal`; `TEXT`, `NUMBER`), which would hide from a model the type it writes SQL
 * with, and from the schema history a change of length or precision.
 */
import { type Row, type TypeInParts, text } from './sql.ts';

/** A number of the catalog's row; null where it has none. */
const numberOf = (value: unknown) => (value === null || value === undefined || value === '' ? null : Number(value));

/** `name(parameters)`, or the name alone where the catalog gave no parameter. */
const withParameters = (name: string, ...parameters: (number | string | null)[]) =>
  parameters.every((parameter) => parameter === null) ? name : `${name}(${parameters.map((p) => p ?? '*').join(',')})`;

/** A NUMBER with its precision, and its scale where the catalog tells one: `NUMBER(10,2)`, `NUMBER(12)`. */
const numberWith = (name: string, precision: unknown, scale: unknown) =>
  numberOf(scale) === null
    ? withParameters(name, numberOf(precision))
    : withParameters(name, numberOf(precision), numberOf(scale));

/**
 * Oracle's ALL_TAB_COLUMNS: DATA_TYPE carries a TIMESTAMP's or an INTERVAL's precision already
 * (`TIMESTAMP(6) WITH TIME ZONE`), not a string's length nor a number's precision and scale. A
 * VARCHAR2 or CHAR counts its length in characters or bytes as it was declared (CHAR_USED: `C`
 * or `B`), written out as Oracle's own DDL writes it; NVARCHAR2 and NCHAR count in characters
 * only. A NUMBER with no precision and a scale is Oracle's INTEGER, `NUMBER(*,0)`.
 */
export const ORACLE_TYPE: TypeInParts = {
  columns: ['data_length', 'char_length', 'char_used', 'data_precision', 'data_scale'],
  write(row: Row) {
    const type = text(row.type);
    switch (type) {
      case 'VARCHAR2':
      case 'CHAR':
        return row.char_used === 'C'
          ? `${type}(${text(row.char_length)} CHAR)`
          : `${type}(${text(row.data_length)} BYTE)`;
      case 'NVARCHAR2':
      case 'NCHAR':
        return withParameters(type, numberOf(row.char_length));
      case 'RAW':
        return withParameters(type, numberOf(row.data_length));
      case 'NUMBER':
        return numberWith(type, row.data_precision, row.data_scale);
      case 'FLOAT':
        return withParameters(type, numberOf(row.data_precision));
      default:
        return type;
    }
  },
};

/** SQL Server's types with a length (-1 for `max`), with a precision and scale, with a fractional second precision. */
const MSSQL_LENGTHS = new Set(['char', 'varchar', 'nchar', 'nvarchar', 'binary', 'varbinary']);
const MSSQL_DECIMALS = new Set(['decimal', 'numeric']);
const MSSQL_FRACTIONS = new Set(['datetime2', 'datetimeoffset', 'time']);

/**
 * SQL Server's information_schema.columns: DATA_TYPE is the bare name; the length (in characters,
 * -1 for `max`), precision and scale, and fractional seconds are columns of their own.
 */
export const MSSQL_TYPE: TypeInParts = {
  columns: ['character_maximum_length', 'numeric_precision', 'numeric_scale', 'datetime_precision'],
  write(row: Row) {
    const type = text(row.type);
    const name = type.toLowerCase();
    if (MSSQL_LENGTHS.has(name)) {
      const length = numberOf(row.character_maximum_length);
      return withParameters(type, length === -1 ? 'max' : length);
    }
    if (MSSQL_DECIMALS.has(name))
      return withParameters(type, numberOf(row.numeric_precision), numberOf(row.numeric_scale));
    if (MSSQL_FRACTIONS.has(name)) return withParameters(type, numberOf(row.datetime_precision));
    return type;
  },
};

/** Snowflake's types with a fractional second precision (0 to 9). */
const SNOWFLAKE_FRACTIONS = new Set(['TIME', 'TIMESTAMP_LTZ', 'TIMESTAMP_NTZ', 'TIMESTAMP_TZ']);

/**
 * Snowflake's information_schema.columns: DATA_TYPE is the type's standard name (`TEXT`, `NUMBER`,
 * `TIMESTAMP_NTZ`, `FLOAT` for a DOUBLE too), its length (in characters; a BINARY's in bytes),
 * precision and scale, and fractional seconds columns of their own. Written as Snowflake itself
 * writes a column's type, in DESCRIBE TABLE and in GET_DDL's CREATE TABLE: `VARCHAR(16777216)`
 * for a TEXT, STRING or VARCHAR, `NUMBER(38,0)` for an INT, `TIMESTAMP_NTZ(9)`, `BINARY(8388608)`,
 * and the name alone where a type has no parameter (`FLOAT`, `BOOLEAN`, `DATE`, `VARIANT`). That is
 * the spelling a model can write SQL back with, and the one Snowflake's users read; `TEXT(20)`
 * would be valid too, but Snowflake never writes a column so. DATETIME_PRECISION is told "not
 * applicable" by Snowflake's reference: where it is null, a timestamp is written by its name alone.
 */
export const SNOWFLAKE_TYPE: TypeInParts = {
  columns: ['character_maximum_length', 'numeric_precision', 'numeric_scale', 'datetime_precision'],
  write(row: Row) {
    const type = text(row.type);
    if (type === 'TEXT') return withParameters('VARCHAR', numberOf(row.character_maximum_length));
    if (type === 'BINARY') return withParameters(type, numberOf(row.character_maximum_length));
    if (type === 'NUMBER') return numberWith(type, row.numeric_precision, row.numeric_scale);
    if (SNOWFLAKE_FRACTIONS.has(type)) return withParameters(type, numberOf(row.datetime_precision));
    return type;
  },
};
