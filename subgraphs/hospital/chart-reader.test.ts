import type { FhirResource } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import type { Access } from '../../lib/auth/access.ts';
import { parseScopes } from '../../lib/auth/smart-scopes.ts';
import { createCursorCodec } from '../../lib/cursor.ts';
import type { FhirClient } from '../../lib/fhir/client.ts';
import { formatSearch } from '../../lib/fhir/search.ts';
import type { Grant } from '../../lib/grants.ts';
import { createLogger } from '../../lib/log.ts';
import { ResourceStore } from '../../sandbox/fhir/store.ts';
import { chartLists } from './chart-lists.ts';
import { ChartReader, parseReference } from './chart-reader.ts';
import { HospitalLoaders } from './hospital-loaders.ts';

/** The reader against an in-memory FHIR server behind the real client interface. */
function fakeClient(resources: FhirResource[], tamper?: (b: ReturnType<ResourceStore['search']>) => void): FhirClient & { calls: string[] } {
  const store = new ResourceStore(resources);
  const calls: string[] = [];
  const base = 'http://fhir.test/fhir/';
  const search = async (req: Parameters<FhirClient['search']>[0]) => {
    const url = new URL(base + formatSearch(req));
    calls.push(url.toString());
    const bundle = store.search(req.resourceType, url.searchParams, url);
    tamper?.(bundle);
    return bundle as never;
  };
  return {
    baseUrl: base, calls, search,
    searchMany: (reqs: Parameters<FhirClient['searchMany']>[0]) => Promise.all(reqs.map(search)),
    page: async (u: string) => store.search(new URL(u).pathname.split('/').pop()!, new URL(u).searchParams, new URL(u)) as never,
    searchAll: async () => [],
  };
}

const obs = (id: string, patient: string, extra: Record<string, unknown> = {}): FhirResource => ({
  resourceType: 'Observation', id, status: 'final', code: { text: id }, subject: { reference: `Patient/${patient}` }, effectiveDateTime: '2024-01-01', ...extra,
} as FhirResource);

const grant: Grant = { subject: 's', person: 'p', hospital: 'h', patient: 'me', purpose: 'patient-access', provisions: [{ resourceTypes: ['*'] }], expiresAt: 0 };
const access = (scopes: string[]): Access => ({ kind: 'patient', context: 'patient', scopes: parseScopes(scopes), fhirUser: 'Person/p', organization: undefined });
const observations = chartLists.find((l) => l.field === 'observations')!;

function reader(resources: FhirResource[], scopes = ['patient/*.rs'], tamper?: Parameters<typeof fakeClient>[1]) {
  const client = fakeClient(resources, tamper);
  const log = createLogger({ test: true });
  return { client, reader: new ChartReader(grant, access(scopes), new HospitalLoaders(client, 'h', log), createCursorCodec(), new WeakMap(), log) };
}

describe('ChartReader', () => {
  it('does not follow a reference to another patient’s record', async () => {
    const { reader: r } = reader([obs('mine', 'me'), obs('theirs', 'other')]);
    expect(await r.resolve({ reference: 'Observation/mine' })).toMatchObject({ id: 'mine' });
    expect(await r.resolve({ reference: 'Observation/theirs' })).toBeNull();
    expect(await r.resolve({ reference: 'Patient/other' })).toBeNull();
  });

  it('applies granular scopes to records reached through references', async () => {
    const lab = { category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }] };
    const { reader: r } = reader([obs('lab', 'me', lab), obs('vital', 'me')], ['patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory']);
    expect(await r.resolve({ reference: 'Observation/lab' })).toMatchObject({ id: 'lab' });
    expect(await r.resolve({ reference: 'Observation/vital' })).toBeNull();
  });

  it('refuses the field when the server answers with another patient’s record, the wrong type, or garbage', async () => {
    for (const tamper of [
      (b: { entry?: { resource?: unknown }[] }) => void (b.entry![0]!.resource = obs('x', 'other')),
      (b: { entry?: { resource?: unknown }[] }) => void (b.entry![0]!.resource = { resourceType: 'Condition', id: 'c', subject: { reference: 'Patient/me' } }),
      (b: { entry?: { resource?: unknown }[] }) => void (b.entry![0]!.resource = 'garbage'),
    ]) {
      const { reader: r } = reader([obs('a', 'me')], undefined, tamper as never);
      await expect(r.list(observations, { first: 10 })).rejects.toMatchObject({ extensions: { code: 'HOSPITAL_UNAVAILABLE', hospital: 'h' } });
    }
  });

  it('refuses the patient when a read by id answers with another patient', async () => {
    const { reader: r } = reader([{ resourceType: 'Patient', id: 'me' } as FhirResource], undefined, (b) => void (b.entry![0]!.resource = { resourceType: 'Patient', id: 'someone-else' } as never));
    await expect(r.patient()).rejects.toMatchObject({ extensions: { code: 'HOSPITAL_UNAVAILABLE' } });
  });

  it('batches references of one type into one `_id` search', async () => {
    const many = Array.from({ length: 30 }, (_, i) => obs(`o${i}`, 'me'));
    const { reader: r, client } = reader(many);
    const found = await Promise.all(many.map((o) => r.resolve({ reference: `Observation/${o.id}` })));
    expect(found.every(Boolean)).toBe(true);
    expect(client.calls).toHaveLength(1);
    expect(new URL(client.calls[0]!).searchParams.get('_id')?.split(',')).toHaveLength(30);
  });

  it('parses only resolvable references', () => {
    expect(parseReference('Practitioner/pr-1')).toEqual({ resourceType: 'Practitioner', id: 'pr-1' });
    expect(parseReference('https://fhir.example/r4/Observation/7/_history/2')).toEqual({ resourceType: 'Observation', id: '7' });
    for (const v of ['#contained', 'urn:uuid:1234', 'Observation', 42, undefined, 'Observation/../../x']) expect(parseReference(v)).toBeUndefined();
  });
});
