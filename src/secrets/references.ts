/**
 * References to secrets the service does not store: `${env:NAME}` (an
 * environment variable) or `${file:NAME}` (a file in one folder, as Kubernetes
 * mounts a secret or Vault Agent renders one). A reference is kept as written;
 * its value is read only when a connection needs it, and only from names the
 * operator allows: variables whose names start with SECRET_ENV_PREFIX, files
 * named directly in SECRET_FILES_DIR (links among them may lead deeper into it). The service's own settings are never
 * readable this way, whatever the prefix.
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

const REFERENCE = /^\$\{(env|file):([^}]*)\}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
/** Secret files are small: a password, a key, a certificate chain. */
const MAX_FILE_BYTES = 64 * 1024;

/** A reference that names what may not be read, or what is not there; the message never holds a value. */
export class SecretReferenceError extends Error {}

export const isReference = (text: unknown): text is string => typeof text === 'string' && REFERENCE.test(text);

export interface SecretReferenceRules {
  /** Variables readable by `${env:…}` start with it (never empty). */
  SECRET_ENV_PREFIX: string;
  /** The folder `${file:…}` reads from; undefined refuses file references. */
  SECRET_FILES_DIR?: string | undefined;
  /** Variables never readable, whatever their prefix: the service's own settings. */
  protectedVariables: ReadonlySet<string>;
  env: NodeJS.ProcessEnv;
}

export interface SecretReferences {
  /** The value a reference stands for; throws SecretReferenceError. Text that is no reference is returned as it is. */
  resolve(text: string): string;
}

export function secretReferences(rules: SecretReferenceRules): SecretReferences {
  function readVariable(name: string): string {
    if (!VARIABLE_NAME.test(name)) throw new SecretReferenceError(`"${name}" is not an environment variable name`);
    if (rules.protectedVariables.has(name) || !name.startsWith(rules.SECRET_ENV_PREFIX)) {
      throw new SecretReferenceError(
        `may only name environment variables whose names start with ${rules.SECRET_ENV_PREFIX} (SECRET_ENV_PREFIX)`,
      );
    }
    const value = rules.env[name];
    if (value === undefined || value === '')
      throw new SecretReferenceError(`names the variable ${name}, which is not set`);
    return value;
  }

  function readFile(name: string): string {
    const folder = rules.SECRET_FILES_DIR;
    if (folder === undefined) {
      throw new SecretReferenceError('names a file, but SECRET_FILES_DIR is not set: file references are off');
    }
    if (!FILE_NAME.test(name) || name.includes('..')) {
      throw new SecretReferenceError('must name a file directly inside SECRET_FILES_DIR (no / or ..)');
    }
    let path: string;
    try {
      path = realpathSync(join(folder, name));
    } catch {
      throw new SecretReferenceError(`names the file ${name}, which does not exist in SECRET_FILES_DIR`);
    }
    // A symbolic link may lead within the folder (Kubernetes mounts each key as a link into a
    // hidden folder beside it), never out of it.
    if (!path.startsWith(`${realpathSync(folder)}${sep}`) || !lstatSync(path).isFile()) {
      throw new SecretReferenceError(`names ${name}, which leads out of SECRET_FILES_DIR or is not a file`);
    }
    if (lstatSync(path).size > MAX_FILE_BYTES) throw new SecretReferenceError(`names ${name}, which is over 64 KiB`);
    // Files written by hand or by tools often end with a line break that is not part of the secret.
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  }

  return {
    resolve(text) {
      const match = REFERENCE.exec(text);
      if (!match) return text;
      const [, kind, name = ''] = match;
      return kind === 'env' ? readVariable(name) : readFile(name);
    },
  };
}
