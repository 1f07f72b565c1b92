import type { Observation, Patient } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { demoPeople } from '../demo-people.ts';
import { generateHospitalRecords } from './generator.ts';
import { CVX, LOINC, RXNORM, SNOMED } from './terminology.ts';

const nid = 'https://national-id.example/nid';
const gen = (hospital: string, seed: number) =>
  generateHospitalRecords({ hospital, seed, localPatients: 5, demoPeople, identifierSystem: nid });
const patients = (rs: ReturnType<typeof gen>) => rs.filter((r): r is Patient => r.resourceType === 'Patient');
const nationalId = (p: Patient) => p.identifier?.find((i) => i.system === nid)?.value;

describe('synthetic record generator', () => {
  it('is deterministic for a seed', () => {
    expect(JSON.stringify(gen('north', 7))).toBe(JSON.stringify(gen('north', 7)));
    expect(JSON.stringify(gen('north', 7))).not.toBe(JSON.stringify(gen('north', 8)));
  });

  it("gives a demo person the same records whatever the hospital's size", () => {
    const of = (localPatients: number) => {
      const records = generateHospitalRecords({ hospital: 'north', seed: 3, localPatients, demoPeople, identifierSystem: nid });
      const alice = patients(records).find((p) => nationalId(p) === demoPeople[0]!.nationalId)!;
      return JSON.stringify(records.filter((r) => r === alice || JSON.stringify(r).includes(`Patient/${alice.id}`)));
    };
    expect(of(10)).toBe(of(300));
  });

  it('records the same person under different local ids and one national id', () => {
    const north = patients(gen('north', 1));
    const south = patients(gen('south', 2));
    for (const person of demoPeople) {
      const a = north.find((p) => nationalId(p) === person.nationalId);
      const b = south.find((p) => nationalId(p) === person.nationalId);
      expect(a?.id).toBeDefined();
      expect(b?.id).toBeDefined();
      expect(a?.id).not.toBe(b?.id);
      expect(a?.name?.[0]?.family).toBe(person.family);
      expect(a?.birthDate).toBe(person.birthDate);
    }
  });

  it('gives each hospital people only it knows', () => {
    const north = new Set(patients(gen('north', 1)).map(nationalId));
    const south = patients(gen('south', 2)).map(nationalId);
    const onlySouth = south.filter((id) => !north.has(id));
    expect(onlySouth).toHaveLength(5);
  });

  it('uses real code systems, and every record points at a Patient of the same hospital', () => {
    const records = gen('north', 3);
    const ids = new Set(patients(records).map((p) => `Patient/${p.id}`));
    const systems = new Set(records.flatMap((r) => JSON.stringify(r).match(/"system":"[^"]+"/g) ?? []).map((s) => s.slice(10, -1)));
    for (const sys of [LOINC, SNOMED, CVX]) expect(systems).toContain(sys);
    expect([...systems].some((s) => s === RXNORM) || records.every((r) => r.resourceType !== 'MedicationRequest')).toBe(true);
    const contextTypes = ['Patient', 'Practitioner', 'Organization', 'Location', 'Medication'];
    for (const r of records) {
      if (contextTypes.includes(r.resourceType)) continue;
      const ref = (r as { subject?: { reference?: string }; patient?: { reference?: string } }).subject?.reference ?? (r as { patient?: { reference?: string } }).patient?.reference;
      expect(ids.has(ref as string), `${r.resourceType}/${r.id}`).toBe(true);
    }
    // Every reference points at a resource of the same hospital.
    const all = new Set(records.map((r) => `${r.resourceType}/${r.id}`));
    const refs = JSON.stringify(records).match(/"reference":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(100);
    for (const ref of refs) expect(all.has(ref.slice(13, -1)), ref).toBe(true);
    const obs = records.find((r): r is Observation => r.resourceType === 'Observation');
    expect(obs?.valueQuantity).toMatchObject({ system: 'http://unitsofmeasure.org' });
    expect(obs?.code.coding?.[0]?.system).toBe(LOINC);
  });
});
