/**
 * Where a SQLite or DuckDB connection's file is, and whether the service may open it: only inside
 * FILE_DATABASES_DIR, by an absolute path without `..`, never through a link that leads out, and
 * never created. Checked when a connection is written and again each time the file is opened.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';

/** Why a file database's URI cannot be opened; the message names no more than the URI already does. */
export class FileDatabaseError extends Error {}

/** The path a URI names, as SQLAlchemy reads it: `sqlite:////abs/file.db` is /abs/file.db. */
export function filePathOf(uri: string): string {
  const afterScheme = uri.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const path = afterScheme.split(/[?#]/, 1)[0] ?? '';
  if (!path.startsWith('/')) {
    throw new FileDatabaseError(
      'must name its file by an absolute path, after ://, with nothing between (sqlite:////srv/data/file.db)',
    );
  }
  try {
    return decodeURIComponent(path.slice(1));
  } catch {
    throw new FileDatabaseError('holds a path that is not valid percent-encoding');
  }
}

const inside = (path: string, folder: string) => path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);

/** The path with every link followed: the file's own, or, for a file not there yet, its folder's. */
function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      throw new FileDatabaseError('names a file in a folder that does not exist');
    }
  }
}

/**
 * The real path of the file, once it is inside the folder (the folder itself resolved, links
 * followed). A file not there yet is checked by its folder: it may appear later, the service never creates it.
 */
export function checkedFilePath(path: string, folder: string | undefined): string {
  if (folder === undefined) throw new FileDatabaseError('names a file, but FILE_DATABASES_DIR is not set');
  // A NUL ends the path where the file system's calls read it: the file opened would not be the one checked.
  if (/\p{Cc}/u.test(path)) throw new FileDatabaseError('must not hold control characters in its path');
  if (!isAbsolute(path) || path.split('/').includes('..') || normalize(path) !== path) {
    throw new FileDatabaseError('must name its file by an absolute path without . or .. segments');
  }
  const root = realpathSync(folder);
  const real = realPathOf(path);
  if (!inside(real, root)) throw new FileDatabaseError(`names a file outside FILE_DATABASES_DIR (${folder})`);
  if (statSync(real, { throwIfNoEntry: false })?.isFile() === false) {
    throw new FileDatabaseError('names something that is not a file');
  }
  return real;
}
