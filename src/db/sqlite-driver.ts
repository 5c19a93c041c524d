/**
 * better-sqlite3, in the build that the running Node.js can run.
 *
 * Version 12 wraps its databases and statements in Node's own ObjectWrap, whose destructor aborts
 * the process on Node.js 24.19 and later when the garbage collector frees a statement
 * (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook; WiseLibs/better-sqlite3#1515).
 * Version 13 moved to Node-API, which fixes that, but needs Node.js 22 (on Node.js 20 it crashes).
 * Both are installed, 13 under the alias better-sqlite3-napi; the Node.js major picks one.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);
const NODE_API_BUILD = Number(process.versions.node.split('.')[0]) >= 22;

let loaded: typeof BetterSqlite3 | undefined;

/**
 * The Database class every part of this code opens SQLite files with, loaded on first use: a
 * service on PostgreSQL that tests no SQLite file never loads the addon (about 2 MB of memory).
 */
export function sqliteDatabase(): typeof BetterSqlite3 {
  loaded ??= require(NODE_API_BUILD ? 'better-sqlite3-napi' : 'better-sqlite3') as typeof BetterSqlite3;
  return loaded;
}

/**
 * Options for Prisma's better-sqlite3 adapter, which imports version 12 itself. Version 12's
 * Database takes `nativeBinding`, the compiled addon it drives; given one whose Database is a
 * version 13 database, every call the adapter makes (prepare, exec, close, defaultSafeIntegers,
 * then the statements' own methods) goes to version 13, and version 12's addon is never loaded.
 */
export const adapterDriverOptions: Pick<BetterSqlite3.Options, 'nativeBinding'> = NODE_API_BUILD
  ? {
      // Its types say a path; its code takes the addon itself too.
      nativeBinding: {
        isInitialized: true,
        Database: function openWithNodeApiBuild(
          filename: string,
          _filenameGiven: string,
          _anonymous: boolean,
          readonly: boolean,
          fileMustExist: boolean,
          timeout: number,
        ) {
          // A constructor that returns an object: `new` gives that object.
          const Sqlite = sqliteDatabase();
          return new Sqlite(filename, { readonly, fileMustExist, timeout });
        },
      } as unknown as string,
    }
  : {};
