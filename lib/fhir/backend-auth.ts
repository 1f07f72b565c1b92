import { randomUUID } from 'node:crypto';
import { SignJWT, type CryptoKey, type JWK, importJWK } from 'jose';
import { FhirError } from './client-error.ts';

/**
 * SMART Backend Services (SMART App Launch, "Backend Services"): the client proves
 * itself with a short-lived JWT signed by its private key (`private_key_jwt`), gets an
 * access token by client credentials, and keeps it until shortly before it expires.
 */
export interface BackendServicesOptions {
  clientId: string;
  /** The private key, as a JWK (with `d`) or an imported key. */
  privateKey: JWK | CryptoKey;
  keyId: string;
  alg: 'RS384' | 'ES384';
  scope: string;
  /** Token endpoint; found through `<fhirBaseUrl>/.well-known/smart-configuration` when absent. */
  tokenUrl?: string;
  fhirBaseUrl: string;
  timeoutMs?: number;
  /** Observes token requests (tests, metrics). */
  onTokenRequest?: () => void;
}

export interface BackendServicesAuth {
  /** A valid access token, from the cache when it has more than 30 s left. */
  token(): Promise<string>;
  /** Forgets the cached token (after a 401). */
  reset(): void;
}

export function createBackendServicesAuth(options: BackendServicesOptions): BackendServicesAuth {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  let tokenUrl = options.tokenUrl;
  const timeout = () => AbortSignal.timeout(options.timeoutMs ?? 10_000);

  async function endpoint(): Promise<string> {
    if (tokenUrl) return tokenUrl;
    const base = options.fhirBaseUrl.replace(/\/$/, '');
    const res = await fetch(`${base}/.well-known/smart-configuration`, { headers: { accept: 'application/json' }, signal: timeout() });
    const body = (await res.json().catch(() => ({}))) as { token_endpoint?: string };
    if (!res.ok || !body.token_endpoint) throw new FhirError('SMART configuration has no token endpoint', res.status);
    tokenUrl = body.token_endpoint;
    return tokenUrl;
  }

  async function fetchToken(): Promise<string> {
    const url = await endpoint();
    const key = 'kty' in options.privateKey ? await importJWK(options.privateKey, options.alg) : options.privateKey;
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: options.alg, kid: options.keyId, typ: 'JWT' })
      .setIssuer(options.clientId)
      .setSubject(options.clientId)
      .setAudience(url)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
    options.onTokenRequest?.();
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: options.scope,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
        signal: timeout(),
      });
    } catch (err) {
      throw new FhirError('token endpoint unreachable', 0, (err as Error).name === 'TimeoutError');
    }
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!res.ok || !body.access_token) throw new FhirError('token endpoint refused the client', res.status);
    cached = { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 300) * 1000 };
    return body.access_token;
  }

  return {
    async token() {
      if (cached && cached.expiresAt - Date.now() > 30_000) return cached.token;
      // One token request at a time, however many FHIR calls wait for it.
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    reset() {
      cached = undefined;
    },
  };
}
