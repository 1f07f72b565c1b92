import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHash } from '../lib/grants.ts';
import { postGraphQL, startTestStack, type TestStack } from './helpers/stack.ts';

/**
 * Attacks on a hospital subgraph reached directly, past the gateway: it must serve
 * nothing without a valid grant issued by the consent service to this very caller.
 */
let stack: TestStack;
let aliceToken: string;
let bobToken: string;
let aliceGrants: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack();
  [aliceToken, bobToken] = await Promise.all([stack.token('alice'), stack.token('bob')]);
  // The consent subgraph's own schema exposes the grant to the gateway; ask it as the gateway would.
  const res = await postGraphQL(stack.consentUrl, '{ me { charts { __typename ... on AureliaChart { grant } ... on BrightwaterChart { grant } ... on CedarvaleChart { grant } } } }', aliceToken);
  const charts = (res.body.data as { me: { charts: { __typename: string; grant: string }[] } }).me.charts;
  aliceGrants = Object.fromEntries(charts.map((c) => [c.__typename, c.grant]));
});
afterAll(() => stack?.stop());

async function entities(subgraph: string, typename: string, grant: unknown, token: string) {
  const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { patient { id name { family } } observations(first: 2) { id } } } }`;
  return postGraphQL(stack.subgraphUrls[subgraph]!, query, token, { r: [{ __typename: typename, grant }] });
}

function expectNoData(res: Awaited<ReturnType<typeof entities>>) {
  expect(res.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  expect(res.body.data).toEqual({ _entities: [null] });
  expect(JSON.stringify(res.body)).not.toContain('Quill');
}

describe('a hospital subgraph called directly', () => {
  it('serves the caller a chart with the grant the consent service gave them (control)', async () => {
    const res = await entities('hospital_aurelia', 'AureliaChart', aliceGrants['AureliaChart'], aliceToken);
    expect(res.body.errors).toBeUndefined();
    const [chart] = (res.body.data as { _entities: { patient: { name: { family: string }[] }; observations: unknown[] }[] })._entities;
    expect(chart!.patient.name[0]!.family).toBe('Quill');
    expect(chart!.observations).toHaveLength(2);
  });

  it('serves nothing without a grant', async () => {
    expectNoData(await entities('hospital_aurelia', 'AureliaChart', '', aliceToken));
    expectNoData(await entities('hospital_aurelia', 'AureliaChart', undefined, aliceToken));
  });

  it('serves nothing for a forged grant', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const real = JSON.parse(Buffer.from(aliceGrants['AureliaChart']!.split('.')[1]!, 'base64url').toString());
    const forged = await new SignJWT({ ...real, ath: tokenHash(bobToken) })
      .setProtectedHeader({ alg: 'ES256', typ: 'fhir-graph-grant+jwt', kid: 'guess' })
      .sign(privateKey);
    expectNoData(await entities('hospital_aurelia', 'AureliaChart', forged, bobToken));
    const [h, , s] = aliceGrants['AureliaChart']!.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...real, types: ['*'], sub: 'someone' })).toString('base64url')}.${s}`;
    expectNoData(await entities('hospital_aurelia', 'AureliaChart', tampered, aliceToken));
  });

  it("serves bob nothing with alice's grant", async () => {
    expectNoData(await entities('hospital_aurelia', 'AureliaChart', aliceGrants['AureliaChart'], bobToken));
  });

  it("serves nothing with alice's grant after she signs in again (grants bind to one token)", async () => {
    const fresh = await stack.token('alice');
    expectNoData(await entities('hospital_aurelia', 'AureliaChart', aliceGrants['AureliaChart'], fresh));
  });

  it("refuses one hospital's grant at another hospital", async () => {
    expectNoData(await entities('hospital_brightwater', 'BrightwaterChart', aliceGrants['AureliaChart'], aliceToken));
  });
});
