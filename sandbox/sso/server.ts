import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { readBody } from '../../lib/http/respond.ts';
import { checkPassword, findAccountBySub, type DemoAccount } from './accounts.ts';
import { escapeHtml } from './provider.ts';
import { DEVELOPER_SCOPE } from './scopes.ts';

/**
 * HTTP handler of the sign-on server: the project's own login step under
 * `/interaction/:uid`, and oidc-provider for everything else.
 */
export function ssoHandler(provider: Provider, audience: string, clientOrigins: readonly string[]) {
  const oidc = provider.callback();
  // A login form's post is followed by redirects back to the client: CSP form-action covers those too.
  const headers = { ...PAGE_HEADERS, 'content-security-policy': PAGE_HEADERS['content-security-policy'].replace("form-action 'self'", `form-action 'self' ${clientOrigins.join(' ')}`) };
  const sendPage = (res: ServerResponse, status: number, html: string): void => void res.writeHead(status, headers).end(html);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) return oidc(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== match[1]) return sendPage(res, 400, errorPage('This sign-in link is not valid.'));
      const clientId = String(details.params['client_id'] ?? '');
      const scope = String(details.params['scope'] ?? '');
      if (details.prompt.name === 'consent' && details.session?.accountId) {
        // Signed in already (the session cookie): first-party clients need no consent screen.
        const account = findAccountBySub(details.session.accountId);
        if (!account) return sendPage(res, 400, errorPage('Unknown account.'));
        const grantId = await grantFor(provider, account, clientId, scope, audience, details.grantId);
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      if (req.method === 'GET') return sendPage(res, 200, loginPage(details.uid, clientId));
      if (req.method !== 'POST' || !match[2]) return sendPage(res, 405, errorPage('Method not allowed.'));
      const form = new URLSearchParams((await readBody(req, 10_000)) ?? '');
      const account = checkPassword(form.get('username') ?? '', form.get('password') ?? '');
      if (!account) return sendPage(res, 401, loginPage(details.uid, clientId, 'Wrong username or password.'));
      const grantId = await grantFor(provider, account, clientId, scope, audience, details.grantId);
      await provider.interactionFinished(req, res, { login: { accountId: account.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch {
      // An expired or unknown interaction: start again from the application.
      return sendPage(res, 400, errorPage('This sign-in session has expired. Go back to the application and sign in again.'));
    }
  };
}

/**
 * First-party clients need no consent screen, but what an account may be granted is
 * decided here: patients get `patient/` scopes, practitioners `user/` scopes, whatever
 * the client asked for beyond that is dropped.
 */
async function grantFor(provider: Provider, account: DemoAccount, clientId: string, requested: string, audience: string, existing?: string): Promise<string> {
  const grant = (existing && (await provider.Grant.find(existing))) || new provider.Grant({ accountId: account.sub, clientId });
  const scopes = requested.split(' ').filter(Boolean);
  const isOidc = (s: string) => ['openid', 'fhirUser', 'profile', 'offline_access'].includes(s);
  const prefix = account.role === 'patient' ? 'patient/' : 'user/';
  const allowed = (s: string) => s.startsWith(prefix) || (account.role === 'practitioner' && s === DEVELOPER_SCOPE);
  const oidcScopes = scopes.filter(isOidc);
  const resourceScopes = scopes.filter((s) => !isOidc(s) && allowed(s));
  const refused = scopes.filter((s) => !isOidc(s) && !allowed(s));
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
  if (resourceScopes.length) grant.addResourceScope(audience, resourceScopes.join(' '));
  // Recorded as rejected so the issuer leaves them out instead of prompting again.
  if (refused.length) grant.rejectResourceScope(audience, refused.join(' '));
  return grant.save();
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const style = `body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#a00}`;

function loginPage(uid: string, clientId: string, error?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign in</title><style>${style}</style></head><body>
<h1>Sign in</h1><p>to continue to <strong>${escapeHtml(clientId)}</strong></p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form></body></html>`;
}

function errorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title><style>${style}</style></head><body><h1>Sign-in error</h1><p>${escapeHtml(message)}</p></body></html>`;
}
