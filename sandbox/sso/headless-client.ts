import { createHash, randomBytes } from 'node:crypto';

/**
 * Obtains access tokens from an OpenID provider the way real clients do, without a
 * browser: the authorization-code + PKCE flow is driven by following the issuer's
 * redirects and posting its login form; service clients use client credentials.
 * Used by `npm run token` and the tests.
 */
interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  id_token?: string;
}

async function discover(issuer: string): Promise<Discovery> {
  const res = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
  if (!res.ok) throw new Error(`discovery failed: HTTP ${res.status}`);
  return (await res.json()) as Discovery;
}

/** A minimal cookie jar: the login flow needs the issuer's interaction cookies sent back. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface LoginOptions {
  issuer: string;
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
  scope: string;
  resource?: string;
}

export async function loginWithPassword(options: LoginOptions): Promise<TokenResponse> {
  const { authorization_endpoint: authEndpoint, token_endpoint: tokenEndpoint } = await discover(options.issuer);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const auth = new URL(authEndpoint);
  auth.search = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    redirect_uri: options.redirectUri,
    scope: options.scope,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.resource ? { resource: options.resource } : {}),
  }).toString();

  const jar = new CookieJar();
  let url = auth.toString();
  let posted = false;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(res);
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.toString().startsWith(options.redirectUri)) return exchangeCode(tokenEndpoint, next, state, verifier, options);
      url = next.toString();
      continue;
    }
    if (res.status !== 200 || posted) throw new Error(`sign-in failed: HTTP ${res.status}`);
    // The login form: post the credentials to its action.
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error('sign-in failed: no login form');
    const post = await fetch(new URL(action.replaceAll('&amp;', '&'), url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: options.username, password: options.password }),
    });
    jar.store(post);
    posted = true;
    const after = post.headers.get('location');
    if (!after) throw new Error(post.status === 401 ? 'sign-in failed: wrong username or password' : `sign-in failed: HTTP ${post.status}`);
    url = new URL(after, url).toString();
  }
  throw new Error('sign-in failed: too many redirects');
}

async function exchangeCode(tokenEndpoint: string, callback: URL, state: string, verifier: string, options: LoginOptions): Promise<TokenResponse> {
  const error = callback.searchParams.get('error');
  if (error) throw new Error(`sign-in refused: ${error}`);
  if (callback.searchParams.get('state') !== state) throw new Error('sign-in failed: state mismatch');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error('sign-in failed: no code');
  return tokenRequest(tokenEndpoint, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: options.redirectUri,
    client_id: options.clientId,
    code_verifier: verifier,
    ...(options.resource ? { resource: options.resource } : {}),
  });
}

export async function clientCredentials(options: { issuer: string; clientId: string; clientSecret: string; scope: string; resource?: string }): Promise<TokenResponse> {
  const { token_endpoint: tokenEndpoint } = await discover(options.issuer);
  const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64');
  return tokenRequest(tokenEndpoint, { grant_type: 'client_credentials', scope: options.scope, ...(options.resource ? { resource: options.resource } : {}) }, { authorization: `Basic ${basic}` });
}

async function tokenRequest(endpoint: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenResponse> {
  const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params) });
  const body = (await res.json()) as TokenResponse & { error?: string; error_description?: string };
  if (!res.ok) throw new Error(`token request refused: ${body.error ?? res.status}${body.error_description ? ` (${body.error_description})` : ''}`);
  return body;
}
