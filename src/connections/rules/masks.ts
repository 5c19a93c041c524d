/**
 * The mask (****) a client may send in place of a secret it read: refused on
 * create, where there is nothing to keep; on an update, replaced by the stored
 * secret, but only while the secret would still go where it went before.
 */
import { MASK } from '../../secrets/uri-secrets.ts';
import { type ConnectionDocument, SECRET_FIELDS } from '../fields/fields.ts';
import { type FieldProblem, ValidationError } from './errors.ts';
import { parsePartialDocument } from './input.ts';

type Document = Partial<ConnectionDocument>;

/** Every path (GraphQL names) where the document holds the mask in place of a secret. */
export function maskedPaths(document: Document): string[] {
  return SECRET_FIELDS.flatMap(([name, field]) => {
    const value = document[name as keyof Document];
    if (value === undefined || !field.value.secrets) return [];
    return field.value.secrets.maskedPaths(value).map((path) => (path ? `${name}.${path}` : name));
  });
}

/** The document with every secret masked, as output shows it (references stay as written). */
export function maskDocument(document: ConnectionDocument): ConnectionDocument {
  const masked: Record<string, unknown> = { ...document };
  for (const [name, field] of SECRET_FIELDS) {
    if (masked[name] != null && field.value.secrets) masked[name] = field.value.secrets.mask(masked[name]);
  }
  return masked as ConnectionDocument;
}

/** For a create or a test: throws when the document holds a mask, as there is no stored secret to keep. */
export function refuseMasks(document: Document): void {
  const paths = maskedPaths(document);
  if (paths.length === 0) return;
  throw new ValidationError(
    paths.map((path) => ({
      field: path,
      message: `holds ${MASK}, the mask of a secret: send the secret itself`,
    })),
  );
}

/** Through which bastion a connection goes: the URI's secrets are kept only on the same way to the same place. */
const wayOf = (document: Document) => {
  const ssh = document.useSsh ? (document.sshSettings as { host: string; port: number } | null) : null;
  return ssh ? `${ssh.host}:${ssh.port}` : '';
};

/**
 * Puts the stored secrets where the update holds the mask; throws ValidationError where it cannot
 * (another target, or no such stored secret). `stored` is the stored document, secrets opened.
 */
export function restoreMasks(document: Document, stored: ConnectionDocument): void {
  const problems: FieldProblem[] = [];
  const restored: Record<string, unknown> = {};
  const effective = { ...stored, ...document };
  for (const [name, field] of SECRET_FIELDS) {
    const key = name as keyof Document;
    const value = document[key];
    if (value === undefined || !field.value.secrets || field.value.secrets.maskedPaths(value).length === 0) continue;
    const sameWay = name !== 'connectionUri' || wayOf(effective) === wayOf(stored);
    const kept = sameWay ? field.value.secrets.restore(value, stored[key]) : undefined;
    if (kept === undefined) {
      problems.push({
        field: name,
        message:
          `holds ${MASK} in place of a secret, but either goes elsewhere than the stored one (another scheme, ` +
          'user, host, port, database or SSH bastion), or the stored one has no such secret: send the secret itself',
      });
    } else restored[key] = kept;
  }
  if (problems.length > 0) throw new ValidationError(problems);
  // Checked again with the stored secrets in place: a new passphrase must still open the stored key.
  Object.assign(document, parsePartialDocument(restored));
}
