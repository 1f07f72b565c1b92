import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHospitalsFile } from '../lib/config.ts';
import { servedResourceTypes } from '../lib/fhir/resource-types.ts';
import { DASHBOARD_CHART, dashboardFhirSearches } from '../bench/operations.ts';
import { demoAccounts } from '../sandbox/sso/accounts.ts';
import { composeSupergraph } from '../schema/compose.ts';
import { ConsentRecords } from '../subgraphs/consent/consent-store.ts';
import { openPostgres } from '../subgraphs/consent/db.ts';
import { PeopleStore } from '../subgraphs/consent/people-store.ts';
import { FIXTURE_SELECTION as SELECTION } from './helpers/queries.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

/**
 * Real FHIR R4 data written by others (Synthea bundles, HL7's official examples), loaded
 * into a sandbox hospital and served through the gateway: no GraphQL errors, and what the
 * graph returns equals the source JSON, field by field.
 */
const FIXTURES = path.resolve('../shared/fixtures');
const DIRS = ['synthea', 'fhir-examples'].map((d) => path.join(FIXTURES, d));
const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `graph_fixtures_${process.pid}_${Date.now()}`;
const chen = demoAccounts.find((a) => a.username === 'drchen')!;

/** Every resource of the source files, untouched, by `Type/id`. */
function sourceResources(): Map<string, FhirResource> {
  const out = new Map<string, FhirResource>();
  for (const dir of DIRS) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as FhirResource;
      const all = json.resourceType === 'Bundle' ? ((json as Bundle).entry ?? []).map((e) => e.resource as FhirResource) : [json];
      for (const r of all) if (r?.id) out.set(`${r.resourceType}/${r.id}`, r);
    }
  }
  return out;
}

const LISTS: Record<string, string> = {
  observations: 'Observation', conditions: 'Condition', medicationRequests: 'MedicationRequest', allergyIntolerances: 'AllergyIntolerance', immunizations: 'Immunization',
  encounters: 'Encounter', procedures: 'Procedure', diagnosticReports: 'DiagnosticReport', documentReferences: 'DocumentReference',
};

/** Compares a GraphQL node with its source resource; returns the differences and counts the fields compared. */
function compare(node: unknown, source: unknown, at: string, diffs: string[], counter: { n: number }): void {
  if (node === null) {
    if (source !== undefined && source !== null) diffs.push(`${at}: graph null, source ${JSON.stringify(source).slice(0, 80)}`);
    return;
  }
  if (Array.isArray(node)) {
    if (!Array.isArray(source) || source.length !== node.length) return void diffs.push(`${at}: list length ${node.length} vs ${Array.isArray(source) ? source.length : typeof source}`);
    node.forEach((v, i) => compare(v, source[i], `${at}[${i}]`, diffs, counter));
    return;
  }
  if (typeof node === 'object') {
    if (!source || typeof source !== 'object') return void diffs.push(`${at}: object vs ${typeof source}`);
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      // References were made resolvable on load (urn:uuid → Type/id): the rest of the Reference must match.
      if (k === 'reference' && typeof (source as Record<string, unknown>)[k] === 'string' && !/^[A-Z][A-Za-z]+\/[^/]+$/.test((source as Record<string, string>)[k]!)) continue;
      compare(v, (source as Record<string, unknown>)[k], `${at}.${k}`, diffs, counter);
    }
    return;
  }
  counter.n++;
  if (node !== source) diffs.push(`${at}: graph ${JSON.stringify(node)} vs source ${JSON.stringify(source)}`);
}

let stack: TestStack;
let dir: string;
const source = sourceResources();
const patients = [...source.values()].filter((r) => r.resourceType === 'Patient');

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  dir = await mkdtemp(path.join(tmpdir(), 'fhir-graph-fixtures-'));
  const [template] = loadHospitalsFile('config/hospitals.json');
  const hospital = { ...template!, id: 'fixtures', name: 'Fixtures General', typeName: 'FixturesChart', sandbox: { seed: 1, localPatients: 0, demoPeople: [], load: DIRS } };
  await writeFile(path.join(dir, 'hospitals.json'), JSON.stringify({ hospitals: [hospital] }));
  const url = ADMIN.replace(/\/postgres$/, `/${database}`);
  stack = await startTestStack({ HOSPITALS_CONFIG: path.join(dir, 'hospitals.json'), DATABASE_URL: url }, { supergraphSdl: composeSupergraph(loadHospitalsFile(path.join(dir, 'hospitals.json'))) });
  // Each fixture Patient becomes a portal person who shared everything with Dr. Chen.
  const db = await openPostgres(url);
  try {
    const people = new PeopleStore(db);
    const records = new ConsentRecords(db);
    for (const p of patients) {
      const person = { id: `fx-${p.id}`, subject: `fx-sub-${p.id}`, nationalId: `fx-${p.id}` };
      await people.enrollPerson(person);
      await people.saveLink(person.id, { hospitalId: 'fixtures', patientId: p.id!, checkedAt: new Date() });
      await records.create(person.id, { scope: 'patient-privacy', actor: chen.fhirUser, resourceTypes: [...servedResourceTypes], hospitals: ['fixtures'], periodStart: undefined, periodEnd: undefined });
    }
  } finally {
    await db.close();
  }
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

