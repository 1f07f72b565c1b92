import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { unauthenticated } from '../errors.ts';
import { callerKind } from './access.ts';

/** What a verified access token tells us about the caller. Only ever built from a verified token. */
export interface Caller {
  /** Token `sub`: the account (person or practitioner) or the service client. */
  readonly subject: string;
  readonly clientId: string | undefined;
  /** Space-separated `scope` claim, split. */
  readonly scopes: readonly string[];
  /** SMART `fhirUser`, e.g. `Person/…` or `Practitioner/…`. */
  readonly fhirUser: string | undefined;
  /** A practitioner's organization (`Organization/…`), from the `organization` claim. */
  readonly organization: string | undefined;
  /** The raw token, forwarded to subgraphs and bound into grants. */
  readonly token: string;
  readonly expiresAt: number;
}

export interface AccessTokenVerifierOptions {
  /** Issuer URL; its keys are found through OpenID discovery (`jwks_uri`). */
  issuer: string;
  /** Expected `aud`. */
  audience: string;
  /** Signing algorithms accepted (RFC 8725 §3.1: an explicit allow-list). */
  algorithms?: string[];
  /** Allowed clock skew in seconds for `exp` / `nbf`. */
  clockToleranceSec?: number;
  /** Override of the key source (tests); default: the issuer's JWKS. */
  keys?: JWTVerifyGetKey;
  /**
   * Least time between two JWKS fetches for an unknown `kid` (jose's cooldown): a new key
   * of the issuer is picked up after at most this long, and a storm of made-up `kid`s
   * costs the issuer one fetch per period.
   */
  jwksCooldownMs?: number;
  /**
   * How long a verified token is remembered (ms; 0: never). Every part of a request
   * verifies the same token; remembering it saves a signature check per part per
   * request. The cost: a key the issuer withdraws still admits tokens already seen for
   * this long (never past their `exp`).
   */
  verifiedTtlMs?: number;
}

export interface AccessTokenVerifier {
  (authorization: string | undefined): Promise<Caller>;
  /** Can the issuer's keys be fetched now? (readiness) */
  keysReachable(): Promise<boolean>;
}

/** Longest token we read; anything longer is refused before parsing. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Verifies an RFC 9068 JWT access token (signature from the issuer's JWKS, `typ: at+jwt`,
 * `iss`, `aud`, `exp`, `nbf`) and returns the caller, or throws UNAUTHENTICATED.
 * The JWKS is fetched lazily and cached by jose (it refetches on an unknown `kid`,
 * rate-limited by its cooldown), so one verifier is created per process.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const algorithms = options.algorithms ?? ['RS256', 'ES256'];
  let keys = options.keys;
  const getKeys = async (): Promise<JWTVerifyGetKey> => {
    if (keys) return keys;
    const jwksUri = await discoverJwksUri(options.issuer, 3_000);
    keys = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: options.jwksCooldownMs ?? 5_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 3_000 });
    return keys;
  };

  const verifiedTtlMs = options.verifiedTtlMs ?? 60_000;
  // Keyed by the exact token text; only tokens that verified are kept.
  const verified = verifiedTtlMs > 0 ? new LRUCache<string, Caller>({ max: 10_000, ttl: verifiedTtlMs }) : undefined;

  const verify = async (authorization: string | undefined): Promise<Caller> => {
    const token = bearerToken(authorization);
    if (!token) throw unauthenticated();
    const known = verified?.get(token);
    if (known) {
      if (known.expiresAt + (options.clockToleranceSec ?? 5) > Date.now() / 1000) return known;
      verified?.delete(token);
      throw unauthenticated('The access token has expired');
    }
    let keySource: JWTVerifyGetKey;
    try {
      keySource = await getKeys();
    } catch {
      // The issuer being unreachable is not the caller's fault, but without keys nothing can be verified.
      throw unauthenticated('The access token cannot be verified right now');
    }
    let caller: Caller;
    try {
      const { payload } = await jwtVerify(token, keySource, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        typ: 'at+jwt',
        clockTolerance: options.clockToleranceSec ?? 5,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
      const fhirUser = typeof payload['fhirUser'] === 'string' ? payload['fhirUser'] : undefined;
      const clientId = typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined;
      const organization = typeof payload['organization'] === 'string' ? payload['organization'] : undefined;
      caller = Object.freeze({
        subject: payload.sub as string,
        clientId,
        scopes: Object.freeze(scope.split(' ').filter(Boolean)),
        fhirUser,
        organization,
        token,
        expiresAt: payload.exp as number,
      });
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('The access token has expired');
      throw unauthenticated('The access token is not valid');
    }
    const problem = identityProblem(caller);
    if (problem) throw unauthenticated(problem);
    verified?.set(token, caller);
    return caller;
  };
  return Object.assign(verify, {
    async keysReachable() {
      if (options.keys) return true;
      try {
        const jwks = await fetch(await discoverJwksUri(options.issuer, 2_000), { signal: AbortSignal.timeout(2_000) });
        return jwks.ok && Array.isArray(((await jwks.json()) as { keys?: unknown }).keys);
      } catch {
        return false;
      }
    },
  });
}

/**
 * SMART scopes need someone behind them: `patient/` a portal person, `user/` a
 * practitioner (`fhirUser`), and a token must describe a caller the graph serves.
 */
function identityProblem(caller: Caller): string | undefined {
  const has = (prefix: string) => caller.scopes.some((s) => s.startsWith(prefix));
  if (has('patient/') && !caller.fhirUser?.startsWith('Person/')) return 'patient/ scopes need a person (fhirUser Person/…)';
  if (has('user/') && !caller.fhirUser) return 'user/ scopes need a fhirUser';
  if (!callerKind(caller)) return 'The access token does not identify a patient, practitioner or service client';
  return undefined;
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(authorization.trim());
  const token = match?.[1];
  if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
  return token;
}

/** The issuer's `jwks_uri`, from its OpenID discovery document. */
async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<string> {
  const base = issuer.endsWith('/') ? issuer : `${issuer}/`;
  const discovery = await fetch(new URL('.well-known/openid-configuration', base), { signal: AbortSignal.timeout(timeoutMs) });
  if (!discovery.ok) throw new Error(`issuer discovery failed with HTTP ${discovery.status}`);
  const { jwks_uri: jwksUri } = (await discovery.json()) as { jwks_uri?: string };
  if (!jwksUri) throw new Error('issuer discovery has no jwks_uri');
  return jwksUri;
}
