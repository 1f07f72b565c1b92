import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQueryLimits } from '../gateway/query-limits.ts';
import { Lexer, Source, TokenKind } from 'graphql';
import { FIXTURE_SELECTION } from './helpers/queries.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

function countTokens(query: string): number {
  const lexer = new Lexer(new Source(query));
  let n = 0;
  while (lexer.advance().kind !== TokenKind.EOF) n++;
  return n;
}

/** Hostile documents through the gateway: refused with a clear code before any subgraph or FHIR call. */
let stack: TestStack;
let alice: string;
beforeAll(async () => {
  stack = await startTestStack();
  alice = await stack.token('alice');
});
afterAll(() => stack?.stop());

async function refused(body: unknown, status: number, code: string) {
  stack.fhirRequests.length = 0;
  const res = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const json = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[]; data?: unknown };
  expect(res.status).toBe(status);
  expect(json.errors?.[0]?.extensions?.code).toBe(code);
  expect(json.data ?? undefined).toBeUndefined();
  expect(stack.fhirRequests).toEqual([]);
  return json.errors![0]!.message;
}

describe('hostile documents', () => {
  it('refuses a document too deep', async () => {
    const deep = `{ me { charts { encounters { serviceProvider { resource { ... on Organization { ${'partOf { resource { ... on Organization { '.repeat(4)}name${' } } }'.repeat(4)} } } } } } } }`;
    expect(await refused({ query: deep }, 400, 'GRAPHQL_VALIDATION_FAILED')).toMatch(/depth/i);
  });

  it('refuses too many tokens, and accepts the largest legitimate document', async () => {
    const largest = `{ me { charts { ${FIXTURE_SELECTION} } } }`;
    const tokens = countTokens(largest);
    console.log(`largest legitimate document: ${tokens} tokens (limit ${defaultQueryLimits.maxTokens})`);
    expect(tokens).toBeLessThan(defaultQueryLimits.maxTokens);
    const ok = await stack.gql(largest, alice);
    expect(ok.body.errors).toBeUndefined();
    const past = `{ me { id ${'id '.repeat(defaultQueryLimits.maxTokens)}} }`;
    expect(countTokens(past)).toBeGreaterThan(defaultQueryLimits.maxTokens);
    expect(await refused({ query: past }, 400, 'GRAPHQL_PARSE_FAILED')).toMatch(/Document contains more that \d+ tokens/); // sic, graphql-js's wording
  });

  it('refuses a query whose lists would return too much, naming its cost', async () => {
    const many = '{ researchCohort(first: 1000) { charts { observations(first: 100) { component { valueQuantity { value } referenceRange { low { value } high { value } } } } diagnosticReports(first: 100) { result { resource { ... on Observation { component { valueQuantity { value } } } } } } } } }';
    expect(await refused({ query: many }, 400, 'QUERY_TOO_COMPLEX')).toMatch(/estimated cost \d+ exceeds/);
  });

  it('refuses batched requests and oversized bodies', async () => {
    await refused([{ query: '{ me { id } }' }, { query: '{ me { id } }' }], 400, 'BAD_REQUEST');
    const res = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` }, body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(200_000)}` }) });
    expect(res.status).toBe(413);
  });
});
