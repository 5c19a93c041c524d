/**
 * A real OpenID Connect provider for the tests (the certified `oidc-provider` package) on a loopback
 * port: clients get access tokens by the client-credentials grant (browser clients by the
 * authorization-code flow with PKCE, through its own sign-in page), as JWTs signed with the keys
 * it publishes, the grants of each client in the `dcapi_grants` claim. Started again on the same port
 * with other keys, it stands for a key rotation at the provider.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type ClientMetadata } from 'oidc-provider';

export const AUDIENCE = 'https://dcapi.example';

export interface TestClient {
  id: string;
  /** Its `dcapi_grants` claim. */
  grants: string[];
  /** Its `groups` claim. */
  groups?: string[];
}

export interface SigningKey {
  /** The private key as a JWK, with its kid: what the provider signs with, and a test may sign with too. */
  jwk: JWK & { kid: string };
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } };
}

export interface RunningProvider {
  issuer: string;
  /** An access token for the client, for this resource (audience). */
  token(client: string, resource?: string): Promise<string>;
  close(): Promise<void>;
}

/** A public client signing people in with the authorization-code flow and PKCE (a browser app). */
export interface BrowserClient extends TestClient {
  redirectUri: string;
}

export async function startProvider(
  clients: TestClient[],
  keys: SigningKey[],
  port = 0,
  browserClients: BrowserClient[] = [],
): Promise<RunningProvider> {
  const clientOf = new Map([...clients, ...browserClients].map((client) => [client.id, client]));
  const build = (issuer: string) =>
    new Provider(issuer, {
      clients: [
        ...clients.map(
          (client): ClientMetadata => ({
            client_id: client.id,
            client_secret: `secret-${client.id}`,
            grant_types: ['client_credentials'],
            redirect_uris: [],
            response_types: [],
            token_endpoint_auth_method: 'client_secret_post',
          }),
        ),
        ...browserClients.map(
          (client): ClientMetadata => ({
            client_id: client.id,
            grant_types: ['authorization_code'],
            redirect_uris: [client.redirectUri],
            response_types: ['code'],
            token_endpoint_auth_method: 'none',
          }),
        ),
      ],
      jwks: { keys: keys.map((key) => key.jwk) },
      features: {
        // Its own sign-in and consent pages (any login), for browser clients.
        devInteractions: { enabled: browserClients.length > 0 },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resource) => ({
            scope: 'api',
            audience: resource,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      ttl: { ClientCredentials: 600 },
      extraTokenClaims: (_ctx, token) => {
        const client = clientOf.get((token as { clientId?: string }).clientId ?? '');
        return { dcapi_grants: client?.grants ?? [], ...(client?.groups && { groups: client.groups }) };
      },
    });
  // The issuer names the port, known once listening: listen first, then serve the provider.
  let serve: ReturnType<Provider['callback']> | undefined;
  const server = createServer((request, response) => serve?.(request, response));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  serve = build(issuer).callback();
  return {
    issuer,
    async token(client, resource = AUDIENCE) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client,
          client_secret: `secret-${client}`,
          resource,
          scope: 'api',
        }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`the provider gave no token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
