import type { AllergyIntolerance, Condition, DiagnosticReport, DocumentReference, Encounter, FhirResource, Immunization, Location, Medication, MedicationRequest, Observation, Organization, Patient, Practitioner, Procedure } from 'fhir/r4.js';
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
  // Local people are drawn after the demo people's records, so the demo people's records
  // are the same whatever the hospital's size (benchmarks compare sizes on the same data).
  function* people(): Generator<{ person: Omit<DemoPerson, 'id' | 'username'>; demo: boolean }> {
    for (const person of options.demoPeople) yield { person, demo: true };
    for (let i = 0; i < options.localPatients; i++) yield { person: syntheticPerson(rand, options.seed, i), demo: false };
  }
  const context = hospitalContext(options.hospital, options.seed);
  out.push(...context.resources);
  let index = -1;
  for (const { person, demo } of people()) {
    index++;
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
      communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en', display: 'English' }], text: 'English' }, preferred: true }],
      generalPractitioner: [{ reference: `Practitioner/${context.practitioners[0]}` }],
      managingOrganization: { reference: `Organization/${context.organization}` },
    };
    const records = clinicalRecords(rand, patientId, demo ? 6 : int(rand, 1, 4));
    // A second stream, so adding kinds of records never changes the ones above.
    out.push(patient, ...records, ...careRecords(prng(options.seed * 7919 + index), patientId, context, records));
  }
  return out;
}

interface HospitalContextIds {
  resources: FhirResource[];
  organization: string;
  practitioners: string[];
  locations: string[];
  medications: Map<string, string>;
}

