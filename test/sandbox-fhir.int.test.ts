import type { Bundle, OperationOutcome, Patient } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople } from '../sandbox/demo-people.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const NID = 'https://national-id.example/nid';
const alice = demoPeople.find((p) => p.username === 'alice')!;
const bob = demoPeople.find((p) => p.username === 'bob')!;

async function fhir<T>(hospital: string, path: string): Promise<{ status: number; type: string | null; body: T }> {
  const res = await fetch(`${stack.fhirBaseUrls[hospital]}/${path}`, { headers: { accept: 'application/fhir+json' } });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as T };
}

async function patientByNid(hospital: string, nid: string): Promise<Patient | undefined> {
  const { body } = await fhir<Bundle<Patient>>(hospital, `Patient?identifier=${encodeURIComponent(`${NID}|${nid}`)}`);
  return body.entry?.[0]?.resource;
}

describe('sandbox hospitals (FHIR R4 over HTTP)', () => {
  it('runs at least three hospitals, each answering metadata as FHIR 4.0.1', async () => {
    const ids = Object.keys(stack.fhirBaseUrls);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const id of ids) {
      const { status, type, body } = await fhir<{ resourceType: string; fhirVersion: string }>(id, 'metadata');
      expect(status).toBe(200);
      expect(type).toContain('application/fhir+json');
      expect(body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    }
  });

  it('knows alice at every hospital and bob at two, under different local ids', async () => {
    const aliceIds = await Promise.all(['aurelia', 'brightwater', 'cedarvale'].map(async (h) => (await patientByNid(h, alice.nationalId))?.id));
    expect(aliceIds.every(Boolean)).toBe(true);
    expect(new Set(aliceIds).size).toBe(3);
    expect(await patientByNid('aurelia', bob.nationalId)).toBeUndefined();
    const bobIds = await Promise.all(['brightwater', 'cedarvale'].map(async (h) => (await patientByNid(h, bob.nationalId))?.id));
    expect(bobIds.every(Boolean)).toBe(true);
    expect(bobIds[0]).not.toBe(bobIds[1]);
  });

  it('has people only one hospital knows', async () => {
    const { body } = await fhir<Bundle<Patient>>('aurelia', 'Patient?_count=1000');
    const locals = (body.entry ?? []).map((e) => e.resource!).filter((p) => p.identifier?.find((i) => i.system === NID)?.value?.startsWith('800-'));
    expect(locals.length).toBeGreaterThan(0);
    const nid = locals[0]!.identifier!.find((i) => i.system === NID)!.value!;
    expect(await patientByNid('brightwater', nid)).toBeUndefined();
    expect(await patientByNid('cedarvale', nid)).toBeUndefined();
  });

  it('reads by id, searches by patient, subject and _id, and pages with next links', async () => {
    const patient = (await patientByNid('brightwater', alice.nationalId))!;
    const read = await fhir<Patient>('brightwater', `Patient/${patient.id}`);
    expect(read.body).toMatchObject({ resourceType: 'Patient', id: patient.id });

    const byPatient = await fhir<Bundle>('brightwater', `Observation?patient=Patient/${patient.id}&_count=4`);
    expect(byPatient.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(byPatient.body.entry).toHaveLength(4);
    expect(byPatient.body.total).toBeGreaterThan(4);
    const next = byPatient.body.link?.find((l) => l.relation === 'next')?.url;
    expect(next).toMatch(/_offset=4/);
    const page2 = (await (await fetch(next!)).json()) as Bundle;
    const seen = new Set(byPatient.body.entry!.map((e) => e.resource!.id));
    expect(page2.entry!.every((e) => !seen.has(e.resource!.id))).toBe(true);

    const bySubject = await fhir<Bundle>('brightwater', `Condition?subject=${patient.id}`);
    expect(bySubject.body.entry!.length).toBeGreaterThan(0);
    expect(bySubject.body.entry!.every((e) => (e.resource as unknown as { subject: { reference: string } }).subject.reference === `Patient/${patient.id}`)).toBe(true);

    const firstTwo = byPatient.body.entry!.slice(0, 2).map((e) => e.resource!.id).join(',');
    const byId = await fhir<Bundle>('brightwater', `Observation?_id=${firstTwo}`);
    expect(byId.body.entry!.map((e) => e.resource!.id).sort()).toEqual(firstTwo.split(',').sort());
  });

  it('answers errors as OperationOutcome with a fitting status', async () => {
    const missing = await fhir<OperationOutcome>('aurelia', 'Patient/does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    const badParam = await fhir<OperationOutcome>('aurelia', 'Observation?favourite=yes');
    expect(badParam.status).toBe(400);
    expect(badParam.body.resourceType).toBe('OperationOutcome');
    const badType = await fhir<OperationOutcome>('aurelia', 'Starship?_count=1');
    expect(badType.status).toBe(404);
    const write = await fetch(`${stack.fhirBaseUrls['aurelia']}/Patient`, { method: 'POST', body: '{}' });
    expect(write.status).toBe(405);
  });
});
