import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from './helpers/queries.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

/** The clinical graph: FHIR R4 coverage, references, filters, order, paging, batching. */
let stack: TestStack;
let alice: string;
let bob: string;
beforeAll(async () => {
  stack = await startTestStack();
  [alice, bob] = [await stack.token('alice'), await stack.token('bob')];
});
afterAll(() => stack?.stop());

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads of loose JSON
const chartsOf = (body: { data?: Json | null }): Json[] => body.data?.['me']?.charts ?? [];


describe('coverage', () => {
  it('serves every covered resource type with FHIR element names, and resolves references inside the hospital', async () => {
    const res = await stack.gql(EVERYTHING, alice);
    expect(res.body.errors).toBeUndefined();
    const charts = chartsOf(res.body);
    expect(charts).toHaveLength(3);
    for (const c of charts) {
      expect(c['patient'].communication[0]).toEqual({ language: { text: 'English' }, preferred: true });
      expect(c['patient'].generalPractitioner[0].resource.name[0].prefix).toEqual(['Dr.']);
      expect(c['patient'].managingOrganization.resource.name).toMatch(/sandbox/);
      const bp = c['observations'].find((o: Json) => o.code.coding[0].code === '85354-9');
      expect(bp.component.map((x: Json) => x.code.coding[0].code)).toEqual(['8480-6', '8462-4']);
      expect(bp.component[0].referenceRange[0].high).toEqual({ value: 140, unit: 'mm[Hg]' });
      expect(bp.encounter.resource.class.code).toBe('AMB');
      expect(bp.performer[0].resource.id).toMatch(/^pr-/);
      for (const m of c['medicationRequests']) {
        expect(m.medicationCodeableConcept?.coding[0].system ?? m.medicationReference.resource.code.coding[0].system).toBe('http://www.nlm.nih.gov/research/umls/rxnorm');
        expect(m.requester.resource.id).toMatch(/^pr-/);
      }
      for (const i of c['immunizations']) {
        expect(i.vaccineCode.coding[0].system).toBe('http://hl7.org/fhir/sid/cvx');
        expect(i.protocolApplied[0].doseNumberPositiveInt).toBe(1);
        expect(i.location.resource.name).toBe('Outpatient clinic');
      }
      expect(c['encounters'][0].location[0].location.resource.managingOrganization.resource.name).toMatch(/sandbox/);
      expect(c['procedures'][0].performer[0].actor.resource.id).toMatch(/^pr-/);
      const report = c['diagnosticReports'][0];
      if (report) expect(report.result.every((r: Json) => r.resource?.valueQuantity?.unit)).toBe(true);
      expect(c['documentReferences'][0].content[0].attachment).toMatchObject({ contentType: 'text/plain', url: expect.stringMatching(/^Binary\//) });
    }
    expect(charts.flatMap((c) => c['allergyIntolerances']).length + charts.flatMap((c) => c['diagnosticReports']).length).toBeGreaterThan(0);
  });

  it('resolves a reference to the type it points at', async () => {
    const res = await stack.gql('{ me { charts { patient { managingOrganization { reference resource { __typename } } } } } }', bob);
    expect(res.body.errors).toBeUndefined();
    for (const c of chartsOf(res.body)) expect(c['patient'].managingOrganization.resource).toEqual({ __typename: 'Organization' });
  });
});

describe('filters and order', () => {
  const obs = async (args: string) => {
    const res = await stack.gql(`{ me { charts { hospital { id } observations(${args}) { id category { coding { code } } code { coding { system code } } effectiveDateTime status } } } }`, alice);
    expect(res.body.errors).toBeUndefined();
    return chartsOf(res.body).flatMap((c) => c['observations'] as Json[]);
  };

  it('filters by category, by code (system|code), by status and by date range', async () => {
    const lab = await obs('first: 100, category: "laboratory"');
    expect(lab.length).toBeGreaterThan(0);
    expect(lab.every((o) => o.category[0].coding[0].code === 'laboratory')).toBe(true);
    const hr = await obs('first: 100, code: "http://loinc.org|8867-4"');
    expect(hr.length).toBeGreaterThan(0);
    expect(hr.every((o) => o.code.coding[0].code === '8867-4')).toBe(true);
    expect(await obs('first: 100, status: "amended"')).toEqual([]);
    const range = await obs('first: 100, dateFrom: "2024-01-01", dateTo: "2024-12-31"');
    expect(range.length).toBeGreaterThan(0);
    expect(range.every((o) => o.effectiveDateTime >= '2024-01-01' && o.effectiveDateTime < '2025')).toBe(true);
  });

  it('lists newest first by default, oldest first on request', async () => {
    for (const c of chartsOf((await stack.gql('{ me { charts { a: observations(first: 100) { effectiveDateTime } b: observations(first: 100, sort: OLDEST_FIRST) { effectiveDateTime } } } }', alice)).body)) {
      const a = c['a'].map((o: Json) => o.effectiveDateTime);
      expect(a).toEqual([...a].sort().reverse());
      expect(c['b'].map((o: Json) => o.effectiveDateTime)).toEqual([...a].sort());
    }
  });

  it('refuses malformed filter values with BAD_USER_INPUT', async () => {
    for (const args of ['dateFrom: "yesterday"', 'category: "a&b=c"', 'first: 101']) {
      const res = await stack.gql(`{ me { charts { observations(${args}) { id } } } }`, alice);
      expect(res.body.errors?.[0]?.extensions?.['code'], args).toBe('BAD_USER_INPUT');
    }
  });
});

describe('paging', () => {
  const PAGE = 'query($after: String) { me { charts { hospital { id } observationsConnection(first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id effectiveDateTime } } } } } }';

  it('pages through a list with opaque cursors, every record once, newest first', async () => {
    const first = chartsOf((await stack.gql(PAGE, alice)).body)[1]!;
    const total = first['observationsConnection'].totalCount;
    expect(total).toBeGreaterThan(14);
    const ids: string[] = first['observationsConnection'].edges.map((e: Json) => e.node.id);
    let cursor = first['observationsConnection'].pageInfo.endCursor;
    let pages = 1;
    while (cursor) {
      const res = await stack.gql(PAGE, alice, { after: cursor });
      const chart = chartsOf(res.body).find((c) => c['hospital'].id === first['hospital'].id)!;
      // The cursor belongs to one hospital's list: the others refuse it.
      expect(res.body.errors?.length).toBe(2);
      expect(res.body.errors?.every((e) => e.extensions?.['code'] === 'BAD_USER_INPUT')).toBe(true);
      ids.push(...chart['observationsConnection'].edges.map((e: Json) => e.node.id));
      cursor = chart['observationsConnection'].pageInfo.endCursor;
      pages++;
    }
    expect(pages).toBe(Math.ceil(total / 7));
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  });

  it('refuses a cursor used for another person, a tampered cursor, and a made-up one', async () => {
    const cursor = chartsOf((await stack.gql(PAGE, alice)).body)[1]!['observationsConnection'].pageInfo.endCursor as string;
    const asBob = await stack.gql(PAGE, bob, { after: cursor });
    expect(chartsOf(asBob.body).every((c) => c['observationsConnection'] === null)).toBe(true);
    expect(JSON.stringify(asBob.body)).not.toContain('Quill');
    const flipped = cursor.slice(0, 20) + (cursor[20] === 'A' ? 'B' : 'A') + cursor.slice(21);
    for (const bad of [flipped, 'not-a-cursor', Buffer.from('{"u":"http://evil.invalid/"}').toString('base64url')]) {
      const res = await stack.gql(PAGE, alice, { after: bad });
      expect(chartsOf(res.body).every((c) => c['observationsConnection'] === null)).toBe(true);
      expect(res.body.errors?.every((e) => e.extensions?.['code'] === 'BAD_USER_INPUT')).toBe(true);
    }
  });
});

describe('no N+1', () => {
  it('makes FHIR calls per (resource type, filter), not per record or reference', async () => {
    stack.fhirRequests.length = 0;
    const res = await stack.gql(EVERYTHING, alice);
    const charts = chartsOf(res.body);
    const records = charts.reduce((n, c) => n + ['observations', 'conditions', 'medicationRequests', 'allergyIntolerances', 'immunizations', 'encounters', 'procedures', 'diagnosticReports', 'documentReferences'].reduce((m, f) => m + c[f].length, 0), 0);
    const references = (JSON.stringify(res.body).match(/"resource":\{/g) ?? []).length;
    const perHospital = new Map<string, string[]>();
    for (const r of stack.fhirRequests) perHospital.set(r.hospital, [...(perHospital.get(r.hospital) ?? []), new URL(r.url).pathname.split('/').pop()!]);
    console.log(`FHIR calls for ${records} records and ${references} resolved references over 3 hospitals: ${stack.fhirRequests.length} (${[...perHospital].map(([h, p]) => `${h} ${p.length}`).join(', ')})`);
    expect(records).toBeGreaterThan(150);
    expect(references).toBeGreaterThan(50);
    for (const [hospital, paths] of perHospital) {
      // 9 list searches + the Patient + one batched `_id` search per referenced type and depth.
      expect(paths.length, hospital).toBeLessThanOrEqual(20);
      expect(stack.fhirRequests.filter((r) => r.hospital === hospital).every((r) => new URL(r.url).search.length > 0), 'no reads by id, only searches').toBe(true);
    }
  });
});
