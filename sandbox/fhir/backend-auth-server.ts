import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { readBody, sendJson } from '../../lib/http/respond.ts';

/**
 * A sandbox hospital's SMART Backend Services authorization: a token endpoint that takes
 * client credentials with a `private_key_jwt` assertion from one registered client, and
 * the check that every FHIR request carries a token it issued.
 */
export interface BackendAuthServerOptions {
  clientId: string;
  publicKey: JWK;
  /** Public URL of the token endpoint: the assertion's required `aud`. */
  tokenUrl: string;
  tokenLifetimeSec?: number;
}

export function backendAuthServer(options: BackendAuthServerOptions) {
  const keys = createLocalJWKSet({ keys: [options.publicKey] });
  const tokens = new Map<string, number>();
  const seenJti = new Set<string>();
  const lifetime = options.tokenLifetimeSec ?? 300;

  return {
    smartConfiguration: (res: ServerResponse) =>
      sendJson(res, 200, { token_endpoint: options.tokenUrl, token_endpoint_auth_methods_supported: ['private_key_jwt'], grant_types_supported: ['client_credentials'], scopes_supported: ['system/*.rs', 'system/*.read'] }),

    async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const form = new URLSearchParams((await readBody(req, 20_000)) ?? '');
      const refuse = (error: string) => sendJson(res, error === 'invalid_client' ? 401 : 400, { error });
      if (form.get('grant_type') !== 'client_credentials') return refuse('unsupported_grant_type');
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return refuse('invalid_client');
      try {
        const { payload } = await jwtVerify(form.get('client_assertion') ?? '', keys, {
          issuer: options.clientId, subject: options.clientId, audience: options.tokenUrl, algorithms: ['RS384', 'ES384'], maxTokenAge: '5m', requiredClaims: ['jti', 'exp'],
        });
        // An assertion is good for one token only.
        if (seenJti.has(payload.jti as string)) return refuse('invalid_client');
        seenJti.add(payload.jti as string);
      } catch {
        return refuse('invalid_client');
      }
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, Date.now() + lifetime * 1000);
      sendJson(res, 200, { access_token: token, token_type: 'bearer', expires_in: lifetime, scope: form.get('scope') ?? 'system/*.rs' });
    },

    /** Is the request's bearer token one this server issued and still valid? */
    authorized(req: IncomingMessage): boolean {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const expiresAt = token ? tokens.get(token) : undefined;
      return expiresAt !== undefined && expiresAt > Date.now();
    },
  };
}
