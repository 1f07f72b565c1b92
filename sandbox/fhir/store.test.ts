import type { Bundle, Observation } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { OutcomeError, ResourceStore } from './store.ts';

const obs = (id: string, patient: string, date: string, category: string, code = '8867-4'): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  subject: { reference: `Patient/${patient}` },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] }],
  code: { coding: [{ system: 'http://loinc.org', code }] },
  effectiveDateTime: date,
});

const store = new ResourceStore([
  { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:nid', value: '111' }] },
  { resourceType: 'Patient', id: 'p2', identifier: [{ system: 'urn:nid', value: '222' }] },
  obs('o1', 'p1', '2024-01-01', 'vital-signs'),
  obs('o2', 'p1', '2025-06-01', 'laboratory', '2339-0'),
  obs('o3', 'p1', '2023-03-03', 'vital-signs'),
  obs('o4', 'p2', '2025-01-01', 'vital-signs'),
]);

const base = 'http://fhir.test/fhir';
const search = (type: string, qs: string): Bundle => store.search(type, new URLSearchParams(qs), new URL(`${base}/${type}?${qs}`));
const ids = (b: Bundle) => (b.entry ?? []).map((e) => e.resource?.id);

describe('sandbox resource store', () => {
  it('finds a Patient by identifier system|value, and by value alone', () => {
    expect(ids(search('Patient', 'identifier=urn:nid|222'))).toEqual(['p2']);
    expect(ids(search('Patient', 'identifier=111'))).toEqual(['p1']);
    expect(ids(search('Patient', 'identifier=urn:other|111'))).toEqual([]);
  });

  it('searches by patient or subject, with or without the type prefix', () => {
    expect(ids(search('Observation', 'patient=Patient/p1'))).toEqual(['o1', 'o2', 'o3']);
    expect(ids(search('Observation', 'subject=p2'))).toEqual(['o4']);
  });

  it('searches by _id list, category, code and date, ANDing parameters', () => {
    expect(ids(search('Observation', '_id=o1,o4'))).toEqual(['o1', 'o4']);
    expect(ids(search('Observation', 'patient=p1&category=laboratory'))).toEqual(['o2']);
    expect(ids(search('Observation', 'code=http://loinc.org|2339-0'))).toEqual(['o2']);
    expect(ids(search('Observation', 'patient=p1&date=ge2024-01-01'))).toEqual(['o1', 'o2']);
  });

  it('sorts newest first and pages with _count and a next link', () => {
    const first = search('Observation', 'patient=p1&_sort=-date&_count=2');
    expect(ids(first)).toEqual(['o2', 'o1']);
    expect(first.total).toBe(3);
    const next = first.link?.find((l) => l.relation === 'next')?.url;
    expect(next).toBeDefined();
    const url = new URL(next as string);
    const second = store.search('Observation', url.searchParams, url);
    expect(ids(second)).toEqual(['o3']);
    expect(second.link?.some((l) => l.relation === 'next')).toBe(false);
  });

  it('answers searchset Bundles with full URLs', () => {
    const b = search('Patient', '_id=p1');
    expect(b).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(b.entry?.[0]).toMatchObject({ fullUrl: `${base}/Patient/p1`, search: { mode: 'match' } });
  });

  it('refuses unknown parameters, types and bad values instead of ignoring them', () => {
    const outcome = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as OutcomeError;
      }
      throw new Error('expected an OperationOutcome');
    };
    expect(outcome(() => search('Observation', 'colour=red'))).toMatchObject({ status: 400, issueCode: 'not-supported' });
    expect(outcome(() => search('Observation', '_count=-1'))).toMatchObject({ status: 400, issueCode: 'invalid' });
    expect(outcome(() => search('Spaceship', ''))).toMatchObject({ status: 404 });
    expect(outcome(() => store.read('Patient', 'nope'))).toMatchObject({ status: 404, issueCode: 'not-found' });
  });
});
