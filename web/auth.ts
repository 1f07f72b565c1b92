/**
 * Browser sign-on for the graph's pages: authorization code + PKCE against the OpenID
 * provider, with the access token kept in memory only (never in storage or the URL).
 * Only the PKCE verifier waits in sessionStorage across the redirect, and is removed
 * as soon as the code is exchanged.
 */
export interface PageConfig {
  issuer: string;
  clientId: string;
  graphqlPath: string;
}

export interface Session {
  accessToken: string;
  /** `fhirUser` (Person/… or Practitioner/…) or the subject. */
  who: string;
  scope: string;
  idToken: string | undefined;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

let session: Session | undefined;
let discovery: Promise<Discovery> | undefined;

export function pageConfig(): PageConfig {
  const el = document.getElementById('page-config');
  return JSON.parse(el?.textContent ?? '{}') as PageConfig;
}

function discover(issuer: string): Promise<Discovery> {
  discovery ??= fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`).then((r) => {
    if (!r.ok) throw new Error('The sign-on server cannot be reached');
    return r.json() as Promise<Discovery>;
  });
  return discovery;
}

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = () => `${location.origin}${location.pathname}`;

export function currentSession(): Session | undefined {
  return session;
}

/** Sends the browser to the sign-on server; it comes back to this page with a code. */
export async function signIn(config: PageConfig, scope: string): Promise<void> {
  const d = await discover(config.issuer);
  const verifier = random();
  const state = random();
  sessionStorage.setItem(`pkce:${state}`, verifier);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const url = new URL(d.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: config.clientId, response_type: 'code', redirect_uri: redirectUri(), scope, state,
    code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On return from the sign-on server: exchanges the code and removes it from the address bar. */
export async function completeSignIn(config: PageConfig): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const state = params.get('state');
  const error = params.get('error');
  if (!code && !error) return undefined;
  history.replaceState(null, '', location.pathname);
  if (error) throw new Error(`Sign-in was refused (${error})`);
  const verifier = state ? sessionStorage.getItem(`pkce:${state}`) : null;
  if (state) sessionStorage.removeItem(`pkce:${state}`);
  if (!verifier) throw new Error('This sign-in did not start here; please sign in again');
  const d = await discover(config.issuer);
  const res = await fetch(d.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: code as string, redirect_uri: redirectUri(), client_id: config.clientId, code_verifier: verifier }),
  });
  const body = (await res.json()) as { access_token?: string; id_token?: string; scope?: string; error?: string };
  if (!res.ok || !body.access_token) throw new Error(`Sign-in failed (${body.error ?? res.status})`);
  const claims = JSON.parse(atob(body.access_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sub: string; fhirUser?: string; scope?: string };
  session = { accessToken: body.access_token, who: claims.fhirUser ?? claims.sub, scope: claims.scope ?? '', idToken: body.id_token };
  return session;
}

/** Forgets the token and ends the session at the sign-on server. */
export async function signOut(config: PageConfig): Promise<void> {
  const idToken = session?.idToken;
  session = undefined;
  const d = await discover(config.issuer);
  if (!d.end_session_endpoint) return location.assign(redirectUri());
  const url = new URL(d.end_session_endpoint);
  url.search = new URLSearchParams({ client_id: config.clientId, post_logout_redirect_uri: redirectUri(), ...(idToken ? { id_token_hint: idToken } : {}) }).toString();
  location.assign(url.toString());
}

/** POSTs a GraphQL operation with the in-memory token. */
export async function graphql<T>(config: PageConfig, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] }> {
  const res = await fetch(config.graphqlPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(session ? { authorization: `Bearer ${session.accessToken}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}
