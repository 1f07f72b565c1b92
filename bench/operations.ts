import type { Bundle, FhirResource } from 'fhir/r4.js';
import { httpCall } from '../lib/http/http-client.ts';
import { demoPeople, type DemoPerson } from '../sandbox/demo-people.ts';
import { benchCohort, SHARED_WITH_PRACTITIONER } from './cohort.ts';

/**
 * The benchmarked operations, each in four ways: through a gateway (one GraphQL query),
 * and straight at the FHIR servers — `direct` as a frontend would without this project
 * (find the person at each hospital by national id, then search), `raw` with the local
 * patient ids already known (the physical floor: only the searches the data needs, all
 * in parallel). Each function returns the response bytes it read.
 */
export interface Operation {
  readonly name: string;
  readonly caller: 'alice' | 'drchen' | 'analytics';
  readonly query: string;
  /** Concurrent users each path is measured with. */
  readonly connections: { graph: number[]; baseline: number[] };
  /** Each measurement runs until it has at least this many operations, so that its p99 is not just the slowest one or two. */
  readonly minSamples: number;
  direct(world: World): Promise<number>;
  raw(world: World): Promise<number>;
}

export interface World {
  readonly fhirBaseUrls: Readonly<Record<string, string>>;
  readonly identifierSystem: string;
  /** Local Patient id per national id per hospital, found once (what `raw` may assume). */
  readonly patientIds: Map<string, Map<string, string>>;
}

/** GET a FHIR search; returns the Bundle and its size in bytes. */
async function fhir(url: string): Promise<{ bundle: Bundle; bytes: number }> {
  const res = await httpCall(url, { headers: { accept: 'application/fhir+json' }, timeoutMs: 60_000 });
  if (res.status !== 200) throw new Error(`FHIR answered ${res.status} for a benchmark search`);
  return { bundle: JSON.parse(res.text) as Bundle, bytes: Buffer.byteLength(res.text) };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Finds a person's local Patient id by national id (what `direct` does every time). */
async function findPatient(world: World, base: string, nationalId: string): Promise<{ id: string | undefined; bytes: number }> {
  const { bundle, bytes } = await fhir(`${base}/Patient?identifier=${encodeURIComponent(`${world.identifierSystem}|${nationalId}`)}`);
  return { id: (bundle.entry?.[0]?.resource as FhirResource | undefined)?.id, bytes };
}

/** Resolves once the local ids `raw` may assume. */
export async function resolvePatientIds(world: Omit<World, 'patientIds'>, people: readonly DemoPerson[]): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const [hospital, base] of Object.entries(world.fhirBaseUrls)) {
    const ids = new Map<string, string>();
    for (const p of people) {
      const { id } = await findPatient({ ...world, patientIds: out }, base, p.nationalId);
      if (id) ids.set(p.nationalId, id);
    }
    out.set(hospital, ids);
  }
  return out;
}

const alice = demoPeople.find((p) => p.username === 'alice') as DemoPerson;

/** What the dashboard asks of each chart. */
export const DASHBOARD_CHART = `hospital { id name } patient { name { family given } birthDate gender }
  observations(first: 20) { code { text } effectiveDateTime valueQuantity { value unit } }
  conditions(clinicalStatus: "active") { code { text } onsetDateTime }
  medicationRequests(status: "active") { medicationCodeableConcept { text } authoredOn }
  allergyIntolerances { code { text } criticality }`;

const dashboardSearches = (patient: string) => [
  `Observation?patient=Patient/${patient}&_sort=-date&_count=20`,
  `Condition?patient=Patient/${patient}&clinical-status=active`,
  `MedicationRequest?patient=Patient/${patient}&status=active`,
  `AllergyIntolerance?patient=Patient/${patient}`,
];

/** The FHIR searches holding one hospital's part of the dashboard, the patient's local id known (what `raw` makes). */
export const dashboardFhirSearches = (patient: string) => [`Patient?_id=${patient}`, ...dashboardSearches(patient)];

