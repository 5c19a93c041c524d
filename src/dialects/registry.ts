/**
 * Every database dialect the service knows, in one table: the URI schemes it
 * accepts (SQLAlchemy-style driver suffixes included), its default port, and
 * whether a connection's `schemas` apply to it. Which dialects the service can
 * test is said by the drivers it has (src/connectivity/connectivity.ts).
 */

export const DIALECT_NAMES = [
  'postgresql',
  'mysql',
  'mariadb',
  'mssql',
  'oracle',
  'snowflake',
  'bigquery',
  'redshift',
  'databricks',
  'clickhouse',
  'trino',
  'awsathena',
  'duckdb',
  'sqlite',
] as const;

export type DialectName = (typeof DIALECT_NAMES)[number];

export interface Dialect {
  name: DialectName;
  /** Schemes as written before `://`, lower-case. */
  schemes: readonly string[];
  defaultPort?: number;
  /** Whether `schemas` may be given (Dataherald refuses them for mysql, mssql, clickhouse, duckdb, redshift and awsathena). */
  supportsSchemas: boolean;
  /** A database in a local file: refused unless ALLOW_FILE_DATABASES=true, as Superset does. */
  fileBased: boolean;
}

const dialect = (
  name: DialectName,
  schemes: string[],
  options: Partial<Omit<Dialect, 'name' | 'schemes'>>,
): Dialect => ({
  name,
  schemes: [name, ...schemes],
  supportsSchemas: false,
  fileBased: false,
  ...options,
});

export const DIALECTS: readonly Dialect[] = [
  dialect(
    'postgresql',
    ['postgres', 'postgresql+psycopg2', 'postgresql+psycopg', 'postgresql+asyncpg', 'postgresql+pg8000'],
    { defaultPort: 5432, supportsSchemas: true },
  ),
  dialect('mysql', ['mysql+pymysql', 'mysql+mysqldb', 'mysql+mysqlconnector', 'mysql+aiomysql', 'mysql+asyncmy'], {
    defaultPort: 3306,
  }),
  dialect('mariadb', ['mariadb+mariadbconnector', 'mariadb+pymysql', 'mariadb+mysqldb'], {
    defaultPort: 3306,
  }),
  dialect('mssql', ['mssql+pyodbc', 'mssql+pymssql', 'mssql+aioodbc', 'sqlserver'], { defaultPort: 1433 }),
  dialect('oracle', ['oracle+cx_oracle', 'oracle+oracledb'], { defaultPort: 1521, supportsSchemas: true }),
  dialect('snowflake', [], { defaultPort: 443, supportsSchemas: true }),
  dialect('bigquery', [], { supportsSchemas: true }),
  dialect('redshift', ['redshift+psycopg2', 'redshift+redshift_connector'], { defaultPort: 5439 }),
  dialect('databricks', ['databricks+connector'], { defaultPort: 443, supportsSchemas: true }),
  dialect('clickhouse', ['clickhouse+http', 'clickhouse+native', 'clickhouse+asynch', 'clickhousedb'], {
    defaultPort: 8123,
  }),
  dialect('trino', [], { defaultPort: 8080, supportsSchemas: true }),
  dialect('awsathena', ['awsathena+rest', 'awsathena+pandas', 'awsathena+arrow'], { defaultPort: 443 }),
  dialect('duckdb', [], { fileBased: true }),
  dialect('sqlite', ['sqlite+pysqlite', 'sqlite+aiosqlite'], { fileBased: true }),
];

const BY_SCHEME = new Map(DIALECTS.flatMap((entry) => entry.schemes.map((scheme) => [scheme, entry] as const)));

export const ACCEPTED_SCHEMES: readonly string[] = [...BY_SCHEME.keys()];

/** The scheme of a URI (`postgresql+psycopg2` in `postgresql+psycopg2://…`), lower-cased. */
export function schemeOf(uri: string): string {
  return (/^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1] ?? '').toLowerCase();
}

export function dialectOfUri(uri: string): Dialect | undefined {
  return BY_SCHEME.get(schemeOf(uri));
}

export function dialectNamed(name: DialectName): Dialect {
  return DIALECTS.find((entry) => entry.name === name) as Dialect;
}
