import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { BROWSER_CLIENT_ID, demoServiceClients, findAccountBySub } from './accounts.ts';
import type { IssuerSecrets } from './keys.ts';
import { smartScopes } from './scopes.ts';

export interface IssuerOptions {
  /** Public issuer URL (`iss`). */
  issuer: string;
  /** Resource indicator of the API: the `aud` of every access token. */
  audience: string;
  /** Redirect URIs registered for the browser client. */
  redirectUris: string[];
  secrets: IssuerSecrets;
  accessTokenTtlSec?: number;
}

/**
 * oidc-provider configured as the embedded sign-on server: authorization code + PKCE
 * for the browser client, client credentials for the analytics client, and RFC 9068
 * JWT access tokens (RS256, `typ: at+jwt`) for the API, with SMART scopes and `fhirUser`.
 */
export function createIssuer(options: IssuerOptions): Provider {
  const ttl = options.accessTokenTtlSec ?? 3600;
  const configuration: Configuration = {
    clients: [
      {
        client_id: BROWSER_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.redirectUris,
      },
      ...demoServiceClients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic' as const,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    jwks: options.secrets.jwks as Configuration['jwks'],
    cookies: { keys: options.secrets.cookieKeys },
    scopes: ['openid', 'fhirUser', 'profile', 'offline_access'],
    claims: { openid: ['sub'], fhirUser: ['fhirUser'], profile: ['name'] },
    pkce: { required: () => true },
    features: {
      // The development interactions accept any password; the login step in server.ts checks them.
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContextWithOIDC, resource: string, client: { clientId: string }) => {
          if (resource !== options.audience) throw new errors.InvalidTarget();
          return {
            // Service clients may only hold system/ scopes; people patient/ or user/ ones (narrowed per account at login).
            scope: (client.clientId === BROWSER_CLIENT_ID ? [...smartScopes('patient'), ...smartScopes('user')] : smartScopes('system')).join(' '),
            audience: options.audience,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = findAccountBySub(sub);
      if (!account) return undefined;
      return {
        accountId: account.sub,
        claims: () => ({ sub: account.sub, fhirUser: account.fhirUser, name: account.displayName }),
      };
    },
    async extraTokenClaims(_ctx, token) {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const account = typeof accountId === 'string' ? findAccountBySub(accountId) : undefined;
      if (!account) return undefined;
      return { fhirUser: account.fhirUser, ...(account.organization ? { organization: account.organization } : {}) };
    },
    ttl: { IdToken: 3600, AccessToken: ttl, ClientCredentials: ttl, Session: 8 * 3600, Interaction: 600, Grant: 8 * 3600, AuthorizationCode: 60, RefreshToken: 8 * 3600 },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><meta charset="utf-8"><title>Sign-on error</title><h1>Sign-on error</h1><p>${escapeHtml(String(out['error_description'] ?? out['error'] ?? 'error'))}</p>`;
    },
  };
  const provider = new Provider(options.issuer, configuration);
  // The issuer runs on plain HTTP on localhost in the embedded default.
  provider.proxy = false;
  return provider;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
