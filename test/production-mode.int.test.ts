import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './helpers/stack.ts';

/** NODE_ENV=production: what a client may learn about the API, and the GraphQL-over-HTTP rules. */
let stack: TestStack;
let alice: string;
beforeAll(async () => {
  stack = await startTestStack({ NODE_ENV: 'production' });
  alice = await stack.token('alice');
});
afterAll(() => stack?.stop());

const INTROSPECT = '{ __schema { queryType { name } } }';

describe('production mode', () => {
  it('refuses introspection to callers without the developer scope', async () => {
    const res = await stack.gql(INTROSPECT, alice);
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(JSON.stringify(res.body)).not.toContain('queryType');
    const typeProbe = await stack.gql('{ __type(name: "Patient") { fields { name } } }', alice);
    expect(typeProbe.status).toBe(403);
  });

  it('allows it with the developer scope', async () => {
    const dev = await stack.token('drchen', 'openid fhirUser user/*.rs developer');
    const res = await stack.gql(INTROSPECT, dev);
    expect(res.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    // The same query text (one parsed document, its check remembered) is still refused to others.
    expect((await stack.gql(INTROSPECT, alice)).status).toBe(403);
  });

  it('suggests no field names', async () => {
    const res = await stack.gql('{ me { chart { hospital { id } } } }', alice);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/Did you mean|charts/);
  });

  it('shows no stack traces or internal messages, and serves no GraphiQL', async () => {
    const res = await stack.gql('{ me { charts { observations(first: 1000) { id } } } }', alice);
    expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|\bat \w+ \(|node_modules/);
    const page = await fetch(`${new URL(stack.gatewayUrl).origin}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    const portal = await fetch(`${new URL(stack.gatewayUrl).origin}/portal`, { headers: { accept: 'text/html' } });
    expect(portal.status).toBe(404);
  });

  it('keeps subgraphs from describing themselves', async () => {
    const res = await fetch(stack.consentUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` }, body: JSON.stringify({ query: INTROSPECT }) });
    const body = (await res.json()) as { errors?: { message: string }[] };
    expect(body.errors?.[0]?.message).toMatch(/introspection/i);
  });
});

describe('GraphQL over HTTP', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(stack.gatewayUrl, { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json', ...headers }, body });

  it('answers application/graphql-response+json when asked, and application/json otherwise', async () => {
    const modern = await post('{"query":"{ me { id } }"}', { accept: 'application/graphql-response+json' });
    expect(modern.status).toBe(200);
    expect(modern.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const classic = await post('{"query":"{ me { id } }"}', { accept: 'application/json' });
    expect(classic.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('uses status codes for requests that are not well-formed', async () => {
    expect((await post('{"query": ')).status).toBe(400);
    expect((await post('{"variables": {}}')).status).toBe(400);
    expect((await post('{"query":"{ me { id "}')).status).toBe(400);
    expect((await post('{"query":"{ me { id } }"}', { 'content-type': 'text/plain' })).status).toBe(400);
    // An operation name that names nothing (found by the fuzz test: the gateway's executor threw, 500).
    expect((await post('{"query":"{ me { id } }","operationName":""}')).status).toBe(400);
    expect((await post('{"query":"query A { me { id } }","operationName":"B"}')).status).toBe(400);
  });

  it('runs queries over GET, never mutations', async () => {
    const url = (q: string) => `${stack.gatewayUrl}?query=${encodeURIComponent(q)}`;
    const headers = { authorization: `Bearer ${alice}`, 'apollo-require-preflight': 'true' };
    expect((await fetch(url('{ me { id } }'), { headers })).status).toBe(200);
    expect((await fetch(url('mutation { revokeConsent(id: "x") { id } }'), { headers })).status).toBe(405);
  });
});
