import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { loadConfig } from '../lib/config.ts';
import { demoPeople } from '../sandbox/demo-people.ts';
import { BROWSER_CLIENT_ID, demoAccounts } from '../sandbox/sso/accounts.ts';
import { loginWithPassword } from '../sandbox/sso/headless-client.ts';
import { startStack } from '../scripts/stack.ts';

/**
 * `npm run bench -- [--latency 50] [--duration 10] [--connections 1,10]`: the patient
 * dashboard (demographics, latest 20 observations, active conditions, medications,
 * allergies, at 3 hospitals) through the graph, against the same data fetched straight
 * from the hospitals' FHIR servers the way a frontend would (parallel REST calls).
 * Prints a table and writes bench/results/dashboard-<latency>ms.json.
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const latencyMs = Number(arg('latency', '50'));
const durationSec = Number(arg('duration', '10'));
const connectionsList = arg('connections', '1,10').split(',').map(Number);

const DASHBOARD = `{ me { charts { hospital { id name } patient { name { family given } birthDate gender }
  observations(first: 20) { code { text } effectiveDateTime valueQuantity { value unit } }
  conditions(clinicalStatus: "active") { code { text } onsetDateTime }
  medicationRequests(status: "active") { medicationCodeableConcept { text } authoredOn }
  allergyIntolerances { code { text } criticality } } } }`;

const dataDir = await mkdtemp(path.join(tmpdir(), 'fhir-graph-bench-'));
const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', GRAPHIQL: 'off' });
let fhirCalls = 0;
const stack = await startStack(config, { ephemeralPorts: true, onFhirRequest: () => fhirCalls++ });
const alice = demoAccounts.find((a) => a.username === 'alice')!;
const { access_token: token } = await loginWithPassword({
  issuer: stack.issuer, clientId: BROWSER_CLIENT_ID, redirectUri: stack.gatewayUrl.replace(/graphql$/, 'auth/callback'),
  username: alice.username, password: alice.password, scope: 'openid fhirUser patient/*.rs',
});
const body = JSON.stringify({ query: DASHBOARD });
// Warm up: links found, plans cached, connections open.
for (let i = 0; i < 20; i++) await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
for (const sandbox of Object.values(stack.sandboxes)) sandbox.setLatency(latencyMs);

interface Row { name: string; connections: number; p50: number; p95: number; p99: number; rps: number; fhirCallsPerOp: number; bytesPerOp: number }
const rows: Row[] = [];
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** The frontend without the graph: per hospital, find the patient, then four searches in parallel. */
const nid = demoPeople.find((p) => p.username === 'alice')!.nationalId;
const system = config.hospitals[0]!.identifierSystem;
async function directDashboard(): Promise<number> {
  let bytes = 0;
  const get = async (url: string) => {
    const res = await fetch(url, { headers: { accept: 'application/fhir+json' } });
    const text = await res.text();
    bytes += text.length;
    return JSON.parse(text) as { entry?: { resource: { id: string } }[] };
  };
  await Promise.all(Object.values(stack.fhirBaseUrls).map(async (base) => {
    const patient = (await get(`${base}/Patient?identifier=${encodeURIComponent(`${system}|${nid}`)}`)).entry?.[0]?.resource.id;
    if (!patient) return;
    await Promise.all([
      get(`${base}/Observation?patient=Patient/${patient}&_sort=-date&_count=20`),
      get(`${base}/Condition?patient=Patient/${patient}&clinical-status=active`),
      get(`${base}/MedicationRequest?patient=Patient/${patient}&status=active`),
      get(`${base}/AllergyIntolerance?patient=Patient/${patient}`),
    ]);
  }));
  return bytes;
}

async function runDirect(connections: number): Promise<Row> {
  const latencies: number[] = [];
  let bytes = 0;
  const end = performance.now() + durationSec * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const opBytes = await directDashboard();
      bytes += opBytes;
      latencies.push(performance.now() - t);
    }
  }));
  latencies.sort((a, b) => a - b);
  return { name: 'direct FHIR REST', connections, p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99), rps: latencies.length / durationSec, fhirCallsPerOp: 15, bytesPerOp: bytes / latencies.length };
}

async function runGraph(connections: number): Promise<Row> {
  fhirCalls = 0;
  const result = await autocannon({ url: stack.gatewayUrl, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body, connections, duration: durationSec });
  const ops = result.requests.total;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`graph answered ${result.non2xx} non-2xx and ${result.errors} errors`);
  return { name: 'graph (gateway)', connections, p50: result.latency.p50, p95: result.latency.p97_5, p99: result.latency.p99, rps: result.requests.average, fhirCallsPerOp: fhirCalls / ops, bytesPerOp: result.throughput.total / ops };
}

try {
  for (const c of connectionsList) {
    rows.push(await runDirect(c));
    rows.push(await runGraph(c));
  }
} finally {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
console.log(`\npatient dashboard, 3 hospitals, FHIR latency ${latencyMs} ms, ${durationSec} s per run (p95 of the graph is autocannon's p97.5)`);
console.log('| path | conns | p50 ms | p95 ms | p99 ms | req/s | FHIR calls/op | bytes/op |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.connections} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${f(r.rps)} | ${f(r.fhirCallsPerOp)} | ${f(r.bytesPerOp, 0)} |`);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(new URL(`./results/dashboard-${latencyMs}ms.json`, import.meta.url), `${JSON.stringify({ latencyMs, durationSec, node: process.version, rows }, null, 2)}\n`);
