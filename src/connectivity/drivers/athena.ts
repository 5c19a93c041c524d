/**
 * Amazon Athena over its JSON API (ListDatabases, ListTableMetadata), as PyAthena's URIs give the
 * keys: awsathena+rest://<access key id>:<secret access key>@athena.<region>.amazonaws.com:443/<database>.
 * Reading the Glue catalog needs no query, no S3 output location and costs nothing. Requests are
 * signed by @smithy/signature-v4, the signer of AWS's own SDK, and sent over the connection's
 * network: the SDK's client (about 9 MB) would open its own connections, past the network guard.
 * Its "schemas" are databases.
 */

import { Hash } from '@smithy/core/serde';
import { clearCredentialCache, SignatureV4 } from '@smithy/signature-v4';
import { nameAsRead } from '../../dialects/names.ts';
import { dialectNamed } from '../../dialects/registry.ts';
import type { TestFailureCode } from '../errors.ts';
import { authorityOf, type Target } from '../target.ts';
import {
  type ColumnRow,
  type ConnectOptions,
  type Driver,
  DriverFailure,
  groupSchemas,
  type TableRow,
} from './driver.ts';
import { HttpError, requestJson } from './http.ts';
import { type Row, readDetails } from './sql.ts';

/**
 * What the answers of AWS's JSON protocol say by their `__type`: the errors common to AWS's APIs
 * (https://docs.aws.amazon.com/athena/latest/APIReference/CommonErrors.html) as JSON services name them.
 */
const FAILURES: Record<string, TestFailureCode> = {
  UnrecognizedClientException: 'authentication_failed',
  InvalidSignatureException: 'authentication_failed',
  IncompleteSignatureException: 'authentication_failed',
  ExpiredTokenException: 'token_expired',
  AccessDeniedException: 'permission_denied',
};

/**
 * Athena's MetadataException carries the Glue Data Catalog's own error inside its message:
 * "Database sales not found. (Service: AmazonDataCatalog; Status Code: 400; Error Code:
 * EntityNotFoundException; …)".
 */
const GLUE_FAILURES: Record<string, TestFailureCode> = {
  EntityNotFoundException: 'database_not_found',
  AccessDeniedException: 'permission_denied',
};

/** How this service names itself to AWS (CloudTrail's userAgent), as the Trino driver does. */
const CLIENT_NAME = 'database-connection-api';

/** The largest page ListDatabases and ListTableMetadata give (their MaxResults: 1 to 50). */
const PAGE_SIZE = 50;

interface GlueColumn {
  Name: string;
  Type?: string;
  Comment?: string;
}

interface TableMetadata {
  Name: string;
  TableType?: string;
  Columns?: GlueColumn[];
  PartitionKeys?: GlueColumn[];
  Parameters?: Record<string, string>;
}

/** Discovery's rows of the Glue catalog's tables: what each kind of fact becomes. */
interface GlueRows {
  tables: TableRow[];
  columns: ColumnRow[];
  comments: Row[];
  rowCounts: Row[];
}

/**
 * A database's tables as discovery's rows. Views are Glue's VIRTUAL_VIEW. Athena's columns have no
 * NOT NULL: every one may hold null; partition keys come last, as Athena lists them. A table's
 * comment is its `comment` parameter (Hive's table property, which CREATE TABLE's COMMENT writes; a
 * view's is Athena's mark "Presto View", not a comment); a column's, its Comment. Glue keeps no
 * keys. The estimate of rows is the `recordCount` parameter Glue's crawlers write (an estimate from
 * file sizes and headers, as AWS documents it): none where no crawler ran.
 */
function addTables(schema: string, tables: TableMetadata[], rows: GlueRows): void {
  for (const table of tables) {
    const view = table.TableType === 'VIRTUAL_VIEW';
    rows.tables.push({ schema, table: table.Name, type: view ? 'view' : 'table' });
    const { comment, recordCount } = table.Parameters ?? {};
    if (comment && !view) rows.comments.push({ schema, table: table.Name, column: null, comment });
    if (recordCount !== undefined && !view) rows.rowCounts.push({ schema, table: table.Name, rows: recordCount });
    for (const column of [...(table.Columns ?? []), ...(table.PartitionKeys ?? [])]) {
      rows.columns.push({ schema, table: table.Name, column: column.Name, type: column.Type ?? '', nullable: true });
      if (column.Comment)
        rows.comments.push({ schema, table: table.Name, column: column.Name, comment: column.Comment });
    }
  }
}

interface AwsErrorBody {
  __type?: string;
  message?: string;
  Message?: string;
  AthenaErrorCode?: string;
}

