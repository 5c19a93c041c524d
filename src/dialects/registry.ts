/**
 * Every database dialect the service knows, in one table: the URI schemes it
 * accepts (SQLAlchemy-style driver suffixes included), its default port,
 * whether a connection's `schemas` apply to it, how it asks for TLS, and how it
 * reads names. Each has its driver in src/connectivity/drivers/.
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

const DIALECT_NAME_SET: ReadonlySet<unknown> = new Set(DIALECT_NAMES);
/** Whether a value is a dialect's name. */
export const isDialectName = (value: unknown): value is DialectName => DIALECT_NAME_SET.has(value);

export interface Dialect {
  name: DialectName;
  /** Schemes as written before `://`, lower-case. */
  schemes: readonly string[];
  defaultPort?: number;
  /** Whether `schemas` may be given (Dataherald refuses them for mysql, mssql, clickhouse, duckdb, redshift and awsathena). */
  supportsSchemas: boolean;
  /** A database in a local file: refused unless ALLOW_FILE_DATABASES=true, as Superset does. */
  fileBased: boolean;
  /** How its URIs ask for TLS; none where TLS settings cannot apply (local files). */
  tls?: DialectTls;
  /**
   * Query parameters by which its drivers take a host, a Unix socket or a file naming one, in place
   * of the URI's own host: refused, as the host must be where the service checks and reaches it.
   */
  hostParameters: readonly string[];
  /** Whether its clients take a list of hosts in a URI (libpq's `h1:5432,h2:5433`); others take one. */
  severalHosts: boolean;
  /** How it reads the names of databases and schemas (./names.ts). */
  names: NameCase;
}

/**
 * How a vendor reads a database or schema name written without double quotes, as its own tools
 * do: folded to upper case (Snowflake, Oracle) or to lower case (PostgreSQL, Athena), a name in double
 * quotes keeping its case; or `as-written`, compared as it is, quotes and all.
 */
export type NameCase = 'upper' | 'lower' | 'as-written';

/** What a connection asks of TLS: none, encryption alone, a verified CA, or a verified CA and host name. */
export type TlsMode = 'off' | 'require' | 'verify-ca' | 'verify-full';

export interface DialectTls {
  /** The URI parameters that name the mode (the first one given counts), and what each value means. */
  modeParameters: string[];
  modes: Record<string, TlsMode>;
  /** The values that turn TLS on, for messages. */
  hint: string;
  /** Parameters that name files on the disk of whoever connects: never read here. */
  fileParameters: string[];
  /** The mode when the URI names none: HTTPS APIs are always verified TLS. */
  default?: TlsMode;
  /** Its driver takes a CA of the TLS settings only with a client certificate and key (Oracle's wallets). */
  caNeedsClientCertificate?: boolean;
}

