/**
 * The driver of each dialect, loaded on the first test or discovery that needs it: most instances
 * never load most of them, and idle memory stays what it was with three.
 */
import type { DialectName } from '../../dialects/registry.ts';
import type { Driver } from './driver.ts';

const LOADERS: Record<DialectName, () => Promise<Driver>> = {
  postgresql: async () => (await import('./postgresql.ts')).postgresqlDriver,
  redshift: async () => (await import('./postgresql.ts')).postgresqlDriver,
  mysql: async () => (await import('./mysql.ts')).mysqlDriver,
  mariadb: async () => (await import('./mysql.ts')).mysqlDriver,
  mssql: async () => (await import('./mssql.ts')).mssqlDriver,
  oracle: async () => (await import('./oracle.ts')).oracleDriver,
  snowflake: async () => (await import('./snowflake.ts')).snowflakeDriver,
  bigquery: async () => (await import('./bigquery.ts')).bigqueryDriver,
  databricks: async () => (await import('./databricks.ts')).databricksDriver,
  clickhouse: async () => (await import('./clickhouse.ts')).clickhouseDriver,
  trino: async () => (await import('./trino.ts')).trinoDriver,
  awsathena: async () => (await import('./athena.ts')).athenaDriver,
  duckdb: async () => (await import('./duckdb.ts')).duckdbDriver,
  sqlite: async () => (await import('./sqlite.ts')).sqliteDriver,
};

export const loadDriver = (dialect: DialectName): Promise<Driver> => LOADERS[dialect]();
