/**
 * Removes secrets from any text: the secrets of every URI in it, bearer tokens
 * and API keys. The logger runs every line through it, and so do error
 * messages that quote a driver or graphql-js.
 */
import { maskConnectionUri } from './uri-secrets.ts';

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