export const dashboard: Operation = {
  name: 'patient dashboard',
  caller: 'alice',
  query: `{ me { charts { ${DASHBOARD_CHART} } } }`,
  connections: { graph: [1, 10, 50], baseline: [1, 10, 50] },
  minSamples: 500,
  async direct(world) {
    const bytes = await Promise.all(Object.values(world.fhirBaseUrls).map(async (base) => {
      const found = await findPatient(world, base, alice.nationalId);
      if (!found.id) return found.bytes;
      const searches = await Promise.all(dashboardSearches(found.id).map((s) => fhir(`${base}/${s}`)));
      return found.bytes + sum(searches.map((s) => s.bytes));
    }));
    return sum(bytes);
  },
  async raw(world) {
    const calls = Object.entries(world.fhirBaseUrls).flatMap(([hospital, base]) => {
      const id = world.patientIds.get(hospital)?.get(alice.nationalId);
      return id ? dashboardFhirSearches(id).map((s) => `${base}/${s}`) : [];
    });
    return sum((await Promise.all(calls.map(fhir))).map((r) => r.bytes));
  },
};

/** The cohort people who shared one chart each with Dr. Chen, and at which hospital. */
function sharedPeople(world: World): { person: DemoPerson; hospital: string }[] {
  const hospitals = Object.keys(world.fhirBaseUrls);
  return benchCohort(SHARED_WITH_PRACTITIONER).map((person, i) => ({ person, hospital: hospitals[i % hospitals.length] as string }));
}

const practitionerSearches = (patient: string) => [`Observation?patient=Patient/${patient}&_sort=-date&_count=20`, `Condition?patient=Patient/${patient}&clinical-status=active`];

export const practitioner: Operation = {
  name: 'practitioner: people who shared with me',
  caller: 'drchen',
  query: `{ sharedWithMe { id charts { hospital { id } patient { name { family given } birthDate gender }
  observations(first: 20) { code { text } effectiveDateTime valueQuantity { value unit } }
  conditions(clinicalStatus: "active") { code { text } onsetDateTime } } } }`,
  connections: { graph: [1, 10], baseline: [1, 10] },
  minSamples: 500,
  async direct(world) {
    const bytes = await Promise.all(sharedPeople(world).map(async ({ person, hospital }) => {
      const base = world.fhirBaseUrls[hospital] as string;
      const found = await findPatient(world, base, person.nationalId);
      if (!found.id) return found.bytes;
      return found.bytes + sum((await Promise.all(practitionerSearches(found.id).map((s) => fhir(`${base}/${s}`)))).map((r) => r.bytes));
    }));
    return sum(bytes);
  },
  async raw(world) {
    const calls = sharedPeople(world).flatMap(({ person, hospital }) => {
      const id = world.patientIds.get(hospital)?.get(person.nationalId);
      const base = world.fhirBaseUrls[hospital] as string;
      return id ? [`Patient?_id=${id}`, ...practitionerSearches(id)].map((s) => `${base}/${s}`) : [];
    });
    return sum((await Promise.all(calls.map(fhir))).map((r) => r.bytes));
  },
};

const HEART_RATE = 'http://loinc.org|8867-4';

/** An analytics query of a few fields over the research cohort (up to 1,000 people). */
export function analytics(cohort: number): Operation {
  const people = benchCohort(cohort);
  const obs = (patient: string) => `Observation?patient=Patient/${patient}&code=${encodeURIComponent(HEART_RATE)}&_sort=-date&_count=5`;
  return {
    name: `analytics: heart rate of ${cohort} research participants`,
    caller: 'analytics',
    query: `{ researchCohort(first: ${cohort}) { pseudonym charts { hospital { id } patient { gender birthYear }
  observations(first: 5, code: "${HEART_RATE}") { effectiveDateTime valueQuantity { value unit } } } } }`,
    connections: { graph: [1], baseline: [1] },
    minSamples: 3,
    async direct(world) {
      const bytes = await Promise.all(Object.values(world.fhirBaseUrls).flatMap((base) => people.map(async (person) => {
        const found = await findPatient(world, base, person.nationalId);
        return found.id ? found.bytes + (await fhir(`${base}/${obs(found.id)}`)).bytes : found.bytes;
      })));
      return sum(bytes);
    },
    async raw(world) {
      const calls = Object.entries(world.fhirBaseUrls).flatMap(([hospital, base]) => {
        const ids = people.map((p) => world.patientIds.get(hospital)?.get(p.nationalId)).filter((id): id is string => id !== undefined);
        const batches = Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) => `Patient?_id=${ids.slice(i * 100, i * 100 + 100).join(',')}&_count=100`);
        return [...batches, ...ids.map(obs)].map((s) => `${base}/${s}`);
      });
      return sum((await Promise.all(calls.map(fhir))).map((r) => r.bytes));
    },
  };
}