/** The error of an answer that is not 2xx, classified where its type says what went wrong. */
function classify(error: HttpError): Error {
  const answer = error.json<AwsErrorBody>();
  // `__type` may carry a namespace (`com.amazon.coral.service#UnrecognizedClientException`).
  const type = (answer?.__type ?? '').split('#').pop() ?? '';
  const code = answer?.AthenaErrorCode ? ` (${answer.AthenaErrorCode})` : '';
  const message = `${type || `HTTP ${error.status}`}${code}: ${answer?.Message ?? answer?.message ?? error.body.slice(0, 300)}`;
  const glue = type === 'MetadataException' ? /Error Code: (\w+)/.exec(message)?.[1] : undefined;
  const failure = FAILURES[type] ?? GLUE_FAILURES[glue ?? ''];
  return failure ? new DriverFailure(failure, message) : new Error(message);
}

/** Calls one action of Athena's API at the target, signed with the URI's keys. */
function athenaApi(target: Target, { network, timeoutMs, tls }: Pick<ConnectOptions, 'network' | 'timeoutMs' | 'tls'>) {
  const url = new URL(`https://${authorityOf(target.host, target.port)}/`);
  const region =
    /^athena(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/i.exec(target.host)?.[1] ??
    target.parameters.get('region_name') ??
    'us-east-1';
  // The URI's keys and nothing else: never credentials of this service's own environment.
  const signer = new SignatureV4({
    service: 'athena',
    region,
    credentials: {
      accessKeyId: target.user ?? '',
      secretAccessKey: target.password ?? '',
      sessionToken: target.parameters.get('aws_session_token') ?? undefined,
    },
    sha256: Hash.bind(null, 'sha256'),
  });
  return async <T>(action: string, payload: Record<string, unknown>): Promise<T> => {
    const body = JSON.stringify(payload);
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname: url.hostname,
      path: '/',
      query: {},
      headers: {
        // The URL's host leaves out the default port 443, as AWS's SDK writes it.
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-target': `AmazonAthena.${action}`,
      },
      body,
    });
    // The signer caches each day's signing key under the session token: keep no secret past the request.
    clearCredentialCache();
    try {
      const headers = { ...signed.headers, 'user-agent': CLIENT_NAME };
      return await requestJson<T>(url.toString(), { network, timeoutMs, tls, method: 'POST', headers, body });
    } catch (error) {
      throw error instanceof HttpError ? classify(error) : error;
    }
  };
}

type AthenaCall = ReturnType<typeof athenaApi>;

/** Every item of a listing, page after page, each asked for after the NextToken of the one before. */
async function listPages<T>(
  call: AthenaCall,
  action: string,
  field: string,
  request: Record<string, unknown>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    // The fields in the order AWS's SDK paginators write them: the same bytes, the same payload hash.
    const page = await call<Record<string, unknown>>(action, { ...request, NextToken: token, MaxResults: PAGE_SIZE });
    items.push(...((page[field] as T[] | undefined) ?? []));
    token = page.NextToken as string | undefined;
  } while (token);
  return items;
}

export const athenaDriver: Driver = async ({ target, network, timeoutMs, tls }) => {
  // Nothing is sent unsigned: without both keys there is nothing to sign with.
  if (!target.user || !target.password) {
    throw new DriverFailure(
      'credentials_invalid',
      'The URI gives no access key id and secret access key (awsathena+rest://<key id>:<secret>@athena.<region>.amazonaws.com/<database>).',
    );
  }
  const call = athenaApi(target, { network, timeoutMs, tls });
  const catalog = target.parameters.get('catalog_name') ?? 'AwsDataCatalog';
  // By the dialect's rule (lower-cased, as Glue keeps names): a URI's `Sales` is the database `sales`.
  const database = target.database ? nameAsRead(dialectNamed('awsathena'), target.database) : undefined;
  const databases = async () =>
    (await listPages<{ Name: string }>(call, 'ListDatabases', 'DatabaseList', { CatalogName: catalog })).map(
      ({ Name }) => Name,
    );
  const tablesOf = (name: string) =>
    listPages<TableMetadata>(call, 'ListTableMetadata', 'TableMetadataList', {
      CatalogName: catalog,
      DatabaseName: name,
    });
  return {
    async serverVersion() {
      // The URI's database must exist, and its tables be readable, as discovery will read them:
      // one table of it tells both. Without one, the first database of the catalog.
      if (database) {
        await call('ListTableMetadata', { CatalogName: catalog, DatabaseName: database, MaxResults: 1 });
      } else {
        await call('ListDatabases', { CatalogName: catalog, MaxResults: 1 });
      }
      // Athena tells no version of itself.
      return null;
    },
    async missingSchemas(names) {
      const existing = new Set(await databases());
      return names.filter((name) => !existing.has(name));
    },
    async introspect(schemas) {
      const names = schemas.length > 0 ? schemas : database ? [database] : await databases();
      const rows: GlueRows = { tables: [], columns: [], comments: [], rowCounts: [] };
      for (const schema of names) addTables(schema, await tablesOf(schema), rows);
      // The comments and row estimates came with the tables: no request of their own.
      const details = await readDetails({ comments: async () => rows.comments, rowCounts: async () => rows.rowCounts });
      return groupSchemas(names, rows.tables, rows.columns, details);
    },
    close: async () => {},
  };
};
