/**
 * The secret references of a connection document (`${env:…}`, `${file:…}` in
 * place of the URI, its password or a secret parameter, or a secret of the SSH and TLS settings):
 * read when the service needs the values, never stored in their place.
 */
import type { Connectivity, TestResult } from '../connectivity/connectivity.ts';
import { ConnectionFailedError, TEST_FAILURES } from '../connectivity/errors.ts';
import type { ConnectionRoute } from '../connectivity/route.ts';
import type { ConnectionSecrets } from '../secrets/connection-secrets.ts';
import { SecretReferenceError, type SecretReferences } from '../secrets/references.ts';
import { type FieldProblem, ValidationError } from './errors.ts';
import { type ConnectionDocument, declarationOf, SECRET_FIELDS, type SecretFieldName } from './fields.ts';
import { parsePartialDocument } from './input.ts';
import { type ConnectionRow, rowDialect, rowSchemas, storedDocument } from './records.ts';
import { routeOf } from './transport.ts';

/**
 * The document with every secret reference replaced by its value. Throws ValidationError with the
 * code invalid_secret_reference naming each reference that may not or cannot be read, or
 * validation_failed when a value read breaks the field's rules (a key that does not parse).
 */
export function resolveReferences<T extends Partial<ConnectionDocument>>(document: T, references: SecretReferences): T {
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
 * The route of a stored connection, its references read. A reference that can no longer be read
 * (a variable unset, a file removed) fails the connection as secret_unavailable.
 */
export function storedRoute(document: ConnectionDocument, references: SecretReferences): ConnectionRoute {
  try {
    return routeOf(resolveReferences(document, references));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const fields = error.fieldErrors.map((problem) => `${problem.field} ${problem.message}`).join('; ');
    throw new ConnectionFailedError({
      code: 'secret_unavailable',
      message: `${TEST_FAILURES.secret_unavailable} (${fields})`,
    });
  }
}

/**
 * Tests a stored connection: a reference of it that can no longer be read is a failed test
 * (secret_unavailable), like any other failure. Refusals (network rules, limits, no driver) are thrown.
 */
export async function testStoredConnection(
  connectivity: Connectivity,
  row: ConnectionRow,
  services: { secrets: ConnectionSecrets; references: SecretReferences },
  apiKey: string,
): Promise<TestResult> {
  try {
    const route = storedRoute(storedDocument(row, services.secrets), services.references);
    return await connectivity.test(route, rowDialect(row), rowSchemas(row), apiKey);
  } catch (error) {
    if (!(error instanceof ConnectionFailedError)) throw error;
    return { ok: false, latencyMs: 0, serverVersion: null, error: error.reason };
  }
}

/** A revealed secret field with the values its references stand for; a reference that cannot be read stays as written. */
export function revealReferences(field: SecretFieldName, value: unknown, references: SecretReferences): unknown {
  const handling = declarationOf(field).value.secrets;
  if (!handling) return value;
  return handling.resolveReferences(value, (reference) => {
    try {
      return references.resolve(reference);
    } catch {
      return reference;
    }
  });
}