/** The hospital itself, its practitioners, locations and medication catalogue (reached by reference). */
function hospitalContext(hospital: string, seed: number): HospitalContextIds {
  const rand = prng(seed * 104729);
  const organization = `org-${hospital}`;
  const resources: FhirResource[] = [
    { resourceType: 'Organization', id: organization, active: true, type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }] }], name: `${hospital[0]!.toUpperCase()}${hospital.slice(1)} (sandbox)`, telecom: [{ system: 'phone', value: '555-0100' }] } satisfies Organization,
  ];
  const practitioners = Array.from({ length: 3 }, (_, i) => {
    const id = `pr-${hospital}-${i + 1}`;
    resources.push({ resourceType: 'Practitioner', id, active: true, name: [{ family: pick(rand, t.familyNames), given: [pick(rand, t.givenNames)], prefix: ['Dr.'] }], gender: rand() < 0.5 ? 'female' : 'male', qualification: [{ code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0360', code: 'MD', display: 'Doctor of Medicine' }] } }] } satisfies Practitioner);
    return id;
  });
  const locations = ['Outpatient clinic', 'Laboratory'].map((name, i) => {
    const id = `loc-${hospital}-${i + 1}`;
    resources.push({ resourceType: 'Location', id, status: 'active', name, mode: 'instance', managingOrganization: { reference: `Organization/${organization}` } } satisfies Location);
    return id;
  });
  const medications = new Map(t.medicationCodes.map((m, i) => {
    const id = `med-${hospital}-${i + 1}`;
    resources.push({ resourceType: 'Medication', id, status: 'active', code: { coding: [{ system: t.RXNORM, code: m.code, display: m.display }], text: m.display }, form: { text: 'Oral tablet' } } satisfies Medication);
    return [m.code, id] as const;
  }));
  return { resources, organization, practitioners, locations, medications };
}

/** Encounters, procedures, reports, documents, allergies and a blood-pressure panel, with references. */
function careRecords(rand: Rand, patientId: string, ctx: HospitalContextIds, earlier: FhirResource[]): FhirResource[] {
  const subject = { reference: `Patient/${patientId}` };
  const practitioner = () => ({ reference: `Practitioner/${pick(rand, ctx.practitioners)}` });
  const out: FhirResource[] = [];
  const encounters = Array.from({ length: int(rand, 1, 3) }, (_, i) => {
    const start = REFERENCE_DATE - int(rand, 1, 1500) * DAY + int(rand, 8, 16) * 3_600_000;
    const encounter: Encounter = {
      resourceType: 'Encounter', id: `${patientId}-e${i}`, status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [{ coding: [{ system: t.SNOMED, code: '185349003', display: 'Encounter for check up (procedure)' }], text: 'Check-up' }],
      subject, participant: [{ individual: practitioner() }],
      period: { start: isoDateTime(start), end: isoDateTime(start + 1_800_000) },
      location: [{ location: { reference: `Location/${ctx.locations[0]}` } }],
      serviceProvider: { reference: `Organization/${ctx.organization}` },
    };
    return encounter;
  });
  out.push(...encounters);
  const encounter = encounters[0] as Encounter;
  const when = encounter.period?.start as string;
  out.push({
    resourceType: 'Observation', id: `${patientId}-bp`, status: 'final',
    category: [{ coding: [{ system: t.OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] }],
    code: { coding: [{ system: t.LOINC, code: '85354-9', display: 'Blood pressure panel with all children optional' }], text: 'Blood pressure' },
    subject, encounter: { reference: `Encounter/${encounter.id}` }, effectiveDateTime: when, performer: [practitioner()],
    interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'N', display: 'Normal' }] }],
    component: [
      { code: { coding: [{ system: t.LOINC, code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: { value: int(rand, 105, 150), unit: 'mm[Hg]', system: t.UCUM, code: 'mm[Hg]' }, referenceRange: [{ high: { value: 140, unit: 'mm[Hg]', system: t.UCUM, code: 'mm[Hg]' } }] },
      { code: { coding: [{ system: t.LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: { value: int(rand, 62, 95), unit: 'mm[Hg]', system: t.UCUM, code: 'mm[Hg]' }, referenceRange: [{ high: { value: 90, unit: 'mm[Hg]', system: t.UCUM, code: 'mm[Hg]' } }] },
    ],
  } satisfies Observation);
  const labs = earlier.filter((r): r is Observation => r.resourceType === 'Observation' && r.category?.[0]?.coding?.[0]?.code === 'laboratory');
  if (labs.length > 0) {
    out.push({
      resourceType: 'DiagnosticReport', id: `${patientId}-dr0`, status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
      code: { coding: [{ system: t.LOINC, code: '24323-8', display: 'Comprehensive metabolic 2000 panel - Serum or Plasma' }], text: 'Metabolic panel' },
      subject, effectiveDateTime: labs[0]!.effectiveDateTime as string, issued: labs[0]!.issued as string,
      performer: [{ reference: `Organization/${ctx.organization}` }],
      result: labs.filter((l) => l.effectiveDateTime === labs[0]!.effectiveDateTime).map((l) => ({ reference: `Observation/${l.id}`, display: l.code.text as string })),
      conclusion: 'Within expected ranges for the patient.',
    } satisfies DiagnosticReport);
  }
  const p = pick(rand, t.procedureCodes);
  out.push({
    resourceType: 'Procedure', id: `${patientId}-p0`, status: 'completed',
    code: { coding: [{ system: t.SNOMED, code: p.code, display: p.display }], text: p.display },
    subject, encounter: { reference: `Encounter/${encounter.id}` }, performedDateTime: when,
    performer: [{ actor: practitioner(), onBehalfOf: { reference: `Organization/${ctx.organization}` } }],
    location: { reference: `Location/${ctx.locations[0]}` },
  } satisfies Procedure);
  if (rand() < 0.6) {
    const a = pick(rand, t.allergyCodes);
    const r = pick(rand, t.reactionCodes);
    out.push({
      resourceType: 'AllergyIntolerance', id: `${patientId}-a0`,
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
      type: 'allergy', category: [a.category], criticality: rand() < 0.3 ? 'high' : 'low',
      code: { coding: [{ system: t.SNOMED, code: a.code, display: a.display }], text: a.display },
      patient: subject, recordedDate: isoDateTime(REFERENCE_DATE - int(rand, 100, 3000) * DAY), recorder: practitioner(),
      reaction: [{ manifestation: [{ coding: [{ system: t.SNOMED, code: r.code, display: r.display }], text: r.display }], severity: 'moderate' }],
    } satisfies AllergyIntolerance);
  }
  out.push({
    resourceType: 'DocumentReference', id: `${patientId}-d0`, status: 'current', docStatus: 'final',
    type: { coding: [{ system: t.LOINC, code: '34117-2', display: 'History and physical note' }], text: 'History and physical note' },
    category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' }] }],
    subject, date: when, author: [practitioner()], description: 'Visit note',
    content: [{ attachment: { contentType: 'text/plain', url: `Binary/${patientId}-d0`, size: 1024 + int(rand, 0, 4000), title: 'Visit note', creation: when } }],
  } satisfies DocumentReference);
  // Earlier medication requests and immunizations get their references (no random draws).
  for (const r of earlier) {
    if (r.resourceType === 'MedicationRequest') {
      const code = r.medicationCodeableConcept?.coding?.[0]?.code;
      const medication = code ? ctx.medications.get(code) : undefined;
      r.requester = { reference: `Practitioner/${ctx.practitioners[0]}` };
      r.dosageInstruction = [{ sequence: 1, text: 'Take one tablet by mouth daily', route: { coding: [{ system: t.SNOMED, code: '26643006', display: 'Oral route' }] }, doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet' } }] }];
      if (medication && r.id?.endsWith('0')) {
        delete r.medicationCodeableConcept;
        r.medicationReference = { reference: `Medication/${medication}` };
      }
    }
    if (r.resourceType === 'Immunization') {
      r.performer = [{ actor: { reference: `Practitioner/${ctx.practitioners[1]}` } }];
      r.location = { reference: `Location/${ctx.locations[0]}` };
      r.protocolApplied = [{ doseNumberPositiveInt: 1, series: 'Primary' }];
    }
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
