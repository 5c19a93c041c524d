/**
 * The documented page sizes work, and the query limits hold: docs/graphql.md's queries run at the
 * documented maximum (1,000 a page), with `first` written in the query or passed as a variable;
 * a query over a limit is refused with a GraphQL error that names the limit, its value and what
 * the query came to, whether its numbers are literals or variables.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QUERY_LIMITS } from '../src/schema/query-limits.ts';
import { STORES } from './support/databases.ts';
import { useServiceFixture } from './support/service.ts';

const PATH = '/api/v1/database-connections';
const DOCUMENTED_MAX = 1000;
const docs = readFileSync(new URL('../docs/graphql.md', import.meta.url), 'utf8');
/** The operations of docs/graphql.md's first graphql block, by name. */
const operations = new Map(
  [...(/```graphql\n([\s\S]*?)```/.exec(docs)?.[1] ?? '').matchAll(/^(query|mutation) (\w+)[\s\S]*?^}/gm)].map(
    ([text, , name]) => [name, text],
  ),
);
const LIST = operations.get('List') as string;

describe.each(STORES)('GraphQL pages at the documented maximum on $name', (store) => {
  const fixture = useServiceFixture(store);

  it('documents a page size of 1,000 at most, and the limits as declared', () => {
    expect(docs).toContain('1000 at most');
    expect(LIST).toContain('databaseConnections(first: $first');
    for (const [limit, max] of Object.entries(QUERY_LIMITS)) expect(docs).toContain(`| \`${limit}\` | ${max} |`);
  });

  it.skipIf(store.skip)(
    "runs docs/graphql.md's List query at 1,000, as a variable and written in the query",
    async () => {
      for (let i = 0; i < 3; i++) {
        await fixture.api.request('POST', PATH, { alias: `c${i}`, connection_uri: 'postgresql://u:p@h/db' });
      }
      const asVariable = await fixture.api.graphql(LIST, { first: DOCUMENTED_MAX });
      expect(asVariable.errors).toBeUndefined();
      expect(asVariable.data.databaseConnections.totalCount).toBe(3);
      const written = LIST.replace('$first: Int = 50, ', '').replace('first: $first', `first: ${DOCUMENTED_MAX}`);
      const asLiteral = await fixture.api.graphql(written);
      expect(asLiteral).toEqual(asVariable);
      // Every other query of the page runs too.
      const id = asVariable.data.databaseConnections.edges[0].node.id;
      for (const name of ['One', 'Update', 'Delete', 'Create']) {
        const answer = await fixture.api.graphql(operations.get(name) as string, { id });
        expect(answer.errors, name).toBeUndefined();
      }
    },
  );

  it.skipIf(store.skip)('reads a page of 1,000 with every field of a connection', async () => {
    const every = `query ($first: Int) { databaseConnections(first: $first) { edges { node {
      id alias connectionUri dialect schemas metadata useSsh managed createdAt updatedAt version
      sshSettings { host port username password privateKey privateKeyPassword hostKeyFingerprint }
      tlsSettings { caCertificate clientCertificate clientKey }
      health { status checkedAt latencyMs error { code message } } } } } }`;
    expect((await fixture.api.graphql(every, { first: DOCUMENTED_MAX })).errors).toBeUndefined();
  });

  it.skipIf(store.skip)('refuses a query over the complexity limit, counting variables as literals', async () => {
    const discover = (first: string) => `query ${first === '$first' ? '($first: Int)' : ''} {
      databaseConnections(first: ${first}) {
      edges { node { introspection { ... on IntrospectionSuccess { schemas { tables { columns { name } } } } } } } } }`;
    const asVariable = await fixture.api.graphql(discover('$first'), { first: DOCUMENTED_MAX });
    const asLiteral = await fixture.api.graphql(discover(String(DOCUMENTED_MAX)));
    for (const answer of [asVariable, asLiteral]) {
      expect(answer.data).toBeNull();
      expect(answer.errors).toHaveLength(1);
      const [error] = answer.errors ?? [];
      expect(error.message).not.toMatch(/Syntax Error/);
      expect(error.message).toMatch(/complexity is \d+, over the limit of 60000/);
      expect(error.extensions).toEqual({
        code: 'QUERY_LIMIT_EXCEEDED',
        limit: 'complexity',
        max: QUERY_LIMITS.complexity,
        found: expect.any(Number),
      });
    }
    expect(asVariable.errors?.[0].extensions.found).toBe(asLiteral.errors?.[0].extensions.found);
  });

  it.skipIf(store.skip)('refuses a query that selects too many fields, and one too long to parse', async () => {
    const fields = '__typename '.repeat(QUERY_LIMITS.breadth);
    const broad = await fixture.api.graphql(`{ ${fields} databaseConnection(id: "x") { id } }`);
    expect(broad.errors?.[0].extensions).toEqual({
      code: 'QUERY_LIMIT_EXCEEDED',
      limit: 'breadth',
      max: QUERY_LIMITS.breadth,
      found: QUERY_LIMITS.breadth + 2,
    });
    const long = await fixture.api.graphql(`{ ${'__typename '.repeat(QUERY_LIMITS.tokens)} }`);
    expect(long.errors?.[0].message).toMatch(/tokens is 4002, over the limit of 4000/);
    expect(long.errors?.[0].extensions).toEqual({
      code: 'QUERY_LIMIT_EXCEEDED',
      limit: 'tokens',
      max: QUERY_LIMITS.tokens,
      found: QUERY_LIMITS.tokens + 2,
    });
  });
});
