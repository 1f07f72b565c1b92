import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { BROWSER_CLIENT_ID, demoServiceClients, findAccountBySub } from './accounts.ts';
import type { IssuerSecrets } from './keys.ts';
import { DEVELOPER_SCOPE, smartScopes } from './scopes.ts';

export interface IssuerOptions {
  /** Public issuer URL (`iss`). */
  issuer: string;
  /** Resource indicator of the API: the `aud` of every access token. */
  audience: string;
  /** Redirect URIs registered for the browser client (also where it may return after sign-out). */
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
        post_logout_redirect_uris: options.redirectUris,
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
      rpInitiatedLogout: {
        enabled: true,
        // Our own page: no third-party fonts, one clear button.
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          const origins = [...new Set(options.redirectUris.map((u) => new URL(u).origin))].join(' ');
          ctx.set('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origins}; frame-ancestors 'none'`);
          ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign out</title><style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}button{padding:.6rem 1.2rem;font-size:1rem;margin-right:.5rem}</style></head><body><h1>Sign out</h1><p>Sign out of the patient graph on this device?</p>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button><button type="submit" form="op.logoutForm">Stay signed in</button></body></html>`;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContextWithOIDC, resource: string, client: { clientId: string }) => {
          if (resource !== options.audience) throw new errors.InvalidTarget();
          return {
            // Service clients may only hold system/ scopes; people patient/ or user/ ones (narrowed per account at login).
            scope: (client.clientId === BROWSER_CLIENT_ID ? [...smartScopes('patient'), ...smartScopes('user'), DEVELOPER_SCOPE] : smartScopes('system')).join(' '),
            audience: options.audience,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Browsers may call the token endpoint only from the pages the browser client returns to.
    clientBasedCORS: (_ctx, origin, client) => client.clientAuthMethod === 'none' && (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
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
