import { createHash, randomUUID } from 'node:crypto';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';

/**
 * A grant is the consent service's signed statement that one caller (bound to the
 * exact access token it presented) may read one person's chart at one hospital,
 * for some resource types, for a few minutes. Hospital subgraphs serve nothing
 * without one, so they stay closed even when reached directly.
 */
export interface Grant {
  /** Token `sub` of the caller the grant was issued to. */
  readonly subject: string;
  /** Portal person whose records these are. */
  readonly person: string;
  readonly hospital: string;
  /** The person's local Patient id at that hospital. */
  readonly patient: string;
  /** Why the caller reads: the person themself, their care, or research. */
  readonly purpose: GrantPurpose;
  /** What may be read: resource types (`*` for all), each for an optional period. */
  readonly provisions: readonly GrantProvision[];
  readonly expiresAt: number;
}

export type GrantPurpose = 'patient-access' | 'treatment' | 'research';

export interface GrantProvision {
  readonly resourceTypes: readonly string[];
  /** FHIR dates (YYYY-MM-DD), inclusive; absent ends are open. */
  readonly period?: { readonly start?: string; readonly end?: string };
}

const purposes: ReadonlySet<string> = new Set(['patient-access', 'treatment', 'research']);

const GRANT_TYP = 'fhir-graph-grant+jwt';
const ALG = 'ES256';

/** Binds a grant to one access token: base64url(SHA-256(token)), as DPoP's `ath`. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export interface GrantSigner {
  sign(grant: Omit<Grant, 'expiresAt'>, accessToken: string, lifetimeSec?: number): Promise<string>;
  /** Public keys, served as a JWKS for hospital subgraphs. */
  readonly jwks: { keys: JWK[] };
}

export async function createGrantSigner(issuer: string): Promise<GrantSigner> {
  // A fresh key per process: grants live minutes, so a restart only costs a re-issue.
  const { privateKey, publicKey } = await generateKeyPair(ALG);
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  // The same caller reading the same chart on the same terms gets the grant signed for it
  // a moment ago (one ES256 signature per hospital per request otherwise). Terms are part
  // of the key, so a changed or revoked consent never reuses a grant made before it.
  const issued = new LRUCache<string, { jws: string; expiresAt: number }>({ max: 10_000 });
  return {
    jwks: { keys: [jwk] },
    async sign(grant, accessToken, lifetimeSec = 300) {
      const key = `${tokenHash(accessToken)} ${JSON.stringify([grant.subject, grant.person, grant.hospital, grant.patient, grant.purpose, grant.provisions])}`;
      const now = Math.floor(Date.now() / 1000);
      const reuse = issued.get(key);
      if (reuse && reuse.expiresAt - now >= lifetimeSec / 2) return reuse.jws;
      const jws = await signGrant(privateKey, kid, issuer, grant, accessToken, lifetimeSec);
      issued.set(key, { jws, expiresAt: now + lifetimeSec }, { ttl: (lifetimeSec / 2) * 1000 });
      return jws;
    },
  };
}

async function signGrant(key: CryptoKey, kid: string, issuer: string, grant: Omit<Grant, 'expiresAt'>, accessToken: string, lifetimeSec: number): Promise<string> {
  return new SignJWT({
    person: grant.person,
    hospital: grant.hospital,
    patient: grant.patient,
    purpose: grant.purpose,
    provisions: grant.provisions,
    ath: tokenHash(accessToken),
  })
    .setProtectedHeader({ alg: ALG, kid, typ: GRANT_TYP })
    .setIssuer(issuer)
    .setAudience(`hospital:${grant.hospital}`)
    .setSubject(grant.subject)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSec}s`)
    .setJti(randomUUID())
    .sign(key);
}

export interface GrantVerifierOptions {
  /** The consent service's `iss` in grants. */
  issuer: string;
  hospital: string;
  /** Key source; default: the consent service's JWKS at `jwksUrl`. */
  keys?: JWTVerifyGetKey;
  jwksUrl?: string;
}

export type GrantVerifier = (grantJws: string, accessToken: string, subject: string) => Promise<Grant | undefined>;

/** Verifies a grant for this hospital and this exact caller token; undefined when it does not hold. */
export function createGrantVerifier(options: GrantVerifierOptions): GrantVerifier {
  if (!options.keys && !options.jwksUrl) throw new TypeError('createGrantVerifier needs keys or jwksUrl');
  const keys = options.keys ?? createRemoteJWKSet(new URL(options.jwksUrl as string));
  // Grants are reused for a few minutes (createGrantSigner), so their signature is checked
  // once; the binding to the caller's token and the expiry are checked on every use.
  const verified = new LRUCache<string, { grant: Grant; ath: string }>({ max: 10_000, ttl: 5 * 60_000 });
  return async (grantJws, accessToken, subject) => {
    const known = verified.get(grantJws);
    if (known) {
      const { grant, ath } = known;
      const fresh = grant.expiresAt + 2 > Date.now() / 1000;
      return fresh && grant.subject === subject && ath === tokenHash(accessToken) ? grant : undefined;
    }
    try {
      const { payload } = await jwtVerify(grantJws, keys, {
        issuer: options.issuer,
        audience: `hospital:${options.hospital}`,
        algorithms: [ALG],
        typ: GRANT_TYP,
        subject,
        // Grants are made and checked by our own servers: little skew to allow for.
        clockTolerance: 2,
        requiredClaims: ['exp', 'sub', 'jti'],
      });
      const { person, hospital, patient, purpose, provisions, ath } = payload as Record<string, unknown>;
      if (ath !== tokenHash(accessToken) || hospital !== options.hospital) return undefined;
      if (typeof person !== 'string' || typeof patient !== 'string' || typeof purpose !== 'string' || !purposes.has(purpose)) return undefined;
      const parsed = parseProvisions(provisions);
      if (!parsed) return undefined;
      const grant: Grant = { subject, person, hospital, patient, purpose: purpose as GrantPurpose, provisions: parsed, expiresAt: payload.exp as number };
      verified.set(grantJws, { grant, ath });
      return grant;
    } catch {
      return undefined;
    }
  };
}

const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

/** Reads the provisions claim strictly: anything unexpected voids the grant. */
function parseProvisions(value: unknown): GrantProvision[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: GrantProvision[] = [];
  for (const p of value as unknown[]) {
    const { resourceTypes, period } = (p ?? {}) as { resourceTypes?: unknown; period?: { start?: unknown; end?: unknown } };
    if (!Array.isArray(resourceTypes) || !resourceTypes.every((t) => typeof t === 'string')) return undefined;
    if (period !== undefined && (typeof period !== 'object' || period === null)) return undefined;
    if (period?.start !== undefined && !isDate(period.start)) return undefined;
    if (period?.end !== undefined && !isDate(period.end)) return undefined;
    out.push({
      resourceTypes: resourceTypes as string[],
      ...(period ? { period: { ...(period.start ? { start: period.start as string } : {}), ...(period.end ? { end: period.end as string } : {}) } } : {}),
    });
  }
  return out;
}
