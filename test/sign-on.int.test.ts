import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../sandbox/sso/accounts.ts';
import { loginWithPassword } from '../sandbox/sso/headless-client.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

describe('embedded sign-on server', () => {
  it('publishes OpenID discovery and a JWKS with public keys only', async () => {
    const discovery = (await (await fetch(`${stack.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: stack.issuer });
    expect(discovery['code_challenge_methods_supported']).toContain('S256');
    expect(discovery['grant_types_supported']).toEqual(expect.arrayContaining(['authorization_code', 'client_credentials']));
    const jwks = (await (await fetch(discovery['jwks_uri'] as string)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key['kty']).toBe('RSA');
      expect(key).not.toHaveProperty('d');
    }
  });

  it.each(['alice', 'bob'])('signs patient %s on with authorization code + PKCE and issues an RS256 at+jwt', async (username) => {
    const account = demoAccounts.find((a) => a.username === username)!;
    const { access_token: token } = await stack.login(username);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: stack.issuer, sub: account.sub, aud: stack.config.audience, fhirUser: account.fhirUser, client_id: 'portal' });
    expect(String(claims['scope']).split(' ')).toContain('patient/*.rs');
    expect(claims.exp! - claims.iat!).toBeGreaterThan(0);
  });

  it.each(['drchen', 'drlin'])('signs practitioner %s on with user/ scopes, fhirUser and organization', async (username) => {
    const account = demoAccounts.find((a) => a.username === username)!;
    const claims = decodeJwt(await stack.token(username));
    expect(claims).toMatchObject({ sub: account.sub, fhirUser: account.fhirUser, organization: account.organization });
    expect(claims['fhirUser']).toMatch(/^Practitioner\//);
    expect(String(claims['scope']).split(' ')).toEqual(['user/*.rs']);
  });

  it('grants people only the scopes of their role, whatever the client asks', async () => {
    const alice = decodeJwt(await stack.token('alice', 'openid fhirUser patient/*.rs user/*.rs system/*.rs'));
    expect(String(alice['scope']).split(' ')).toEqual(['patient/*.rs']);
    const chen = decodeJwt(await stack.token('drchen', 'openid patient/*.rs user/Observation.rs'));
    expect(String(chen['scope']).split(' ')).toEqual(['user/Observation.rs']);
  });

  it('checks passwords: a wrong one is refused, for any account', async () => {
    const attempt = (username: string, password: string) =>
      loginWithPassword({ issuer: stack.issuer, clientId: 'portal', redirectUri: stack.gatewayUrl.replace(/graphql$/, 'auth/callback'), username, password, scope: 'openid patient/*.rs' });
    await expect(attempt('alice', 'bob-demo')).rejects.toThrow(/wrong username or password/);
    await expect(attempt('alice', '')).rejects.toThrow();
    await expect(attempt('mallory', 'anything')).rejects.toThrow(/wrong username or password/);
  });

  it('issues the analytics client a client-credentials token with system/ scopes and no fhirUser', async () => {
    const { access_token: token } = await stack.login('analytics');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'analytics', client_id: 'analytics', aud: stack.config.audience, scope: 'system/*.rs' });
    expect(claims).not.toHaveProperty('fhirUser');
  });

  it('never gives the analytics client patient/ or user/ scopes, and refuses a wrong secret', async () => {
    // OAuth lets the issuer grant less than asked: the scopes are left out of the token.
    const claims = decodeJwt((await stack.login('analytics', 'patient/*.rs user/*.rs system/Observation.rs')).access_token);
    expect(String(claims['scope']).split(' ')).toEqual(['system/Observation.rs']);
    const { clientCredentials } = await import('../sandbox/sso/headless-client.ts');
    await expect(clientCredentials({ issuer: stack.issuer, clientId: 'analytics', clientSecret: 'guess', scope: 'system/*.rs' })).rejects.toThrow(/invalid_client/);
  });
});
