import { createLocalJWKSet, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createGrantSigner, createGrantVerifier, tokenHash } from './grants.ts';

const grant = {
  subject: 'alice-sub',
  person: 'p-alice',
  hospital: 'north',
  patient: 'n-123',
  purpose: 'treatment' as const,
  provisions: [{ resourceTypes: ['Observation', 'Condition'], period: { start: '2020-01-01' } }, { resourceTypes: ['Patient'] }],
};

async function setup() {
  const signer = await createGrantSigner('http://consent.test');
  const verify = createGrantVerifier({ issuer: 'http://consent.test', hospital: 'north', keys: createLocalJWKSet(signer.jwks) });
  return { signer, verify };
}

describe('grants', () => {
  it('verifies a grant for the caller it was issued to', async () => {
    const { signer, verify } = await setup();
    const jws = await signer.sign(grant, 'alice-token');
    expect(await verify(jws, 'alice-token', 'alice-sub')).toMatchObject({ ...grant });
  });

  it('refuses a grant presented with another token or by another caller', async () => {
    const { signer, verify } = await setup();
    const jws = await signer.sign(grant, 'alice-token');
    expect(await verify(jws, 'bob-token', 'alice-sub')).toBeUndefined();
    expect(await verify(jws, 'alice-token', 'bob-sub')).toBeUndefined();
  });

  it('refuses a grant for another hospital', async () => {
    const { signer } = await setup();
    const jws = await signer.sign(grant, 'alice-token');
    const south = createGrantVerifier({ issuer: 'http://consent.test', hospital: 'south', keys: createLocalJWKSet(signer.jwks) });
    expect(await south(jws, 'alice-token', 'alice-sub')).toBeUndefined();
  });

  it('refuses an expired grant', async () => {
    const { signer, verify } = await setup();
    const jws = await signer.sign(grant, 'alice-token', -60);
    expect(await verify(jws, 'alice-token', 'alice-sub')).toBeUndefined();
  });

  it('refuses a forged grant signed by another key, and garbage', async () => {
    const { verify } = await setup();
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ person: 'p-alice', hospital: 'north', patient: 'n-123', purpose: 'treatment', provisions: [{ resourceTypes: ['*'] }], ath: tokenHash('alice-token') })
      .setProtectedHeader({ alg: 'ES256', typ: 'fhir-graph-grant+jwt' })
      .setIssuer('http://consent.test').setAudience('hospital:north').setSubject('alice-sub').setJti('x').setIssuedAt().setExpirationTime('5m')
      .sign(privateKey);
    expect(await verify(forged, 'alice-token', 'alice-sub')).toBeUndefined();
    expect(await verify('not-a-jws', 'alice-token', 'alice-sub')).toBeUndefined();
    expect(await verify('', 'alice-token', 'alice-sub')).toBeUndefined();
  });

  it('reuses a grant for the same caller, chart and terms, and signs a new one when anything differs', async () => {
    const { signer } = await setup();
    const first = await signer.sign(grant, 'alice-token', 60);
    expect(await signer.sign(grant, 'alice-token', 60)).toBe(first);
    // Narrower terms (a consent changed or was revoked), another token, another patient: never the old grant.
    expect(await signer.sign({ ...grant, provisions: [{ resourceTypes: ['Patient'] }] }, 'alice-token', 60)).not.toBe(first);
    expect(await signer.sign(grant, 'alice-new-token', 60)).not.toBe(first);
    expect(await signer.sign({ ...grant, patient: 'n-999' }, 'alice-token', 60)).not.toBe(first);
  });

  it('checks the token binding and the caller on every use of a grant whose signature it already checked', async () => {
    const { signer, verify } = await setup();
    const jws = await signer.sign(grant, 'alice-token');
    expect(await verify(jws, 'alice-token', 'alice-sub')).toBeDefined();
    expect(await verify(jws, 'bob-token', 'alice-sub')).toBeUndefined();
    expect(await verify(jws, 'alice-token', 'bob-sub')).toBeUndefined();
    expect(await verify(jws, 'alice-token', 'alice-sub')).toBeDefined();
  });

  it('refuses a remembered grant once it has expired', async () => {
    const { signer, verify } = await setup();
    const jws = await signer.sign(grant, 'alice-token', 1);
    expect(await verify(jws, 'alice-token', 'alice-sub')).toBeDefined();
    // Expiry plus the verifier's 2 s of tolerance.
    await new Promise((r) => setTimeout(r, 3_200));
    expect(await verify(jws, 'alice-token', 'alice-sub')).toBeUndefined();
  });
});
