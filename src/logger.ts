/**
 * Structured JSON logs (pino) on stdout. Every line passes through a scrubber
 * first, so no connection URI password, bearer token or API key reaches a log
 * line, whatever a library put in an error message.
 */
import { pino } from 'pino';
import { maskConnectionUri } from './secrets/uri-secrets.ts';

export type Logger = pino.Logger;

// A URI with a scheme, as it may appear inside any text.
const URI_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
const BEARER = /\b(Bearer\s+)\S+/gi;
const API_KEY = /\bdcapi_[A-Za-z0-9_-]+/g;

// Whether a text may hold any of the above: most log values hold none, and one test is cheaper than three replaces.
const MAY_HOLD_SECRET = /:\/\/|bearer|dcapi_/i;

export function scrub(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return text.replace(URI_IN_TEXT, maskConnectionUri).replace(BEARER, '$1[redacted]').replace(API_KEY, '[redacted]');
}

function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
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
