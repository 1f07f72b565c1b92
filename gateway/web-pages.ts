import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WEB_DIST } from '../web/build.ts';

export interface WebPagesOptions {
  /** OpenID issuer the pages sign in with. */
  issuer: string;
  /** The browser client registered at the issuer. */
  clientId: string;
}

const ASSETS: Record<string, string> = {
  'graphiql.js': 'text/javascript',
  'graphiql.css': 'text/css',
  'portal.js': 'text/javascript',
  'portal.css': 'text/css',
};

/**
 * The browser pages the gateway serves: GraphiQL (`/`, and `/graphql` for a browser) and
 * the patient portal (`/portal`), built by `npm run build:web` from npm packages (no CDN).
 * Every page carries a strict Content-Security-Policy; tokens live in page memory only.
 */
export function webPages(options: WebPagesOptions) {
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(ASSETS)) {
    try {
      assets.set(name, readFileSync(path.join(WEB_DIST, name)));
    } catch {
      throw new TypeError(`web page asset ${name} is missing: run \`npm run build:web\``);
    }
  }
  const issuerOrigin = new URL(options.issuer).origin;
  const headers = {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      // GraphiQL positions its panes with style attributes.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      `connect-src 'self' ${issuerOrigin}`,
      `form-action 'self' ${issuerOrigin}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
  // Page configuration travels as a JSON data block: no inline script for the CSP to allow.
  const config = JSON.stringify({ issuer: options.issuer, clientId: options.clientId, graphqlPath: '/graphql' }).replaceAll('<', '\\u003c');
  const page = (title: string, entry: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>` +
    `<link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/${entry}.css"><script type="application/json" id="page-config">${config}</script>` +
    `<script type="module" src="/assets/${entry}.js"></script></head><body>${body}</body></html>`;
  const pages: Record<string, string> = {
    graphiql: page('FHIR patient graph · GraphiQL', 'graphiql', '<div id="root"></div>'),
    portal: page('Your health records', 'portal', '<main id="app"></main>'),
  };

  /** Answers a browser page request; false when the request is not for a page. */
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = new URL(req.url ?? '/', 'http://x');
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    let body: Buffer | string | undefined;
    let type = 'text/html; charset=utf-8';
    if (url.pathname === '/' || (url.pathname === '/graphql' && wantsHtml && !url.searchParams.has('query'))) body = pages['graphiql'];
    else if (url.pathname === '/portal') body = pages['portal'];
    else if (url.pathname.startsWith('/assets/')) {
      const name = url.pathname.slice('/assets/'.length);
      body = assets.get(name);
      type = `${ASSETS[name]}; charset=utf-8`;
    }
    if (body === undefined) return false;
    res.writeHead(200, { ...headers, 'content-type': type, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
