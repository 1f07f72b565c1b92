import { readFileSync } from 'node:fs';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, parse, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SUPERGRAPH_FILE } from '../schema/compose.ts';
import { EVERYTHING, FIXTURE_SELECTION } from '../test/helpers/queries.ts';
import { CHARTS_QUERY } from '../test/helpers/stack.ts';
import { defaultQueryLimits, queryCost, queryLimits, rememberingQueryCost } from './query-limits.ts';

/** The limits measured against the largest legitimate queries of this project. */
const api = buildSchema(printSchema(Supergraph.build(readFileSync(SUPERGRAPH_FILE, 'utf8')).apiSchema()));
const legitimate: Record<string, string> = {
  'the walking-skeleton chart query': CHARTS_QUERY,
  'every covered type with references': EVERYTHING,
  'a practitioner: every shared chart': `{ sharedWithMe { id charts { ${FIXTURE_SELECTION} } } }`,
  'analytics: 1000 people, 100 results each': '{ researchCohort(first: 1000) { pseudonym charts { patient { gender birthYear } observations(first: 100) { code { coding { code } } valueQuantity { value unit } effectiveDateTime } } } }',
  'references of references': '{ sharedWithMe { charts { encounters(first: 20) { location { location { resource { ... on Location { managingOrganization { resource { ... on Organization { partOf { resource { ... on Organization { name } } } } } } } } } } } } } }',
};

function depth(doc: DocumentNode): number {
  const walk = (sel: { selectionSet?: { selections: readonly unknown[] } } | undefined, d: number): number =>
    Math.max(d, ...((sel?.selectionSet?.selections ?? []) as { kind: string; selectionSet?: { selections: readonly unknown[] } }[]).map((s) => walk(s, s.kind === 'Field' ? d + 1 : d)));
  return Math.max(...doc.definitions.map((def) => walk(def as never, 0)));
}

const { validationRules } = queryLimits(defaultQueryLimits, { blockFieldSuggestion: false });
const violations = (query: string) => validate(api, parse(query), validationRules).map((e) => e.message);

describe('query limits', () => {
  it('let the largest legitimate queries through, with room to spare', () => {
    const rows: string[] = [];
    for (const [name, query] of Object.entries(legitimate)) {
      const doc = parse(query);
      const cost = queryCost(api, doc, {}, defaultQueryLimits);
      rows.push(`${name}: depth ${depth(doc)}, cost ${cost}`);
      expect(violations(query), name).toEqual([]);
      expect(cost, name).toBeLessThanOrEqual(defaultQueryLimits.maxCost);
      expect(depth(doc), name).toBeLessThan(defaultQueryLimits.maxDepth);
    }
    console.log(rows.join('\n'));
  });

  it('refuse depth past the limit, and allow it at the limit', () => {
    // Organizations chained by partOf: 6 levels, and 2 more per link.
    const nest = (k: number) =>
      `{ sharedWithMe { charts { encounters { serviceProvider { resource { ... on Organization { ${'partOf { resource { ... on Organization { '.repeat(k)}name${' } } }'.repeat(k)} } } } } } } }`;
    const at = nest((defaultQueryLimits.maxDepth - 6) / 2);
    expect(depth(parse(at))).toBe(defaultQueryLimits.maxDepth);
    expect(violations(at)).toEqual([]);
    const past = nest((defaultQueryLimits.maxDepth - 6) / 2 + 1);
    expect(depth(parse(past))).toBe(defaultQueryLimits.maxDepth + 2);
    expect(violations(past).join()).toMatch(/depth/i);
  });

  it('refuse too many aliases and directives, each at and past its edge', () => {
    const aliases = (n: number) => `{ me { ${Array.from({ length: n }, (_, i) => `a${i}: id`).join(' ')} } }`;
    expect(violations(aliases(defaultQueryLimits.maxAliases))).toEqual([]);
    expect(violations(aliases(defaultQueryLimits.maxAliases + 1)).join()).toMatch(/alias/i);
    const directives = (n: number) => `{ me { id ${'@include(if: true) '.repeat(n)} } }`;
    expect(violations(directives(defaultQueryLimits.maxDirectives))).toEqual([]);
    expect(violations(directives(defaultQueryLimits.maxDirectives + 1)).join()).toMatch(/directive/i);
  });

  it('stop parsing past the token limit, and parse a document exactly at it', () => {
    const { parseOptions } = queryLimits({ ...defaultQueryLimits, maxTokens: 50 }, { blockFieldSuggestion: false });
    // `{ me { consents { id status scope … } } }`: 8 tokens of braces and names, then one per field.
    const fields = ['id', 'status', 'scope', 'dateTime'];
    const doc = (n: number) => `{ me { consents { ${Array.from({ length: n }, (_, i) => fields[i % fields.length]).join(' ')} } } }`;
    expect(() => parse(doc(42), parseOptions)).not.toThrow(); // 50 tokens
    expect(() => parse(doc(43), parseOptions)).toThrow(/Document contains more that 50 tokens/); // 51; sic
  });

  it('cost a list by its first: — a query within every other limit is refused for asking too many items', () => {
    const many = '{ researchCohort(first: 1000) { charts { observations(first: 100) { component { valueQuantity { value } referenceRange { low { value } high { value } } } } diagnosticReports(first: 100) { result { resource { ... on Observation { component { valueQuantity { value } } } } } } } } }';
    expect(violations(many)).toEqual([]);
    expect(queryCost(api, parse(many), {}, defaultQueryLimits)).toBeGreaterThan(defaultQueryLimits.maxCost);
    const fewer = many.replace('first: 1000', 'first: 100');
    expect(queryCost(api, parse(fewer), {}, defaultQueryLimits)).toBeLessThanOrEqual(defaultQueryLimits.maxCost);
  });

  it('remember a cost per document and variables, and cost other variables anew', () => {
    const costOf = rememberingQueryCost(defaultQueryLimits);
    const doc = parse('query($n: Int) { researchCohort(first: $n) { charts { observations(first: 10) { id } } } }');
    const ten = costOf(api, doc, { n: 10 });
    expect(ten).toBe(queryCost(api, doc, { n: 10 }, defaultQueryLimits));
    // The same parsed document and variables are answered from memory, not walked again:
    // changing the (already parsed) document's `first: 10` does not change the answer.
    const observations = JSON.stringify(doc).replace('"value":"10"', '"value":"100"');
    Object.assign(doc, JSON.parse(observations));
    expect(costOf(api, doc, { n: 10 })).toBe(ten);
    expect(queryCost(api, doc, { n: 10 }, defaultQueryLimits)).toBeGreaterThan(ten);
    const thousand = costOf(api, doc, { n: 1000 });
    expect(thousand).toBe(queryCost(api, doc, { n: 1000 }, defaultQueryLimits));
    expect(thousand).toBeGreaterThan(ten);
    // Variables of the wrong type still fail every time, never remembered as a cost.
    expect(() => costOf(api, doc, { n: 'ten' })).toThrow();
    expect(() => costOf(api, doc, { n: 'ten' })).toThrow();
  });
});
