/**
 * Sign-in with an OpenID Connect provider: a bearer access token that is a JWT is verified with
 * jose against the keys the issuer publishes (found through its discovery document; jose caches
 * them and fetches them again when a token names a key it has not seen, at most once per
 * cooldown). Issuer, audience, expiry and the algorithm are checked; the grants come from a claim.
 */
import type { createRemoteJWKSet, JWTPayload } from 'jose';
import type { Logger } from '../logger.ts';
import type { Principal } from './api-keys.ts';
import { Access, type Grant, grantsOfStrings } from './grants.ts';

export interface OidcSettings {
  issuer: string;
  audience: string;
  /** The claim that lists the grants as `workspace:scope` strings. */
  grantsClaim: string;
  /** The least time between two fetches of the issuer's keys, in seconds. */
  jwksCooldownS: number;
  /** The claim that lists the caller's groups, and the grants each group gives (OIDC_GROUP_GRANTS). */
  groupsClaim: string;
  groupGrants: Record<string, Grant[]>;
}

/** Asymmetric algorithms only: a token signed with a shared secret (HS256) or none is refused. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const DISCOVERY_TIMEOUT_MS = 5_000;

export type TokenVerifier = (token: string) => Promise<Principal | undefined>;

/** The issuer's published keys, found through its discovery document on first use (retried after a failure). */
function issuerKeys({ issuer, jwksCooldownS }: OidcSettings) {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  async function discover() {
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== issuer)
      throw new Error(`${url} names the issuer ${String(document.issuer)}, not ${issuer}`);
    if (typeof document.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
    // jose is loaded only where tokens are verified: a service without OIDC_ISSUER spares its memory.
    const { createRemoteJWKSet } = await import('jose');
    return createRemoteJWKSet(new URL(document.jwks_uri), {
      cooldownDuration: jwksCooldownS * 1000,
      timeoutDuration: DISCOVERY_TIMEOUT_MS,
    });
  }
  return () => {
    keys ??= discover().catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    return keys;
  };
}

/**
 * The token's subject: as OpenID Connect defines it, a string of at most 255 characters (here also
 * without control characters). It names the caller in the audit trail; a number or an object there
 * is no subject, and the token is refused.
 */
function subjectOf(payload: JWTPayload): string {
  const { sub } = payload as { sub?: unknown };
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255 || /\p{Cc}/u.test(sub)) {
    throw new Error('its sub claim is not a string of 1 to 255 characters without control characters');
  }
  return sub;
}

/** The strings of a claim: an array of them, or one string of them separated by spaces. */
function claimValues(payload: JWTPayload, claim: string): unknown[] {
  const value = payload[claim];
  return Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\s+/) : [];
}

/** The grants of a token: those its grants claim lists, and those its groups give. */
function grantsOf(payload: JWTPayload, { grantsClaim, groupsClaim, groupGrants }: OidcSettings): Grant[] {
  const fromGroups = claimValues(payload, groupsClaim).flatMap((group) =>
    typeof group === 'string' && Object.hasOwn(groupGrants, group) ? (groupGrants[group] ?? []) : [],
  );
  return [...grantsOfStrings(claimValues(payload, grantsClaim)), ...fromGroups];
}

/** Verifies access tokens of the issuer; answers the principal, or undefined for a token it refuses. */
export function oidcVerifier(settings: OidcSettings, logger: Logger): TokenVerifier {
  const keys = issuerKeys(settings);
  return async (token) => {
    try {
      const { jwtVerify } = await import('jose');
      const { payload } = await jwtVerify(token, await keys(), {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
      });
      const subject = subjectOf(payload);
      return {
        name: subject,
        id: `oidc:${settings.issuer}#${subject}`,
        access: new Access(grantsOf(payload, settings)),
        // Required above: what the caller holds open with the token ends then.
        expiresAt: new Date((payload.exp as number) * 1000),
      };
    } catch (error) {
      // Why a token is refused goes to the log (never the token); the caller learns only that it is.
      logger.info({ reason: (error as Error).message }, 'an identity provider token was refused');
      return undefined;
    }
  };
}
