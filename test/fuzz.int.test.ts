import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHARTS_QUERY, startTestStack, type TestStack } from './helpers/stack.ts';

/**
 * Random and mutated documents, variables, headers and bodies thrown at the gateway for a
 * bounded number of runs: never a 5xx from malformed input, never PHI or internals in an error.
 */
let stack: TestStack;
let alice: string;
beforeAll(async () => {
  stack = await startTestStack();
  alice = await stack.token('alice');
  await stack.gql(CHARTS_QUERY, alice);
});
afterAll(() => stack?.stop());

const PHI = /Quill|Fenwick|900-11-2233|1984-03-12|Alice|Maren/;
const INTERNAL = /\bat \S+ \(|node_modules|stacktrace|ECONN|SELECT |postgres|localhost:\d+/i;

const validQueries = [CHARTS_QUERY, '{ me { id consents { id } } }', 'mutation { grantConsent(input: { actor: "Practitioner/x", resourceTypes: ["Observation"], hospitals: ["aurelia"] }) { id } }', 'query($a: String) { me { charts { observationsConnection(first: 2, after: $a) { totalCount } } } }'];

/** A valid query with a few characters inserted, deleted or replaced. */
const mutatedQuery = fc.tuple(fc.constantFrom(...validQueries), fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.string({ maxLength: 3 })), { maxLength: 6 })).map(([q, edits]) =>
  edits.reduce((s, [at, op, text]) => {
    const i = at % (s.length + 1);
    return op === 'insert' ? s.slice(0, i) + text : op === 'delete' ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + text + s.slice(i + 1);
  }, q),
);

const body = fc.oneof(
  fc.record({ query: fc.oneof({ arbitrary: fc.constantFrom(...validQueries), weight: 2 }, { arbitrary: mutatedQuery, weight: 3 }, { arbitrary: fc.string({ maxLength: 200 }), weight: 1 }), variables: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }), operationName: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) }).map((b) => JSON.stringify(b)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
);

const headers = fc.record({
  'content-type': fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/graphql-response+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''),
  accept: fc.constantFrom('application/json', 'application/json', 'application/graphql-response+json', '*/*', 'text/html', 'application/xml', ''),
  authorization: fc.constantFrom('alice', 'alice', 'alice', 'none', 'garbage', 'bearer-garbage'),
});

describe('fuzzing the gateway', () => {
  it('never answers malformed input with a 5xx, PHI or internals', async () => {
    let runs = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, headers, async (text, h) => {
        runs++;
        const authorization = h.authorization === 'alice' ? `Bearer ${alice}` : h.authorization === 'garbage' ? 'Bearer x.y.z' : h.authorization === 'bearer-garbage' ? `Bearer ${'A'.repeat(50)}` : undefined;
        const res = await fetch(stack.gatewayUrl, {
          method: 'POST',
          headers: { ...(h['content-type'] ? { 'content-type': h['content-type'] } : {}), ...(h.accept ? { accept: h.accept } : {}), ...(authorization ? { authorization } : {}) },
          body: text,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const answer = await res.text();
        expect(res.status, answer.slice(0, 200)).toBeLessThan(500);
        let errors: { message?: string }[] = [];
        try {
          errors = (JSON.parse(answer) as { errors?: { message?: string }[] }).errors ?? [];
        } catch {
          // Not JSON: only acceptable for statuses that carry no GraphQL answer.
          expect([400, 405, 406, 413, 415]).toContain(res.status);
        }
        for (const e of errors) {
          expect(e.message ?? '').not.toMatch(PHI);
          expect(JSON.stringify(e)).not.toMatch(INTERNAL);
        }
      }),
      { numRuns: 400, interruptAfterTimeLimit: 60_000 },
    );
    console.log(`fuzzed ${runs} requests; statuses: ${[...statuses].sort().map(([s, n]) => `${s}×${n}`).join(', ')}`);
  });

  it('never answers well-formed requests with mutated documents and random variables with a 5xx, PHI of others or internals', async () => {
    let runs = 0;
    const statuses = new Map<number, number>();
    const bob = await stack.token('bob');
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...validQueries), mutatedQuery), fc.option(fc.dictionary(fc.constantFrom('a', 'id', 'first', 'x'), fc.jsonValue({ maxDepth: 2 })), { nil: undefined }), async (query, variables) => {
        runs++;
        // As bob: nothing of alice's may ever come back, whatever the document.
        const res = await stack.gql(query, bob, variables as Record<string, unknown> | undefined);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeLessThan(500);
        expect(JSON.stringify(res.body)).not.toMatch(/Quill|900-11-2233|1984-03-12/);
        for (const e of res.body.errors ?? []) expect(JSON.stringify(e)).not.toMatch(INTERNAL);
      }),
      { numRuns: 200, interruptAfterTimeLimit: 60_000 },
    );
    console.log(`fuzzed ${runs} well-formed requests; statuses: ${[...statuses].sort().map(([s, n]) => `${s}×${n}`).join(', ')}`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10);
  });
});
