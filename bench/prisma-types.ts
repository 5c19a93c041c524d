/**
 * `npx tsx bench/prisma-types.ts`: what the schema's types over the Prisma models cost, on a fresh
 * SQLite database of 1,000 connections (docs/development.md, "The schema over the Prisma models").
 * - a page of 1,000 connections with every field, over HTTP (run it before and after a change);
 * - nodes(ids:) of those 1,000 through the service (the read cache), against the 1,000 findUnique
 *   calls plugin-prisma's prismaNode would make for them (its only way to load a node);
 * - how many of DatabaseConnection's fields have no resolver (graphql-jit reads those inline).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { storeFromUrl } from '../src/db/store.ts';
import { createLogger } from '../src/logger.ts';
import { schema } from '../src/schema/index.ts';
import { startService } from '../src/service.ts';
import { freshDatabase } from './fresh-database.ts';

const ROWS = 1000;
const RUNS = 30;
const FIELDS =
  'id workspace alias connectionUri dialect parameters schemas metadata useSsh sshSettings { host } ' +
  'tlsSettings { caCertificate } health { status checkedAt } managed createdAt updatedAt version';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function timed(runs: number, run: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times).toFixed(1);
}

const database = await freshDatabase('sqlite', 'prisma-types');
const env = {
  DATABASE_URL: database.url,
  PORT: '0',
  LOG_LEVEL: 'silent',
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};
const service = await startService(loadConfig(env), createLogger('silent'));
const prisma = await createPrismaClient(storeFromUrl(database.url));

async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

try {
  const ids: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const created = (await graphql(
      'mutation($input: CreateDatabaseConnectionInput!) { createDatabaseConnection(input: $input) { ... on CreateDatabaseConnectionSuccess { databaseConnection { id } } } }',
      {
        input: {
          alias: `row-${i}`,
          connectionUri: `postgresql://u:secret-${i}@db.internal/sales`,
          schemas: ['public'],
        },
      },
    )) as { createDatabaseConnection: { databaseConnection: { id: string } } };
    ids.push(created.createDatabaseConnection.databaseConnection.id);
  }
  const page = `{ databaseConnections(first: ${ROWS}) { edges { node { ${FIELDS} } } } }`;
  const nodes = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on DatabaseConnection { ${FIELDS} } } }`;
  await graphql(page);
  console.log(`page of ${ROWS}, every field: median ${await timed(RUNS, () => graphql(page))} ms`);
  console.log(
    `nodes(ids:) of ${ROWS}, through the service: median ${await timed(RUNS, () => graphql(nodes, { ids }))} ms`,
  );
  const findUniques = () => Promise.all(ids.map((id) => prisma.databaseConnection.findUnique({ where: { id } })));
  console.log(`${ROWS} findUnique, as prismaNode loads them: median ${await timed(RUNS, findUniques)} ms`);
  const fields = Object.values(
    (schema.getType('DatabaseConnection') as import('graphql').GraphQLObjectType).getFields(),
  );
  console.log(
    `DatabaseConnection fields without a resolver: ${fields.filter((field) => !field.resolve).length} of ${fields.length}`,
  );
} finally {
  await prisma.$disconnect();
  await service.stop();
  await database.drop();
}
