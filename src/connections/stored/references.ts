/**
 * The secret references of a connection document (`${env:…}`, `${file:…}` in
 * place of the URI, its password or a secret parameter, or a secret of the SSH and TLS settings):
 * read when the service needs the values, never stored in their place, and only the names the
 * connection's workspace is allowed, now: on every write, test, discovery and reveal.
 */
import { z } from 'zod';
import { WORKSPACE_NAME } from '../../auth/grants.ts';
import type { Connectivity, TestResult } from '../../connectivity/connectivity.ts';
import { ConnectionFailedError, type Purpose, TEST_FAILURES } from '../../connectivity/errors.ts';
import type { ConnectionRoute } from '../../connectivity/route.ts';
import type { ConnectionSecrets } from '../../secrets/connection-secrets.ts';
import {
  REFERENCE_PATTERNS,
  SecretReferenceError,
  type SecretReferenceReader,
  type SecretReferences,
} from '../../secrets/references.ts';
import { type ConnectionDocument, declarationOf, SECRET_FIELDS, type SecretFieldName } from '../fields/fields.ts';
import { type FieldProblem, ValidationError } from '../rules/errors.ts';
import { parsePartialDocument } from '../rules/input.ts';
import { routeOf } from '../rules/transport.ts';
import { type ConnectionRow, rowDialect, rowSchemas, storedDocument } from './records.ts';

/** Which references each workspace's connections may use, by workspace: SECRET_REFERENCES, and the provisioning file's `secret_references`. */
export const WORKSPACE_REFERENCES = z.record(WORKSPACE_NAME, REFERENCE_PATTERNS, {
  error: (issue) =>
    issue.code === 'invalid_key'
      ? 'is not a workspace name (1 to 63 lowercase letters, digits, - or _)'
      : 'must map workspace names to lists of env:… and file:… names',
});

/** Unless the operator says otherwise, the `default` workspace, and it only, may use every reference the rules allow. */
export const DEFAULT_SECRET_REFERENCES: z.output<typeof WORKSPACE_REFERENCES> = { default: ['env:*', 'file:*'] };

/** The references a secret field's value holds, as written. */
function referencesOf(name: SecretFieldName, value: unknown): string[] {
  const found: string[] = [];
  declarationOf(name).value.secrets?.resolveReferences(value, (reference) => {
    found.push(reference);
    return reference;
  });
  return found;
}

/** Whether any secret field of the document holds a reference. */
const holdsReferences = (document: Partial<ConnectionDocument>) =>
  SECRET_FIELDS.some(([name]) => {
    const value = document[name as keyof ConnectionDocument];
    return value != null && referencesOf(name as SecretFieldName, value).length > 0;
  });

/**
 * The reader of references for the connections of a workspace (null: none, every reference refused),
 * as allowed now; the provisioning file's grants are read only for a document that holds a reference.
 */
export function workspaceReferences(
  references: SecretReferences,
  workspaces: { secretReferencesOf(name: string): Promise<string[]> },
) {
  return async (workspace: string | null, document: Partial<ConnectionDocument>): Promise<SecretReferenceReader> =>
    workspace !== null && holdsReferences(document)
      ? references.forWorkspace(workspace, await workspaces.secretReferencesOf(workspace))
      : references.forWorkspace(null);
}

export type WorkspaceReferences = ReturnType<typeof workspaceReferences>;

/**
 * The document with every secret reference replaced by its value. Throws ValidationError with the
 * code invalid_secret_reference naming each reference that may not or cannot be read, or
 * validation_failed when a value read breaks the field's rules (a key that does not parse).
 */
export function resolveReferences<T extends Partial<ConnectionDocument>>(
  document: T,
  references: SecretReferenceReader,
): T {
  const problems: FieldProblem[] = [];
  const resolved: Record<string, unknown> = {};
  for (const [name, field] of SECRET_FIELDS) {
    const value = document[name as keyof T];
    if (value == null || !field.value.secrets) continue;
    let read = false;
    const result = field.value.secrets.resolveReferences(value, (reference, path) => {
      try {
        read = true;
        return references.resolve(reference);
      } catch (error) {
        if (!(error instanceof SecretReferenceError)) throw error;
        problems.push({ field: path ? `${name}.${path}` : name, message: error.message });
        return reference;
      }
    });
    if (read) resolved[name] = result;
  }
  if (problems.length > 0) throw new ValidationError(problems, 'invalid_secret_reference');
  if (Object.keys(resolved).length === 0) return document;
  // What a reference holds keeps the field's rules, as a value written out would.
  parsePartialDocument(resolved);
  return { ...document, ...resolved };
}

/**
 * The route of a stored connection, its references read for its workspace. A reference that can no
 * longer be read (a variable unset, a file removed, no longer allowed to the workspace) fails the
 * connection as secret_unavailable.
 */
export async function storedRoute(
  row: ConnectionRow,
  services: { secrets: ConnectionSecrets; referencesFor: WorkspaceReferences },
  purpose: Purpose,
): Promise<ConnectionRoute> {
  const document = storedDocument(row, services.secrets);
  try {
    return routeOf(resolveReferences(document, await services.referencesFor(row.workspace, document)));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const fields = error.fieldErrors.map((problem) => `${problem.field} ${problem.message}`).join('; ');
    throw new ConnectionFailedError(
      {
        code: 'secret_unavailable',
        message: `${TEST_FAILURES.secret_unavailable} (${fields})`,
      },
      purpose,
    );
  }
}

/**
 * Tests a stored connection: a reference of it that can no longer be read is a failed test
 * (secret_unavailable), like any other failure. Refusals (network rules, limits, no driver) are thrown.
 */
export async function testStoredConnection(
  connectivity: Connectivity,
  row: ConnectionRow,
  services: Parameters<typeof storedRoute>[1],
  apiKey: string,
): Promise<TestResult> {
  try {
    return await connectivity.test(await storedRoute(row, services, 'test'), rowDialect(row), rowSchemas(row), apiKey);
  } catch (error) {
    if (!(error instanceof ConnectionFailedError)) throw error;
    return { ok: false, latencyMs: 0, serverVersion: null, error: error.reason };
  }
}

/**
 * A revealed secret field with the values its references stand for, as the connection's workspace
 * may read them now; a reference that cannot be read stays as written.
 */
export async function revealReferences(
  row: ConnectionRow,
  field: SecretFieldName,
  value: unknown,
  referencesFor: WorkspaceReferences,
): Promise<unknown> {
  const handling = declarationOf(field).value.secrets;
  if (!handling) return value;
  const references = await referencesFor(row.workspace, { [field]: value });
  return handling.resolveReferences(value, (reference) => {
    try {
      return references.resolve(reference);
    } catch {
      return reference;
    }
  });
}
