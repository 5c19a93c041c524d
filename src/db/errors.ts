/** Telling database failures apart: the store is out of reach, or something else went wrong in it. */

/** Prisma's codes, and its driver adapters' kinds, for a database it cannot reach or that stopped answering. */
const UNAVAILABLE_CODES = new Set([
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
/** Network failures on the way to the database, as Node names them. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** PostgreSQL's: connection exceptions (class 08), shutting down or starting up (57P01-03), too many clients. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

type Described = { name?: unknown; message?: unknown; code?: unknown; cause?: unknown; meta?: unknown };

/** The codes an error and the errors it wraps carry (Prisma wraps the driver's, which wraps the server's). */
function codesOf(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 3) return [];
  const { code, cause, meta } = error as Described & { kind?: unknown; originalCode?: unknown };
  const own = [code, (error as { kind?: unknown }).kind, (error as { originalCode?: unknown }).originalCode];
  const adapterError = (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  return [
    ...own.filter((value): value is string => typeof value === 'string'),
    ...codesOf(cause, depth + 1),
    ...codesOf(adapterError, depth + 1),
  ];
}

/**
 * Whether the database is out of reach (down, restarting, refusing or dropping
 * connections) rather than the request being wrong: worth retrying in a moment.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const codes = codesOf(error);
  if (codes.some((code) => UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) {
    return true;
  }
  // node-postgres's own words when the server drops a connection, or does not answer in time.
  return /^(Connection terminated|timeout exceeded when trying to connect)|Query read timeout/.test(
    String((error as Described).message),
  );
}

/**
 * Whether a write broke a unique index: Prisma's P2002 for its own queries; for a statement written
 * by hand, the driver's kind of error (PostgreSQL's 23505).
 */
export const isUniqueViolation = (error: unknown): boolean =>
  codesOf(error).some((code) => code === 'P2002' || code === 'UniqueConstraintViolation');

/** Whether an error came from the database or its driver (Prisma's errors carry the client version). */
export function isDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  return 'clientVersion' in error || (error as Described).name === 'DriverAdapterError' || isDatabaseUnavailable(error);
}

/** The GraphQL error code for it (REST: 503 `database_unavailable`). */
export const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';

/** What clients are told to wait before retrying while the database is unavailable, in seconds. */
export const RETRY_AFTER_SECONDS = 2;
