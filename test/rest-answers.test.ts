/**
 * The answers of the REST routes that declare a GraphQL operation (src/rest/answers.ts), from the
 * data an operation answers: an item picked from a list by the path's parameter, and the 404 of an
 * item that is not there, worded from the catalogue of error codes.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/error-codes.ts';
import { listItemAt } from '../src/rest/answers.ts';
import type { RoutedRequest } from '../src/rest/body.ts';
import { ProblemResponse } from '../src/rest/problem.ts';

const requestFor = (params: RoutedRequest['params']): RoutedRequest => ({
  headers: {},
  body: undefined,
  params,
  parameters: {},
  input: {},
});
const WORKSPACES = { workspaces: [{ name: 'default' }, { name: 'sales' }] };
/** An item's type as the REST adapter names them: an interface, which has no index signature. */
interface Named {
  name: string;
}
const upperCased = (workspace: Named) => ({ name: workspace.name.toUpperCase() });

/** The problem an answer throws, or undefined when it answers. */
function thrownBy(answer: () => unknown): ProblemResponse | undefined {
  try {
    answer();
  } catch (error) {
    if (error instanceof ProblemResponse) return error;
    throw error;
  }
  return undefined;
}

describe('a declared route’s answer', () => {
  it('picks the item of a list whose key is the path’s parameter, in REST’s form', () => {
    const answer = listItemAt('workspaces', 'name', upperCased, 'workspace_not_found');
    expect(answer(WORKSPACES, requestFor({ name: 'sales' }))).toEqual({ status: 200, body: { name: 'SALES' } });
  });

  it('answers the code’s 404, its meaning as the detail, when the list has no such item', () => {
    const answer = listItemAt('workspaces', 'name', upperCased, 'workspace_not_found');
    const problem = thrownBy(() => answer(WORKSPACES, requestFor({ name: 'Sales' })))?.problem;
    expect(problem).toMatchObject({
      status: 404,
      code: 'workspace_not_found',
      detail: ERROR_CODES.workspace_not_found.description,
    });
  });
});
