/**
 * Every connection URI that leaves the service passes through here, in REST and
 * GraphQL alike, so that how secrets in it are shown is decided in one place.
 */
export function presentConnectionUri(storedUri: string): string {
  return storedUri;
}
