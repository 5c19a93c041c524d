/**
 * `npm run import -- <file>`: creates, or updates by alias, each connection of a file in the
 * provisioning format, through the GraphQL mutations the API runs, so by the same rules (a
 * masked secret keeps the stored one, a managed connection is refused). Imported connections are
 * not managed. Prints each row's outcome; exits 1 when any was refused.
 */
import { execute, parse } from 'graphql';
import { LOCAL_PRINCIPAL } from '../auth/api-keys.ts';
import { loadConfig } from '../config.ts';
import { createConnectivity } from '../connectivity/connectivity.ts';
import type { Context } from '../context.ts';
import { createConnectionEvents } from '../events/connection-events.ts';
import { createLogger } from '../logger.ts';
import { ProvisioningFileError, readProvisioningFile } from '../provisioning/file.ts';
import { DOCUMENT_SHAPE, inputFromBody, restFieldPath } from '../rest/connection-fields.ts';
import { schema } from '../schema/index.ts';
import { openStore } from './store-context.ts';

const FIND = parse(`query ($alias: String!) {
  databaseConnections(first: 1, filter: {alias: $alias}) { edges { node { id } } }
}`);
const RESULT = `__typename ... on Error { code message } ... on ValidationError { fieldErrors { field message } }`;
const CREATE = parse(`mutation ($input: CreateDatabaseConnectionInput!) {
  result: createDatabaseConnection(input: $input) { ${RESULT} }
}`);
const UPDATE = parse(`mutation ($id: ID!, $input: UpdateDatabaseConnectionInput!) {
  result: updateDatabaseConnection(id: $id, input: $input) { ${RESULT} }
}`);

interface MutationResult {
  __typename: string;
  code?: string;
  message?: string;
  fieldErrors?: { field: string; message: string }[];
}

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run import -- <file>');
  process.exit(2);
}
const config = loadConfig();
const logger = createLogger('warn');
const { prisma, store, secrets, references, policy } = await openStore(config, logger);
// On PostgreSQL, the running instances hear of each import as of any other change.
const events = createConnectionEvents(store, logger);
const contextValue: Context = {
  prisma,
  logger,
  secrets,
  references,
  policy,
  connectivity: createConnectivity(config.connectivity),
  events,
  principal: LOCAL_PRINCIPAL,
};
const run = async <Data>(document: ReturnType<typeof parse>, variableValues: Record<string, unknown>) => {
  const { data, errors } = await execute({ schema, document, variableValues, contextValue });
  if (errors?.length) throw new Error(errors.map((error) => error.message).join('; '));
  return data as Data;
};

let refused = 0;
try {
  const { entries, problems } = readProvisioningFile(file);
  if (problems.length > 0) throw new ProvisioningFileError(file, problems);
  for (const entry of entries) {
    const alias = String(entry.body.alias ?? `connections[${entry.index}]`);
    const report = (outcome: string, detail = '') => console.log(`${outcome.padEnd(9)} ${alias}${detail}`);
    const converted = inputFromBody(entry.body, DOCUMENT_SHAPE);
    if ('problems' in converted) {
      refused++;
      report('refused', `: ${converted.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
      continue;
    }
    const { input } = converted;
    const found = await run<{ databaseConnections: { edges: { node: { id: string } }[] } }>(FIND, { alias });
    const id = found.databaseConnections.edges[0]?.node.id;
    const { result } = id
      ? await run<{ result: MutationResult }>(UPDATE, { id, input })
      : await run<{ result: MutationResult }>(CREATE, { input });
    if (result.__typename.endsWith('Success')) {
      report(id ? 'updated' : 'created');
    } else {
      refused++;
      const fields = (result.fieldErrors ?? []).map((p) => `${restFieldPath(p.field)} ${p.message}`).join('; ');
      report('refused', `: ${result.code}${fields ? ` (${fields})` : `: ${result.message}`}`);
    }
  }
} catch (error) {
  console.error(error instanceof ProvisioningFileError ? error.message : `Import failed: ${(error as Error).message}`);
  refused++;
} finally {
  await events.close();
  await prisma.$disconnect();
}
process.exitCode = refused > 0 ? 1 : 0;
