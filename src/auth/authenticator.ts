/**
 * Who is calling: the bearer token of a request is a configured API key, a key made through the
 * API, or an access token of the identity provider. With neither keys nor a provider configured
 * (local mode), a request without a token is the operator's; a token presented is still checked.
 */
import type { Logger } from '../logger.ts';
import {
  type ApiKeyEntry,
  type Authentication,
  bearerToken,
  configuredKey,
  isApiKeyToken,
  LOCAL_PRINCIPAL,
  type ManagedKeyReader,
} from './api-keys.ts';
import type { Grant } from './grants.ts';
import { type OidcSettings, oidcVerifier } from './oidc.ts';

export interface AuthenticationSettings {
  apiKeys: ApiKeyEntry[];
  oidc?: OidcSettings;
}

export type Authenticator = (authorization: string | undefined) => Promise<Authentication>;

export function createAuthenticator(
  { apiKeys, oidc }: AuthenticationSettings,
  managed: Pick<ManagedKeyReader, 'authenticate'>,
  logger: Logger,
): Authenticator {
  const verifyToken = oidc ? oidcVerifier(oidc, logger) : undefined;
  const localMode = apiKeys.length === 0 && !oidc;
  return async (authorization) => {
    const token = bearerToken(authorization);
    if (!token) return localMode ? { principal: LOCAL_PRINCIPAL } : { failure: 'missing' };
    const principal = isApiKeyToken(token)
      ? (configuredKey(token, apiKeys) ?? (await managed.authenticate(token)))
      : await verifyToken?.(token);
    return principal ? { principal } : { failure: 'invalid' };
  };
}

/** The provider's settings, when OIDC_ISSUER names one. */
export function oidcSettings(settings: {
  OIDC_ISSUER?: string;
  OIDC_AUDIENCE?: string;
  OIDC_GRANTS_CLAIM: string;
  OIDC_JWKS_COOLDOWN_S: number;
  OIDC_GROUPS_CLAIM: string;
  OIDC_GROUP_GRANTS?: Record<string, Grant[]>;
}): OidcSettings | undefined {
  const { OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience } = settings;
  if (!issuer || !audience) return undefined;
  return {
    issuer,
    audience,
    grantsClaim: settings.OIDC_GRANTS_CLAIM,
    jwksCooldownS: settings.OIDC_JWKS_COOLDOWN_S,
    groupsClaim: settings.OIDC_GROUPS_CLAIM,
    groupGrants: settings.OIDC_GROUP_GRANTS ?? {},
  };
}
