import type { Condition, FhirResource, Immunization, MedicationRequest, Observation, Patient } from 'fhir/r4.js';
import type { DemoPerson } from '../demo-people.ts';
import * as t from './terminology.ts';

export interface GeneratorOptions {
  /** Hospital id, used in its MRN identifier system. */
  hospital: string;
  seed: number;
  /** How many people only this hospital knows. */
  localPatients: number;
  /** Demo people this hospital also treats (under its own local ids). */
  demoPeople: readonly DemoPerson[];
  identifierSystem: string;
}

/** Records end at this date so every run yields the same data, whatever today is. */
const REFERENCE_DATE = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

/**
 * A small seeded PRNG (mulberry32): the sandbox must produce the same records on every
 * machine and run, which Math.random cannot, and a dependency for ten lines is not worth it.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
const int = (rand: Rand, min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
const hex = (rand: Rand, n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoDateTime = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Hospital-local resource id: opaque, different at every hospital for the same person. */
function localId(rand: Rand): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}`;
}

/** Generates one hospital's records: its Patients and their clinical resources. */
export function generateHospitalRecords(options: GeneratorOptions): FhirResource[] {
  const rand = prng(options.seed);
  const out: FhirResource[] = [];
  const people: { person: Omit<DemoPerson, 'id' | 'username'>; demo: boolean }[] = [
    ...options.demoPeople.map((person) => ({ person, demo: true })),
    ...Array.from({ length: options.localPatients }, (_, i) => ({ person: syntheticPerson(rand, options.seed, i), demo: false })),
  ];
  for (const { person, demo } of people) {
    const patientId = localId(rand);
    const patient: Patient = {
      resourceType: 'Patient',
      id: patientId,
      meta: { lastUpdated: isoDateTime(REFERENCE_DATE) },
      identifier: [
        { use: 'usual', type: { text: 'Medical record number' }, system: `urn:hospital:${options.hospital}:mrn`, value: `MRN-${hex(rand, 6).toUpperCase()}` },
        { use: 'official', type: { text: 'National id' }, system: options.identifierSystem, value: person.nationalId },
      ],
      active: true,
      name: [{ use: 'official', family: person.family, given: [...person.given] }],
      telecom: [{ system: 'phone', value: `555-01${int(rand, 10, 99)}`, use: 'mobile' }],
      gender: person.gender,
      birthDate: person.birthDate,
      address: [{ use: 'home', line: [`${int(rand, 1, 240)} Sandbox Lane`], city: 'Exampleton', postalCode: `0${int(rand, 1000, 9999)}`, country: 'XX' }],
    };
    out.push(patient, ...clinicalRecords(rand, patientId, demo ? 6 : int(rand, 1, 4)));
  }
  return out;
}

function syntheticPerson(rand: Rand, seed: number, i: number): Omit<DemoPerson, 'id' | 'username'> {
  const gender = rand() < 0.5 ? 'female' : 'male';
  const born = REFERENCE_DATE - int(rand, 18 * 365, 88 * 365) * DAY;
  return {
    // Local people get national ids from a range the demo people never use.
    nationalId: `800-${String(seed).padStart(4, '0')}-${String(i).padStart(5, '0')}`,
    family: pick(rand, t.familyNames),
    given: [pick(rand, t.givenNames)],
    gender,
    birthDate: isoDay(born),
  };
}

function clinicalRecords(rand: Rand, patientId: string, visits: number): FhirResource[] {
  const subject = { reference: `Patient/${patientId}` };
  const out: FhirResource[] = [];
  const conditions = Array.from({ length: int(rand, 1, 3) }, () => pick(rand, t.conditionCodes));
  for (const [i, c] of [...new Set(conditions)].entries()) {
    const onset = REFERENCE_DATE - int(rand, 30, 3650) * DAY;
    const resolved = c.code === '10509002';
    const condition: Condition = {
      resourceType: 'Condition',
      id: `${patientId}-c${i}`,
      clinicalStatus: { coding: [{ system: t.CONDITION_CLINICAL, code: resolved ? 'resolved' : 'active' }] },
      verificationStatus: { coding: [{ system: t.CONDITION_VERIFICATION, code: 'confirmed' }] },
      category: [{ coding: [{ system: t.CONDITION_CATEGORY, code: 'problem-list-item', display: 'Problem List Item' }] }],
      code: { coding: [{ system: t.SNOMED, code: c.code, display: c.display }], text: c.display },
      subject,
      onsetDateTime: isoDateTime(onset),
      ...(resolved ? { abatementDateTime: isoDateTime(onset + 21 * DAY) } : {}),
      recordedDate: isoDateTime(onset + DAY),
    };
    out.push(condition);
  }
  for (let v = 0; v < visits; v++) {
    const when = REFERENCE_DATE - int(rand, 1, 1800) * DAY + int(rand, 8, 17) * 3_600_000;
    for (const [k, code] of t.observationCodes.entries()) {
      if (code.category === 'laboratory' && rand() < 0.5) continue;
      const value = Number((code.min + rand() * (code.max - code.min)).toFixed(code.decimals));
      const observation: Observation = {
        resourceType: 'Observation',
        id: `${patientId}-o${v}-${k}`,
        status: 'final',
        category: [{ coding: [{ system: t.OBSERVATION_CATEGORY, code: code.category, display: code.category === 'laboratory' ? 'Laboratory' : 'Vital Signs' }] }],
        code: { coding: [{ system: t.LOINC, code: code.code, display: code.display }], text: code.display },
        subject,
        effectiveDateTime: isoDateTime(when),
        issued: isoDateTime(when + 3_600_000),
        valueQuantity: { value, unit: code.unit, system: t.UCUM, code: code.ucum },
      };
      out.push(observation);
    }
  }
  for (const [i, m] of [...new Set(Array.from({ length: int(rand, 0, 2) }, () => pick(rand, t.medicationCodes)))].entries()) {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: `${patientId}-m${i}`,
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { coding: [{ system: t.RXNORM, code: m.code, display: m.display }], text: m.display },
      subject,
      authoredOn: isoDateTime(REFERENCE_DATE - int(rand, 10, 900) * DAY),
    };
    out.push(request);
  }
  for (const [i, vaccine] of [...new Set(Array.from({ length: int(rand, 1, 3) }, () => pick(rand, t.vaccineCodes)))].entries()) {
    const immunization: Immunization = {
      resourceType: 'Immunization',
      id: `${patientId}-i${i}`,
      status: 'completed',
      vaccineCode: { coding: [{ system: t.CVX, code: vaccine.code, display: vaccine.display }], text: vaccine.display },
      patient: subject,
      occurrenceDateTime: isoDateTime(REFERENCE_DATE - int(rand, 10, 2000) * DAY),
      lotNumber: `LOT${hex(rand, 5).toUpperCase()}`,
      primarySource: true,
    };
    out.push(immunization);
  }
  return out;
}
