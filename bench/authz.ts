import { performance } from 'node:perf_hooks';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse } from 'graphql';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { accessOf } from '../lib/auth/access.ts';
import { createAccessTokenVerifier } from '../lib/auth/access-token.ts';
import { loadHospitalsFile } from '../lib/config.ts';
import { protect } from '../lib/rules/common.ts';
import { hospitalSubgraphDocument } from '../schema/subgraph-sdl.ts';
import { hospitalRules } from '../subgraphs/hospital/rules.ts';

/**
 * `npm run bench:authz`: what authorization costs per request, in process, without I/O:
 * verifying the access token (key already cached, as in a running server) and running
 * the graphql-shield rules over a 50-observation chart, against the same query unguarded.
 */
const N = 2000;

async function time(label: string, n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(); // warm up
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const perCall = (performance.now() - start) / n;
  console.log(`${label.padEnd(58)} ${(perCall * 1000).toFixed(1).padStart(8)} µs`);
  return perCall;
}

const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'RS256' }] };
const token = await new SignJWT({ scope: 'patient/*.rs', fhirUser: 'Person/p', client_id: 'portal' })
  .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k' })
  .setIssuer('https://issuer.example').setAudience('api').setSubject('p').setIssuedAt().setExpirationTime('1h')
  .sign(privateKey);
const verify = createAccessTokenVerifier({ issuer: 'https://issuer.example', audience: 'api', keys: createLocalJWKSet(jwks) });
const caller = await verify(`Bearer ${token}`);
const access = accessOf(caller)!;

const hospital = loadHospitalsFile('config/hospitals.json')[0]!;
const observations = Array.from({ length: 50 }, (_, i) => ({
  resourceType: 'Observation', id: `o${i}`, status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  effectiveDateTime: '2025-01-01T10:00:00Z', valueQuantity: { value: 60 + i, unit: '/min' },
}));
const resolvers = {
  Query: { _entities: () => [{ __typename: hospital.typeName }] },
  [hospital.typeName]: {
    __resolveReference: () => ({}),
    hospital: () => ({ id: hospital.id, name: hospital.name }),
    patient: () => ({ id: 'p', name: [{ family: 'Quill', given: ['Alice'] }], birthDate: '1984-03-12', gender: 'female' }),
    observations: () => observations,
    conditions: () => [],
  },
};
const schema = buildSubgraphSchema({ typeDefs: hospitalSubgraphDocument(hospital), resolvers: resolvers as never });
const guarded = protect(buildSubgraphSchema({ typeDefs: hospitalSubgraphDocument(hospital), resolvers: resolvers as never }), hospitalRules(hospital.typeName));
const document = parse(`query($r: [_Any!]!) { _entities(representations: $r) { ... on ${hospital.typeName} {
  hospital { id name } patient { id name { family given } birthDate }
  observations(first: 50) { code { coding { system code display } } effectiveDateTime valueQuantity { value unit } } } } }`);
const variableValues = { r: [{ __typename: hospital.typeName, grant: 'x' }] };

console.log(`authorization cost per request (mean of ${N} runs, Node ${process.version})`);
const v = await time('verify access token (RS256, cached JWKS)', N, () => verify(`Bearer ${token}`));
const plain = await time('execute chart query, 50 observations, no rules', N, async () => execute({ schema, document, variableValues, contextValue: { access } }));
const shielded = await time('execute chart query, 50 observations, graphql-shield', N, async () => execute({ schema: guarded, document: document, variableValues, contextValue: { access } }));
console.log(`${'rules overhead per request'.padEnd(58)} ${((shielded - plain) * 1000).toFixed(1).padStart(8)} µs`);
console.log(`${'verification + rules, one subgraph'.padEnd(58)} ${((v + shielded - plain) * 1000).toFixed(1).padStart(8)} µs`);
