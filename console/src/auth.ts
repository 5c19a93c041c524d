/**
 * How the console presents itself to the API: nothing in local mode; an API key the user pastes,
 * kept in this tab's session storage only; or an access token from the identity provider, got
 * with the authorization-code flow and PKCE (RFC 7636), the audience asked for as a resource
 * indicator (RFC 8707).
 */

export interface ConsoleSettings {
  signIn: boolean;
  oidc?: { issuer: string; clientId: string; scope: string; audience: string };
}

const TOKEN = 'dcapi.token';
const PENDING = 'dcapi.oidc';

export const currentToken = () => sessionStorage.getItem(TOKEN);
export const useToken = (token: string) => sessionStorage.setItem(TOKEN, token);
export const signOut = () => sessionStorage.removeItem(TOKEN);

export async function loadSettings(): Promise<ConsoleSettings> {
  const response = await fetch('/console/settings.json');
  return response.json();
}

const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = () => `${location.origin}/`;

async function discovery(issuer: string) {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`The identity provider's configuration cannot be read (${response.status}).`);
  return (await response.json()) as { authorization_endpoint: string; token_endpoint: string };
}

/** Sends the browser to the provider's sign-in page. */
export async function signInWithProvider({ issuer, clientId, scope, audience }: NonNullable<ConsoleSettings['oidc']>) {
  const { authorization_endpoint } = await discovery(issuer);
  const verifier = randomText();
  const state = randomText();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(authorization_endpoint);
  const query = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri(),
    scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: audience,
  };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  location.assign(url.toString());
}

/** Back from the provider with a code: trades it for an access token. Answers whether it did. */
export async function completeSignIn(settings: ConsoleSettings): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const pending = sessionStorage.getItem(PENDING);
  if (!settings.oidc || !code || !pending) return false;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', '/');
  const { verifier, state } = JSON.parse(pending) as { verifier: string; state: string };
  if (params.get('state') !== state) throw new Error('The sign-in came back with another state: try again.');
  const { token_endpoint } = await discovery(settings.oidc.issuer);
  const response = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: settings.oidc.clientId,
      code_verifier: verifier,
      resource: settings.oidc.audience,
    }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string; error?: string };
  if (!body.access_token) throw new Error(`The provider refused the sign-in: ${body.error_description ?? body.error}.`);
  useToken(body.access_token);
  return true;
}
