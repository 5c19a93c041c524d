/**
 * References to secrets the service does not store: `${env:NAME}` (an
 * environment variable) or `${file:NAME}` (a file in one folder, as Kubernetes
 * mounts a secret or Vault Agent renders one). A reference is kept as written;
 * its value is read only when a connection needs it, and only from names the
 * operator allows: variables whose names start with SECRET_ENV_PREFIX, files
 * named directly in SECRET_FILES_DIR (links among them may lead deeper into it),
 * and of those only the names the connection's workspace is allowed
 * (SECRET_REFERENCES, the provisioning file). The service's own settings are never
 * readable this way, whatever the prefix.
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { z } from 'zod';

const REFERENCE = /^\$\{(env|file):([^}]*)\}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
/** Secret files are small: a password, a key, a certificate chain. */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * What a workspace may reference: `env:NAME` or `file:NAME`, one name, or the start of names
 * followed by `*` (`env:DCAPI_SECRET_SALES_*`; `env:*`, every variable the operator's rules allow).
 */
const PATTERN = /^(env|file):([A-Za-z0-9_.-]*)(\*?)$/;

const PATTERN_RULE = 'must be env:NAME or file:NAME, a name or the start of names followed by *';

export const REFERENCE_PATTERNS = z.array(z.string({ error: PATTERN_RULE }).regex(PATTERN, PATTERN_RULE), {
  error: 'must be a list of env:NAME and file:NAME, such as ["env:DCAPI_SECRET_SALES_*"]',
});

/**
 * The one answer to a reference that cannot be read, whatever the reason: not allowed to the
 * workspace, outside SECRET_ENV_PREFIX or SECRET_FILES_DIR, a setting, unset, missing, too large.
 * Told apart, the answers would let a caller list which names exist.
 */
const UNREADABLE_REFERENCE =
  'names no secret this workspace may read: nothing by that name is there, or it is not allowed to the ' +
  'workspace (SECRET_ENV_PREFIX, SECRET_FILES_DIR and SECRET_REFERENCES say which names are)';

/** A reference that names what may not be read, or what is not there; the message never holds a value. */
export class SecretReferenceError extends Error {}

export const isReference = (text: unknown): text is string => typeof text === 'string' && REFERENCE.test(text);

export interface SecretReferenceRules {
  /** Variables readable by `${env:…}` start with it (never empty). */
  SECRET_ENV_PREFIX: string;
  /** The folder `${file:…}` reads from; undefined refuses file references. */
  SECRET_FILES_DIR?: string | undefined;
  /** The names each workspace's connections may reference, by workspace. */
  SECRET_REFERENCES: Readonly<Record<string, readonly string[]>>;
  /** Variables never readable, whatever their prefix: the service's own settings. */
  protectedVariables: ReadonlySet<string>;
  env: NodeJS.ProcessEnv;
}

/** Reads the references of one workspace's connections. */
export interface SecretReferenceReader {
  /** The value a reference stands for; throws SecretReferenceError. Text that is no reference is returned as it is. */
  resolve(text: string): string;
}

export interface SecretReferences {
  /**
   * The reader for the connections of a workspace (null: none, every reference refused): the names
   * SECRET_REFERENCES allows it, and `granted` (the provisioning file's).
   */
  forWorkspace(workspace: string | null, granted?: readonly string[]): SecretReferenceReader;
}

/** Whether one of the patterns allows this name of this kind. */
function allows(patterns: readonly string[], kind: string, name: string): boolean {
  return patterns.some((pattern) => {
    const [, patternKind, start = '', star] = PATTERN.exec(pattern) ?? [];
    return patternKind === kind && (star ? name.startsWith(start) : name === start);
  });
}

export function secretReferences(rules: SecretReferenceRules): SecretReferences {
  const unreadable = () => new SecretReferenceError(UNREADABLE_REFERENCE);

  function readVariable(name: string, allowed: boolean): string {
    if (!VARIABLE_NAME.test(name)) throw new SecretReferenceError(`"${name}" is not an environment variable name`);
    const readable = allowed && !rules.protectedVariables.has(name) && name.startsWith(rules.SECRET_ENV_PREFIX);
    const value = readable ? rules.env[name] : undefined;
    if (value === undefined || value === '') throw unreadable();
    return value;
  }

  /** The path of a file the folder holds (a link may lead deeper into it, never out), or undefined. */
  function fileIn(folder: string, name: string): string | undefined {
    try {
      const path = realpathSync(join(folder, name));
      // Kubernetes mounts each key as a link into a hidden folder beside it.
      const inside = path.startsWith(`${realpathSync(folder)}${sep}`);
      return inside && lstatSync(path).isFile() && lstatSync(path).size <= MAX_FILE_BYTES ? path : undefined;
    } catch {
      return undefined;
    }
  }

  function readFile(name: string, allowed: boolean): string {
    const folder = rules.SECRET_FILES_DIR;
    if (folder === undefined) {
      throw new SecretReferenceError('names a file, but SECRET_FILES_DIR is not set: file references are off');
    }
    if (!FILE_NAME.test(name) || name.includes('..')) {
      throw new SecretReferenceError('must name a file directly inside SECRET_FILES_DIR (no / or ..)');
    }
    const path = allowed ? fileIn(folder, name) : undefined;
    if (path === undefined) throw unreadable();
    // Files written by hand or by tools often end with a line break that is not part of the secret.
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  }

  return {
    forWorkspace(workspace, granted = []) {
      const configured =
        workspace !== null && Object.hasOwn(rules.SECRET_REFERENCES, workspace)
          ? rules.SECRET_REFERENCES[workspace]
          : [];
      const patterns = workspace === null ? [] : [...(configured ?? []), ...granted];
      return {
        resolve(text) {
          const match = REFERENCE.exec(text);
          if (!match) return text;
          const [, kind = '', name = ''] = match;
          const allowed = allows(patterns, kind, name);
          return kind === 'env' ? readVariable(name, allowed) : readFile(name, allowed);
        },
      };
    },
  };
}