const POSTGRESQL_TLS: DialectTls = {
  modeParameters: ['sslmode'],
  modes: {
    disable: 'off',
    allow: 'off',
    prefer: 'off',
    require: 'require',
    'verify-ca': 'verify-ca',
    'verify-full': 'verify-full',
  },
  hint: 'sslmode=require, verify-ca or verify-full',
  // sslpassword, the passphrase of an encrypted client key, names no file: it is kept (masked) but not used.
  fileParameters: ['sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'sslcrldir'],
};

const MYSQL_TLS: DialectTls = {
  modeParameters: ['ssl-mode', 'sslmode'],
  modes: {
    disabled: 'off',
    preferred: 'off',
    required: 'require',
    verify_ca: 'verify-ca',
    verify_identity: 'verify-full',
  },
  hint: 'ssl-mode=REQUIRED, VERIFY_CA or VERIFY_IDENTITY',
  fileParameters: [
    'ssl-ca',
    'ssl-capath',
    'ssl-cert',
    'ssl-key',
    'ssl-crl',
    'ssl-crlpath',
    'ssl_ca',
    'ssl_cert',
    'ssl_key',
  ],
};

/** The TLS mode a URI's parameters ask for (off when they name none, or an unknown one); names and values in any case. */
export function tlsModeOf(tls: DialectTls, parameters: URLSearchParams): TlsMode {
  const byName = new Map([...parameters].map(([name, value]) => [name.toLowerCase(), value.toLowerCase()]));
  const parameter = tls.modeParameters.find((name) => byName.has(name));
  return tls.modes[parameter === undefined ? '' : (byName.get(parameter) ?? '')] ?? tls.default ?? 'off';
}

/** SQL Server's: `encrypt=yes` (pyodbc's Encrypt, JDBC's encrypt); TrustServerCertificate=yes then checks no certificate. */
const MSSQL_TLS: DialectTls = {
  modeParameters: ['encrypt'],
  modes: {
    yes: 'verify-full',
    true: 'verify-full',
    mandatory: 'verify-full',
    strict: 'verify-full',
    no: 'off',
    false: 'off',
    optional: 'off',
  },
  hint: 'encrypt=yes',
  fileParameters: [],
};

/** ClickHouse's HTTP interface over HTTPS (port 8443): `secure=true`, as clickhouse-connect and clickhouse-sqlalchemy write it. */
const CLICKHOUSE_TLS: DialectTls = {
  modeParameters: ['secure', 'protocol'],
  modes: { true: 'verify-full', 1: 'verify-full', https: 'verify-full', false: 'off', 0: 'off', http: 'off' },
  hint: 'secure=true',
  fileParameters: [],
};

/** Trino over HTTPS: `http_scheme=https`, as the trino Python client writes it. */
const TRINO_TLS: DialectTls = {
  modeParameters: ['http_scheme', 'protocol'],
  modes: { https: 'verify-full', http: 'off' },
  hint: 'http_scheme=https',
  fileParameters: [],
};

/** Oracle over TLS: `protocol=tcps`, as python-oracledb takes it (the public CAs, or a wallet: CA, certificate and key). */
const ORACLE_TLS: DialectTls = {
  modeParameters: ['protocol'],
  modes: { tcps: 'verify-full', tcp: 'off' },
  hint: 'protocol=tcps',
  fileParameters: ['wallet_location', 'config_dir'],
  caNeedsClientCertificate: true,
};

/** Vendors' HTTPS APIs: always TLS, verified; TLS settings may add a CA (a private endpoint) or a client certificate. */
const HTTPS_API: DialectTls = { modeParameters: [], modes: {}, hint: '', fileParameters: [], default: 'verify-full' };

/** libpq's: a host or several, a socket folder, a numeric address, an entry of a service file. */
const LIBPQ_HOSTS = ['host', 'hostaddr', 'service', 'servicefile'];
/** MySQL's drivers': a socket (SQLAlchemy's drivers, mysql2), an option file naming one. */
const MYSQL_HOSTS = ['host', 'unix_socket', 'socket', 'socketpath', 'read_default_file'];

const dialect = (
  name: DialectName,
  schemes: string[],
  options: Partial<Omit<Dialect, 'name' | 'schemes'>>,
): Dialect => ({
  name,
  schemes: [name, ...schemes],
  supportsSchemas: false,
  fileBased: false,
  hostParameters: ['host'],
  severalHosts: false,
  names: 'as-written',
  ...options,
});

export const DIALECTS: readonly Dialect[] = [
  dialect(
    'postgresql',
    ['postgres', 'postgresql+psycopg2', 'postgresql+psycopg', 'postgresql+asyncpg', 'postgresql+pg8000'],
    {
      defaultPort: 5432,
      supportsSchemas: true,
      tls: POSTGRESQL_TLS,
      hostParameters: LIBPQ_HOSTS,
      severalHosts: true,
      names: 'lower',
    },
  ),
  dialect('mysql', ['mysql+pymysql', 'mysql+mysqldb', 'mysql+mysqlconnector', 'mysql+aiomysql', 'mysql+asyncmy'], {
    defaultPort: 3306,
    tls: MYSQL_TLS,
    hostParameters: MYSQL_HOSTS,
  }),
  dialect('mariadb', ['mariadb+mariadbconnector', 'mariadb+pymysql', 'mariadb+mysqldb'], {
    defaultPort: 3306,
    tls: MYSQL_TLS,
    hostParameters: MYSQL_HOSTS,
  }),
  // pyodbc's odbc_connect holds a whole ODBC connection string, its SERVER= among it; pyodbc clients pass other
  // parameters on as ODBC keywords, where Address (or Addr) wins over Server and a DSN names a server of its own.
  dialect('mssql', ['mssql+pyodbc', 'mssql+pymssql', 'mssql+aioodbc', 'sqlserver'], {
    defaultPort: 1433,
    tls: MSSQL_TLS,
    hostParameters: ['host', 'server', 'odbc_connect', 'address', 'addr', 'dsn', 'filedsn'],
  }),
  dialect('oracle', ['oracle+cx_oracle', 'oracle+oracledb'], {
    defaultPort: 1521,
    supportsSchemas: true,
    tls: ORACLE_TLS,
    hostParameters: ['host', 'dsn'],
    names: 'upper',
  }),
  dialect('snowflake', [], { defaultPort: 443, supportsSchemas: true, tls: HTTPS_API, names: 'upper' }),
  // The project stands where a host would: the API is at a fixed address (VENDOR_ENDPOINTS may move it).
  dialect('bigquery', [], { defaultPort: 443, supportsSchemas: true, tls: HTTPS_API }),
  dialect('redshift', ['redshift+psycopg2', 'redshift+redshift_connector'], {
    defaultPort: 5439,
    tls: POSTGRESQL_TLS,
    hostParameters: LIBPQ_HOSTS,
    severalHosts: true,
  }),
  dialect('databricks', ['databricks+connector'], { defaultPort: 443, supportsSchemas: true, tls: HTTPS_API }),
  dialect('clickhouse', ['clickhouse+http', 'clickhouse+native', 'clickhouse+asynch', 'clickhousedb'], {
    defaultPort: 8123,
    tls: CLICKHOUSE_TLS,
  }),
  dialect('trino', [], { defaultPort: 8080, supportsSchemas: true, tls: TRINO_TLS }),
  // Glue keeps every database name in lower case, and Athena's SQL lower-cases the names it is given
  // (https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html).
  dialect('awsathena', ['awsathena+rest', 'awsathena+pandas', 'awsathena+arrow'], {
    defaultPort: 443,
    tls: HTTPS_API,
    names: 'lower',
  }),
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
