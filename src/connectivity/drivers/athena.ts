/**
 * Amazon Athena over its JSON API (ListDatabases, ListTableMetadata), signed with AWS Signature
 * Version 4, as PyAthena's URIs give the keys: awsathena+rest://<access key id>:<secret access key>@athena.<region>.amazonaws.com:443/<database>.
 * Reading the Glue catalog needs no query, no S3 output location and costs nothing. The AWS SDK
 * (about 9 MB) opens its own connections, past the network guard. Its "schemas" are databases.
 */

import { authorityOf } from '../target.ts';
import { type Driver, DriverFailure, groupSchemas } from './driver.ts';
import { HttpError, requestJson } from './http.ts';
import { signedHeaders } from './sigv4.ts';

const ERRORS: Record<string, ConstructorParameters<typeof DriverFailure>[0]> = {
  UnrecognizedClientException: 'authentication_failed',
  InvalidSignatureException: 'authentication_failed',
  SignatureDoesNotMatch: 'authentication_failed',
  IncompleteSignatureException: 'authentication_failed',
  AccessDeniedException: 'permission_denied',
  ExpiredTokenException: 'token_expired',
};

interface TableMetadata {
  Name: string;
  TableType?: string;
  Columns?: { Name: string; Type?: string }[];
  PartitionKeys?: { Name: string; Type?: string }[];
}

export const athenaDriver: Driver = async ({ target, network, timeoutMs, tls }) => {
  const region =
    /^athena(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/i.exec(target.host)?.[1] ??
    target.parameters.get('region_name') ??
    'us-east-1';
  const catalog = target.parameters.get('catalog_name') ?? 'AwsDataCatalog';
  const credentials = {
    accessKeyId: target.user ?? '',
    secretAccessKey: target.password ?? '',
    sessionToken: target.parameters.get('aws_session_token') ?? undefined,
  };
  const url = new URL(`https://${authorityOf(target.host, target.port)}/`);
  const call = async <T>(action: string, payload: Record<string, unknown>): Promise<T> => {
    const body = JSON.stringify(payload);
    const headers = signedHeaders(
      url,
      body,
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonAthena.${action}` },
      { region, service: 'athena', credentials },
    );
    try {
      return await requestJson<T>(url.toString(), { network, timeoutMs, tls, method: 'POST', headers, body });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const answer = error.json<{ __type?: string; message?: string; Message?: string }>();
      const type = (answer?.__type ?? '').split('#').pop() ?? '';
      const message = `${type}: ${answer?.message ?? answer?.Message ?? error.message}`;
      if (ERRORS[type]) throw new DriverFailure(ERRORS[type], message);
      if (type === 'MetadataException' && /not found/i.test(message))
        throw new DriverFailure('unknown_schema', message);
      throw new Error(message);
    }
  };
  const databases = async () => {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await call<{ DatabaseList?: { Name: string }[]; NextToken?: string }>('ListDatabases', {
        CatalogName: catalog,
        NextToken: token,
      });
      names.push(...(page.DatabaseList ?? []).map((database) => database.Name));
      token = page.NextToken;
    } while (token);
    return names;
  };
  const tablesOf = async (database: string) => {
    const tables: TableMetadata[] = [];
    let token: string | undefined;
    do {
      const page = await call<{ TableMetadataList?: TableMetadata[]; NextToken?: string }>('ListTableMetadata', {
        CatalogName: catalog,
        DatabaseName: database,
        NextToken: token,
      });
      tables.push(...(page.TableMetadataList ?? []));
      token = page.NextToken;
    } while (token);
    return tables;
  };
  return {
    async serverVersion() {
      await call('ListDatabases', { CatalogName: catalog, MaxResults: 1 });
      return null;
    },
    async missingSchemas(names) {
      const existing = new Set(await databases());
      return names.filter((name) => !existing.has(name));
    },
    async introspect(schemas) {
      const names = schemas.length > 0 ? schemas : target.database ? [target.database] : await databases();
      const tables: { schema: string; table: string; type: string }[] = [];
      const columns: { schema: string; table: string; column: string; type: string; nullable: boolean }[] = [];
      for (const schema of names) {
        for (const table of await tablesOf(schema)) {
          tables.push({ schema, table: table.Name, type: table.TableType === 'VIRTUAL_VIEW' ? 'view' : 'table' });
          // Athena's columns have no NOT NULL: every one may hold null.
          for (const column of [...(table.Columns ?? []), ...(table.PartitionKeys ?? [])]) {
            columns.push({ schema, table: table.Name, column: column.Name, type: column.Type ?? '', nullable: true });
          }
        }
      }
      return groupSchemas(names, tables, columns);
    },
    close: async () => {},
  };
};
