/** What the attack tests of the network guard expect of the service, on REST. */
import { expect } from 'vitest';
import type { Client } from './service.ts';

const PATH = '/api/v1/database-connections';

/** The guard's refusal: 403 `target_not_allowed`. */
export function expectTargetRefused(reply: { status: number; body: { code?: string } }, what: string) {
  expect(reply.status, `${what}: ${JSON.stringify(reply.body)}`).toBe(403);
  expect(reply.body.code, what).toBe('target_not_allowed');
}

/** Saves a connection to `connection_uri` without testing it (which the guard does not refuse); answers its id. */
export async function saveUntested(api: Client, connection_uri: string): Promise<string> {
  const created = await api.request('POST', PATH, { alias: `c${Math.random()}`.slice(0, 12), connection_uri });
  expect(created.status, connection_uri).toBe(201);
  return created.body.id as string;
}
