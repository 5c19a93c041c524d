/**
 * A document of several operations runs exactly the one each request names, whatever ran before it
 * from the same text (compiled queries are cached per parsed document), over plain HTTP and over
 * Server-Sent Events.
 */
import { describe, expect, it } from 'vitest';
import { STORES } from './support/databases.ts';
import { useServiceFixture } from './support/service.ts';
import { subscribe } from './support/sse.ts';

/** Two queries and two mutations in one text; each mutation makes a workspace named by a variable. */
const DOCUMENT = `
query Q1 { viewer { name } }
query Q2 { workspaces { name } }
mutation M1($m1: String!) { createWorkspace(name: $m1) { __typename } }
mutation M2($m2: String!) { createWorkspace(name: $m2) { __typename } }
`;

type Send = (operationName: string | undefined, variables: Record<string, string>) => Promise<any>;

describe.each(STORES)('operationName on $name', (store) => {
  const fixture = useServiceFixture(store);

  const overHttp: Send = async (operationName, variables) => {
    const reply = await fixture.api.request('POST', '/graphql', { query: DOCUMENT, operationName, variables });
    return reply.body;
  };
  const overSse: Send = async (operationName, variables) => {
    const stream = await subscribe(fixture.service.url, DOCUMENT, variables, {}, operationName);
    try {
      return await stream.next(5_000);
    } finally {
      stream.close();
    }
  };

  async function workspaceNames(): Promise<string[]> {
    const { data } = await fixture.api.graphql('{ workspaces { name } }');
    return data.workspaces.map((workspace: { name: string }) => workspace.name).sort();
  }

  describe.skipIf(store.skip).each([
    ['HTTP', overHttp, 'http'],
    ['Server-Sent Events', overSse, 'sse'],
  ] as const)('over %s', (_transport, send, tag) => {
    it('runs each named operation once, with its own answer, in every order', async () => {
      const variables = { m1: `${tag}-m1`, m2: `${tag}-m2` };
      const before = await workspaceNames();
      // Q1 first, then M1 (the cache holds Q1's compilation); M2 first, then Q2 (it holds a mutation's).
      for (const name of ['Q1', 'M1', 'M2', 'Q2', 'Q1']) {
        const answer = await send(name, variables);
        expect(answer.errors, name).toBeUndefined();
        if (name === 'Q1') expect(answer.data).toEqual({ viewer: { name: expect.any(String) } });
        if (name === 'Q2') expect(Object.keys(answer.data)).toEqual(['workspaces']);
        if (name.startsWith('M'))
          expect(answer.data).toEqual({ createWorkspace: { __typename: 'CreateWorkspaceSuccess' } });
      }
      // Each mutation made its workspace once; no query made any.
      expect(await workspaceNames()).toEqual([...before, variables.m1, variables.m2].sort());
    });

    it('refuses a document of several operations without a name, running none', async () => {
      const before = await workspaceNames();
      const answer = await send(undefined, { m1: `${tag}-x1`, m2: `${tag}-x2` });
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.[0]?.message).toBe('Could not determine what operation to execute.');
      const unknown = await send('Q3', { m1: `${tag}-x1`, m2: `${tag}-x2` });
      expect(unknown.data ?? null).toBeNull();
      expect(unknown.errors?.[0]?.message).toBe('Could not determine what operation to execute.');
      expect(await workspaceNames()).toEqual(before);
    });
  });
});
