import { listen, type RunningServer } from '../../lib/http/listen.ts';
import { loadIssuerSecrets } from './keys.ts';
import { createIssuer } from './provider.ts';
import { ssoHandler } from './server.ts';

export interface SsoOptions {
  port: number;
  host?: string;
  audience: string;
  redirectUris: string[];
  /** Where keys are kept across restarts; undefined keeps them in memory. */
  secretsDir?: string;
  accessTokenTtlSec?: number;
}

export interface RunningSso {
  readonly issuer: string;
  close(): Promise<void>;
}

/** Starts the embedded sign-on server; its issuer URL is its own origin. */
export async function startSso(options: SsoOptions): Promise<RunningSso> {
  const server: RunningServer = await listen(options.port, options.host);
  const issuer = server.origin;
  const provider = createIssuer({
    issuer,
    audience: options.audience,
    redirectUris: options.redirectUris,
    secrets: await loadIssuerSecrets(options.secretsDir),
    ...(options.accessTokenTtlSec ? { accessTokenTtlSec: options.accessTokenTtlSec } : {}),
  });
  // oidc-provider logs server errors through its event emitter; keep them terse and PHI-free.
  provider.on('server_error', (_ctx, err) => process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'sso server error', error: err.name })}\n`));
  server.setHandler(ssoHandler(provider, options.audience, [...new Set(options.redirectUris.map((u) => new URL(u).origin))]));
  return { issuer, close: () => server.close() };
}
