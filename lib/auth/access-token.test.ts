import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, createAccessTokenVerifier, type AccessTokenVerifier } from './access-token.ts';

const issuer = 'https://issuer.example';
const audience = 'urn:fhir-patient-graph:api';
let key: CryptoKey;
let otherKey: CryptoKey;
let publicJwk: JWK;
let verify: AccessTokenVerifier;

const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, signWith: CryptoKey = key): Promise<string> {
  // Claims given by a test replace the valid defaults, so each test breaks exactly one thing.
  return new SignJWT({ iss: issuer, aud: audience, sub: 'p1', iat: now(), exp: now() + 300, scope: 'patient/*.rs', fhirUser: 'Person/p1', client_id: 'portal', ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1', ...header })
    .sign(signWith);
}

beforeAll(async () => {
  ({ privateKey: key } = await generateKeyPair('RS256'));
  ({ privateKey: otherKey } = await generateKeyPair('RS256'));
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  verify = createAccessTokenVerifier({ issuer, audience, keys: createLocalJWKSet({ keys: [publicJwk] }) });
});

async function refused(authorization: string | undefined): Promise<unknown> {
  const err = await verify(authorization).then(() => undefined, (e: unknown) => e);
  expect(err, 'the token must be refused').toBeDefined();
  expect((err as { extensions: Record<string, unknown> }).extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
  return err;
}

describe('access token verification', () => {
  it('accepts a valid RFC 9068 access token and returns the caller', async () => {
    const t = await token();
    const caller = await verify(`Bearer ${t}`);
    expect(caller).toMatchObject({ subject: 'p1', scopes: ['patient/*.rs'], fhirUser: 'Person/p1', clientId: 'portal', token: t });
  });

  it('refuses a missing or malformed Authorization header', async () => {
    await refused(undefined);
    await refused('');
    await refused('Basic dXNlcjpwYXNz');
    await refused('Bearer');
    await refused(`Bearer ${'a'.repeat(9000)}`);
  });

  it('refuses an expired token and one not valid yet', async () => {
    await refused(`Bearer ${await token({ exp: now() - 60 })}`);
    await refused(`Bearer ${await token({ nbf: now() + 600 })}`);
  });

  it('refuses the wrong issuer or audience', async () => {
    await refused(`Bearer ${await token({ iss: 'https://evil.example' })}`);
    await refused(`Bearer ${await token({ aud: 'https://other-api.example' })}`);
  });

  it('refuses a token that is not an access token (typ)', async () => {
    await refused(`Bearer ${await token({}, { typ: 'JWT' })}`);
  });

  it('refuses a token signed by another key, and a tampered payload', async () => {
    await refused(`Bearer ${await token({}, {}, otherKey)}`);
    const [h, , s] = (await token()).split('.');
    await refused(`Bearer ${h}.${b64({ sub: 'someone-else', iss: issuer, aud: audience, exp: now() + 300, iat: now(), scope: 'user/*.rs' })}.${s}`);
  });

  it('refuses alg none and a stripped signature', async () => {
    const payload = b64({ sub: 'p1', iss: issuer, aud: audience, exp: now() + 300, iat: now(), scope: 'patient/*.rs' });
    await refused(`Bearer ${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}.`);
    const [h, p] = (await token()).split('.');
    await refused(`Bearer ${h}.${p}.`);
  });

  it('refuses HS256 signed with the public key (key confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const forged = await new SignJWT({ scope: 'patient/*.rs' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })
      .setIssuer(issuer).setAudience(audience).setSubject('p1').setIssuedAt().setExpirationTime('5m')
      .sign(secret);
    await refused(`Bearer ${forged}`);
  });

  it('refuses a token without sub or exp', async () => {
    const noSub = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime('5m').sign(key);
    await refused(`Bearer ${noSub}`);
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }).setIssuer(issuer).setAudience(audience).setSubject('p1').setIssuedAt().sign(key);
    await refused(`Bearer ${noExp}`);
  });

  it('refuses when the issuer cannot be reached, without saying more', async () => {
    const offline = createAccessTokenVerifier({ issuer: 'http://issuer.invalid', audience });
    const err = await offline(`Bearer ${await token()}`).catch((e: unknown) => e);
    expect((err as { extensions: { code: string } }).extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('who is behind the scopes', () => {
  it('refuses patient/ scopes without a Person, and user/ scopes without fhirUser', async () => {
    await refused(`Bearer ${await token({ fhirUser: 'Practitioner/x' })}`);
    await refused(`Bearer ${await token({ fhirUser: undefined })}`);
    await refused(`Bearer ${await token({ scope: 'user/*.rs', fhirUser: undefined })}`);
  });

  it('refuses a token that is neither a person nor a service client', async () => {
    await refused(`Bearer ${await token({ scope: 'openid', fhirUser: undefined, sub: 'someone', client_id: 'portal' })}`);
  });

  it('accepts a practitioner with user/ scopes and a service client with system/ scopes', async () => {
    expect(await verify(`Bearer ${await token({ scope: 'user/*.rs', fhirUser: 'Practitioner/x', organization: 'Organization/o' })}`)).toMatchObject({ organization: 'Organization/o' });
    expect(await verify(`Bearer ${await token({ scope: 'system/*.rs', fhirUser: undefined, sub: 'analytics', client_id: 'analytics' })}`)).toMatchObject({ subject: 'analytics' });
  });
});

describe('bearerToken', () => {
  it('extracts only well-formed bearer credentials', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBeUndefined();
    expect(bearerToken('Bearer abc def')).toBeUndefined();
  });
});

describe('remembered verifications', () => {
  it('refuses a token it verified before once the token expires', async () => {
    const strict = createAccessTokenVerifier({ issuer, audience, clockToleranceSec: 0, keys: createLocalJWKSet({ keys: [publicJwk] }) });
    const t = await token({ exp: now() + 2 });
    const bearer = `Bearer ${t}`;
    await expect(strict(bearer)).resolves.toMatchObject({ subject: 'p1' });
    await expect(strict(bearer)).resolves.toMatchObject({ subject: 'p1' });
    await new Promise((r) => setTimeout(r, 2_100));
    const err = await strict(bearer).then(() => undefined, (e: unknown) => e);
    expect((err as { extensions?: Record<string, unknown> })?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('remembers only tokens that verified: a forged one stays refused however often it comes', async () => {
    const forged = await token({}, {}, otherKey);
    for (let i = 0; i < 3; i++) await refused(`Bearer ${forged}`);
  });
});