describe('real FHIR data through the graph', () => {
  it('serves every fixture patient and their records with no GraphQL errors, equal to the source field by field', async () => {
    const token = await stack.token('drchen');
    const res = await stack.gql(`{ sharedWithMe { id charts { ${SELECTION} } } }`, token);
    expect(res.body.errors ?? []).toEqual([]);
    expect(res.status).toBe(200);
    const people = (res.body.data as { sharedWithMe: { id: string; charts: Record<string, unknown>[] }[] }).sharedWithMe;
    expect(people).toHaveLength(patients.length);

    const diffs: string[] = [];
    const compared = new Map<string, { resources: number; fields: number }>();
    const check = (type: string, node: Record<string, unknown>) => {
      const src = source.get(`${type}/${node['id']}`);
      expect(src, `${type}/${node['id']} comes from the fixtures`).toBeDefined();
      const counter = { n: 0 };
      compare(node, src, `${type}/${node['id']}`, diffs, counter);
      const c = compared.get(type) ?? { resources: 0, fields: 0 };
      compared.set(type, { resources: c.resources + 1, fields: c.fields + counter.n });
    };
    for (const person of people) {
      expect(person.charts).toHaveLength(1);
      const chart = person.charts[0]!;
      check('Patient', chart['patient'] as Record<string, unknown>);
      for (const [field, type] of Object.entries(LISTS)) for (const node of chart[field] as Record<string, unknown>[]) check(type, node);
    }
    console.log('compared with the source JSON:', [...compared].map(([t, c]) => `${t} ${c.resources} resources/${c.fields} values`).join('; '));
    expect(diffs.slice(0, 20)).toEqual([]);
    for (const type of ['Patient', ...Object.values(LISTS)]) expect(compared.get(type)?.resources ?? 0, type).toBeGreaterThan(0);
  });

  it('resolves references between the loaded resources', async () => {
    const token = await stack.token('drchen');
    const res = await stack.gql(`{ sharedWithMe { charts { encounters(first: 5) { serviceProvider { resource { ... on Organization { name } } } }
      diagnosticReports(first: 5) { result { resource { ... on Observation { id } } } } } } }`, token);
    expect(res.body.errors ?? []).toEqual([]);
    const charts = (res.body.data as { sharedWithMe: { charts: { encounters: { serviceProvider: { resource: { name: string } | null } | null }[]; diagnosticReports: { result: { resource: unknown }[] | null }[] }[] }[] }).sharedWithMe.flatMap((p) => p.charts);
    expect(charts.flatMap((c) => c.encounters).some((e) => e.serviceProvider?.resource?.name)).toBe(true);
    expect(charts.flatMap((c) => c.diagnosticReports).flatMap((d) => d.result ?? []).some((r) => r.resource)).toBe(true);
  });

  it("answers the benchmark's dashboard for Synthea patients in several times fewer bytes than the FHIR searches holding it", async () => {
    const synthea = new Set(
      readdirSync(DIRS[0]!).filter((f) => f.endsWith('.json')).flatMap((f) =>
        ((JSON.parse(readFileSync(path.join(DIRS[0]!, f), 'utf8')) as Bundle).entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Patient' ? [`fx-${e.resource.id}`] : []))),
    );
    const token = await stack.token('drchen');
    const res = await stack.gql(`{ sharedWithMe { id charts { ${DASHBOARD_CHART} } } }`, token);
    expect(res.body.errors ?? []).toEqual([]);
    const people = (res.body.data as { sharedWithMe: { id: string; charts: unknown[] }[] }).sharedWithMe.filter((p) => synthea.has(p.id));
    expect(people.length).toBeGreaterThanOrEqual(5);
    const base = stack.fhirBaseUrls['fixtures']!;
    const ratios: number[] = [];
    for (const person of people) {
      // The answer this person would get from `me`, against the five searches of bench/operations.ts's raw path.
      const graphBytes = Buffer.byteLength(JSON.stringify({ data: { me: { charts: person.charts } } }));
      let fhirBytes = 0;
      for (const search of dashboardFhirSearches(person.id.replace(/^fx-/, ''))) fhirBytes += Buffer.byteLength(await (await fetch(`${base}/${search}`)).text());
      ratios.push(fhirBytes / graphBytes);
    }
    console.log(`dashboard on Synthea records: FHIR REST / graph bytes ${ratios.map((r) => r.toFixed(1)).join(', ')}`);
    // Measured 7.5x to 9.1x for the six Synthea patients; the sandbox's leaner records give 6.1x.
    for (const r of ratios) expect(r).toBeGreaterThan(7);
  });
});
