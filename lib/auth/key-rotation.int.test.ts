import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from './access-token.ts';

/** An issuer on localhost whose keys rotate, and attackers who make up keys. */
let server: Server;
let issuer: string;
let jwksFetches = 0;
const published: JWK[] = [];

async function keyPair(kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const sign = (key: CryptoKey, header: Record<string, unknown>, claims: Record<string, unknown> = {}) =>
  new SignJWT({ scope: 'patient/*.rs', fhirUser: 'Person/p1', client_id: 'portal', ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', ...header })
    .setIssuer(issuer).setAudience('api').setSubject('p1').setIssuedAt().setExpirationTime('5m')
    .sign(key);

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    if (req.url === '/jwks') {
      jwksFetches++;
      return res.end(JSON.stringify({ keys: published }));
    }
    return res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('issuer keys', () => {
  it('picks up a rotated key without restart, and a storm of unknown kids costs one fetch per cooldown', async () => {
    const a = await keyPair('key-a');
    published.push(a.jwk);
    const verify = createAccessTokenVerifier({ issuer, audience: 'api', jwksCooldownMs: 400 });
    expect(await verify(`Bearer ${await sign(a.privateKey, { kid: 'key-a' })}`)).toMatchObject({ subject: 'p1' });
    expect(jwksFetches).toBe(1);

    // The issuer rotates: key B appears, and is accepted once the cooldown has passed.
    const b = await keyPair('key-b');
    published.push(b.jwk);
    await new Promise((r) => setTimeout(r, 450));
    expect(await verify(`Bearer ${await sign(b.privateKey, { kid: 'key-b' })}`)).toMatchObject({ subject: 'p1' });
    const afterRotation = jwksFetches;

    // 200 tokens with made-up kids at once.
    const rogue = await keyPair('rogue');
    const storm = await Promise.all(Array.from({ length: 200 }, async (_, i) => verify(`Bearer ${await sign(rogue.privateKey, { kid: `made-up-${i}` })}`).then(() => 'accepted', () => 'refused')));
    expect(new Set(storm)).toEqual(new Set(['refused']));
    expect(jwksFetches - afterRotation).toBeLessThanOrEqual(1);
  });

  it('refuses keys a token brings along (jwk, jku, x5u headers) and unknown kids', async () => {
    const verify = createAccessTokenVerifier({ issuer, audience: 'api', jwksCooldownMs: 400 });
    const attacker = await keyPair('attacker');
    for (const header of [
      { kid: 'attacker', jwk: attacker.jwk },
      { kid: 'attacker', jku: `${issuer}/attacker-jwks` },
      { kid: 'attacker', x5u: `${issuer}/attacker.pem` },
      { kid: 'key-a', jwk: attacker.jwk },
      { kid: 'nobody-knows-me' },
    ]) {
      const err = await verify(`Bearer ${await sign(attacker.privateKey, header)}`).catch((e: unknown) => e);
      expect((err as { extensions?: { code?: string } }).extensions?.code, JSON.stringify(Object.keys(header))).toBe('UNAUTHENTICATED');
    }
  });

  it('tells readiness whether the keys can be fetched', async () => {
    expect(await createAccessTokenVerifier({ issuer, audience: 'api' }).keysReachable()).toBe(true);
    expect(await createAccessTokenVerifier({ issuer: 'http://127.0.0.1:9', audience: 'api' }).keysReachable()).toBe(false);
  });
});
