/**
 * Amazon Athena's JSON 1.1 API (X-Amz-Target AmazonAthena.ListDatabases, ListTableMetadata),
 * requests signed with Signature Version 4 for the region and service, with AWS's error bodies.
 */
import type { Handler } from './server.ts';

export const ATHENA_KEY_ID = 'AKIDTEST';

const awsError = (type: string, message: string) => ({ status: 400, body: { __type: type, Message: message } });

export const athenaHandler: Handler = (request) => {
  const authorization = request.headers.authorization ?? '';
  const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  if (!credential || !/Signature=[0-9a-f]{64}$/.test(authorization))
    return awsError('IncompleteSignatureException', 'Authorization header requires a Signature.');
  if (request.headers['x-amz-security-token'] === 'expired-session')
    return awsError('ExpiredTokenException', 'The security token included in the request is expired');
  if (credential[1] === 'AKIDDENIED')
    return awsError('AccessDeniedException', 'User is not authorized to perform: athena:ListDatabases');
  if (credential[1] !== ATHENA_KEY_ID)
    return awsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (credential[2] !== 'eu-west-1' || credential[3] !== 'athena')
    return awsError('InvalidSignatureException', 'Credential should be scoped to a valid region.');
  const body = JSON.parse(request.body || '{}');
  switch (request.headers['x-amz-target']) {
    case 'AmazonAthena.ListDatabases':
      return { body: { DatabaseList: [{ Name: 'sales' }] } };
    case 'AmazonAthena.ListTableMetadata':
      if (body.DatabaseName !== 'sales')
        return awsError('MetadataException', `Database ${body.DatabaseName} not found.`);
      return {
        body: {
          TableMetadataList: [
            {
              Name: 'orders',
              TableType: 'EXTERNAL_TABLE',
              Columns: [
                { Name: 'id', Type: 'int' },
                { Name: 'note', Type: 'string' },
              ],
              PartitionKeys: [{ Name: 'day', Type: 'date' }],
            },
            { Name: 'recent', TableType: 'VIRTUAL_VIEW', Columns: [{ Name: 'id', Type: 'int' }] },
          ],
        },
      };
    default:
      return awsError('UnknownOperationException', 'Unknown operation');
  }
};
