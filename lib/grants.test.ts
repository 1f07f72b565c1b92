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
});
