/**
 * Structured JSON logs (pino) on stdout. Every line passes through the secret scrubber
 * first, so no connection URI password, bearer token or API key reaches a log
 * line, whatever a library put in an error message; and a database error is logged
 * by its kind, codes and reason only, never with the values of the query that failed.
 */
import { pino } from 'pino';
import { scrub } from './secrets/scrub.ts';

export type Logger = pino.Logger;

/** How long the service holds a log line at most before writing it (lines are written in batches). */
export const LOG_FLUSH_MS = 100;

type Described = Error & { code?: unknown; cause?: unknown; originalError?: unknown };

/** Prisma's errors carry the client's version; its driver adapters' errors are named so. */
const isDatabaseError = (error: Error) => 'clientVersion' in error || error.name === 'DriverAdapterError';

/** The error this one wraps: its cause, or (a GraphQL error) the error it located. */
const wrappedBy = ({ cause, originalError }: Described) => {
  const wrapped = cause ?? originalError;
  return wrapped instanceof Error ? (wrapped as Described) : undefined;
};

/** Whether the error, or one it wraps, came from the database. */
const wrapsDatabaseError = (error: Described | undefined, depth = 0): boolean =>
  error !== undefined && depth < 8 && (isDatabaseError(error) || wrapsDatabaseError(wrappedBy(error), depth + 1));

/** The frames of a stack, without the message it starts with (which may quote the failing call). */
const framesOf = (error: Error) =>
  error.stack
    ?.split('\n')
    .filter((line) => line.startsWith('    at '))
    .join('\n');

/**
 * An error that is or wraps a database error, as logged: each error's kind, code, reason and
 * frames. Prisma's messages render the failing call with its arguments (a whole row, ciphertext
 * included), and the database's quote values: a database error keeps the last line of its message
 * (the reason), what it quotes in double quotes left out; an error wrapping it, its own words.
 */
function withoutValues(error: Described, depth = 0): Record<string, unknown> {
  const wrapped = depth < 8 ? wrappedBy(error) : undefined;
  const inner = wrapped && withoutValues(wrapped, depth + 1);
  const message = isDatabaseError(error)
    ? (error.message.trim().split('\n').pop() ?? '').replace(/"[^"]*"/g, '"…"')
    : wrapped && inner
      ? error.message.replaceAll(wrapped.message, String(inner.message))
      : error.message;
  return {
    // Not `type`: pino names a plain object's type Object.
    kind: error.name,
    ...(typeof error.code === 'string' && { code: error.code }),
    message: scrub(message),
    stack: framesOf(error),
    // Not `cause`: pino would fold its message into this one's.
    ...(inner && { wraps: inner }),
  };
}

function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error && wrapsDatabaseError(value)) return withoutValues(value);
  if (value instanceof Error) return scrubValue(pino.stdSerializers.err(value), depth + 1);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item, depth + 1)]));
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['headers.authorization', '*.headers.authorization', 'authorization'], censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => scrubValue(arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
