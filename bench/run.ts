import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../lib/config.ts';
import { httpCall } from '../lib/http/http-client.ts';
import { demoPeople } from '../sandbox/demo-people.ts';
import { BROWSER_CLIENT_ID, demoAccounts, demoServiceClients } from '../sandbox/sso/accounts.ts';
import { clientCredentials, loginWithPassword } from '../sandbox/sso/headless-client.ts';
import { benchCohort } from './cohort.ts';
import { summarizeProfile } from './cpu-profile.ts';
import { analytics, dashboard, practitioner, resolvePatientIds, type Operation, type World } from './operations.ts';
import { arg, closedLoop, pct } from './load.ts';
import { BENCH_REDIRECT_URI, type Role } from './parts.ts';

/**
 * `npm run bench -- [options]`: the operations of bench/operations.ts through this
 * project's gateway, through a stock Apollo Gateway over the same subgraphs, straight from
 * the FHIR servers as a frontend would, and as the raw FHIR floor; each at several numbers
 * of concurrent users and FHIR latencies. Prints tables and ratios, writes JSON to
 * bench/results/. See bench/README.md.
 */
const list = (name: string, fallback: string) => arg(name, fallback).split(',').filter(Boolean);
const options = {
  latencies: list('latency', '0,50').map(Number),
  sizes: list('people', '10').map(Number),
  cohort: Number(arg('cohort', '1000')),
  ops: list('ops', 'dashboard,practitioner,analytics'),
  paths: list('paths', 'graph,stock,direct,raw'),
  durationSec: Number(arg('duration', '10')),
  /** Seconds of load (10 users, no FHIR latency) on each path of each operation before measuring. */
  warmupSec: Number(arg('warmup', '10')),
  soakSec: Number(arg('soak', '0')),
  profile: process.argv.includes('--profile'),
  out: arg('out', 'latest'),
};

// ---- the parts, each in its own process --------------------------------------------------

interface Part {
  call<T>(type: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * The project's parts run with the V8 flag its npm scripts give them (package.json): a
 * 64 MB young generation, so the many short-lived objects of each request die in cheap
 * scavenges instead of being promoted (measured on the dashboard at 10 users: GC from 12% to
 * 8% of the gateway's CPU and to 5% of the subgraphs', about 20% more dashboards per
 * second). The stock gateway and the world run with Node's defaults.
 */
const PRODUCT_NODE_FLAGS = ['--max-semi-space-size=64'];
const productRoles: ReadonlySet<Role> = new Set(['subgraphs', 'gateway']);

async function startPart(role: Role, args: unknown): Promise<Part & { started: Record<string, unknown> }> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./parts.ts', import.meta.url)), [role], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=8192', ...(productRoles.has(role) ? PRODUCT_NODE_FLAGS : [])],
    // Measured as deployed: production mode for every part, the stock gateway included.
    env: { ...process.env, NODE_ENV: 'production', APOLLO_TELEMETRY_DISABLED: 'true' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const loaded = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
  child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(`${role}: ${m.error}`));
    else p?.resolve(m.result);
  });
  const call = <T>(type: string, a?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, type, args: a });
    });
  await loaded;
  const started = await call<Record<string, unknown>>('start', args);
  return {
    started,
    call,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      await call('stop').catch(() => undefined);
      await exited;
    },
  };
}

// ---- load: closed-loop users, the same client for every path -----------------------------

interface Row {
  op: string; people: number; latencyMs: number; path: string; connections: number;
  p50: number; p95: number; p99: number; rps: number; fhirCallsPerOp: number; bytesPerOp: number; ops: number;
  /** CPU time per operation in each process of the deployment (ms). */
  cpuMsPerOp: Record<string, number>;
}

/** Runs `op` with `connections` users back to back for the duration; each returns its response bytes. */
const load = (connections: number, op: () => Promise<number>, minOps = 3) => closedLoop(connections, op, options.durationSec, minOps);

function graphCall(url: string, token: string, query: string): () => Promise<number> {
  const body = JSON.stringify({ query });
  return async () => {
    const res = await httpCall(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body, timeoutMs: 120_000 });
    // A benchmark of wrong answers measures nothing: any error stops the run.
    if (res.status !== 200 || res.text.includes('"errors"')) throw new Error(`graph answered ${res.status}: ${res.text.slice(0, 300)}`);
    return Buffer.byteLength(res.text);
  };
}

// ---- the run -----------------------------------------------------------------------------

const config = loadConfig({ ...process.env, LOG_LEVEL: 'error', GRAPHIQL: 'off' });
const rows: Row[] = [];
const soak: { role: string; atSec: number; rssMB: number; heapUsedMB: number }[] = [];
const profiles: Record<string, string[]> = {};
const resultsDir = new URL('./results/', import.meta.url);
await mkdir(resultsDir, { recursive: true });

for (const people of options.sizes) {
  const parts: Part[] = [];
  try {
    const t0 = performance.now();
    const world = await startPart('world', { people, cohort: options.cohort });
    parts.push(world);
    const { fhirBaseUrls, issuer } = world.started as { fhirBaseUrls: Record<string, string>; issuer: string };
    const subgraphs = await startPart('subgraphs', { fhirBaseUrls, issuer, cohort: options.cohort });
    parts.push(subgraphs);
    const { subgraphUrls } = subgraphs.started as { subgraphUrls: Record<string, string> };
    const gateways: Partial<Record<'graph' | 'stock', Part & { started: Record<string, unknown> }>> = {};
    if (options.paths.includes('graph')) parts.push((gateways.graph = await startPart('gateway', { subgraphUrls, issuer })));
    if (options.paths.includes('stock')) parts.push((gateways.stock = await startPart('stock-gateway', { subgraphUrls, issuer })));
    console.log(`\n${people} people per hospital (+ ${options.cohort} cohort): parts started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const login = (username: string, scope: string) => {
      const a = demoAccounts.find((x) => x.username === username)!;
      return loginWithPassword({ issuer, clientId: BROWSER_CLIENT_ID, redirectUri: BENCH_REDIRECT_URI, username, password: a.password, scope }).then((t) => t.access_token);
    };
    const service = demoServiceClients[0]!;
    const tokens = {
      alice: await login('alice', 'openid fhirUser patient/*.rs'),
      drchen: await login('drchen', 'openid fhirUser user/*.rs'),
      analytics: (await clientCredentials({ issuer, clientId: service.clientId, clientSecret: service.clientSecret, scope: 'system/Patient.rs system/Observation.rs' })).access_token,
    };
    const identifierSystem = config.hospitals[0]!.identifierSystem;
    const worldView: World = {
      fhirBaseUrls, identifierSystem,
      patientIds: await resolvePatientIds({ fhirBaseUrls, identifierSystem }, [...demoPeople, ...benchCohort(options.cohort)]),
    };
    const operations: Operation[] = [];
    if (options.ops.includes('dashboard')) operations.push(dashboard);
    if (options.ops.includes('practitioner') && options.cohort > 0) operations.push(practitioner);
    if (options.ops.includes('analytics') && options.cohort > 0) operations.push(analytics(options.cohort));

    // Warm up: links found, plans cached, connections open, code optimized. A hundred
    // dashboards one by one were not enough: whichever path was measured first then ran on
    // subgraphs still getting faster (10 users: 88 ms p50 first, 72 ms for the same gateway
    // measured again), so every path of every operation is loaded for a while first.
    await world.call('latency', 0);
    const warm = async (op: Operation, call: () => Promise<number>) => {
      if (op.caller === 'analytics') {
        for (let i = 0; i < 2; i++) await call();
        return;
      }
      const end = performance.now() + options.warmupSec * 1000;
      await Promise.all(Array.from({ length: 10 }, async () => {
        while (performance.now() < end) await call();
      }));
    };
    for (const op of operations) {
      for (const g of Object.values(gateways)) await warm(op, graphCall(g.started['url'] as string, tokens[op.caller], op.query));
      if (options.paths.includes('direct')) await warm(op, () => op.direct(worldView));
      if (options.paths.includes('raw')) await warm(op, () => op.raw(worldView));
    }

    for (const latencyMs of options.latencies) {
      await world.call('latency', latencyMs);
      for (const op of operations) {
        const measured = [['fhir', world], ['subgraphs', subgraphs], ...Object.entries(gateways).map(([k, g]) => [k === 'graph' ? 'gateway' : 'stock', g] as const)] as const;
        const cpu = async () => Object.fromEntries(await Promise.all(measured.map(async ([k, p]) => [k, (await p.call<{ cpuMs: number }>('usage')).cpuMs] as const)));
        const measure = async (path: string, connections: number, call: () => Promise<number>) => {
          const before = await world.call<number>('requests');
          const cpuBefore = await cpu();
          const { latencies, bytes, wallSec } = await load(connections, call, op.minSamples);
          const cpuAfter = await cpu();
          const calls = (await world.call<number>('requests')) - before;
          const row: Row = {
            op: op.name, people, latencyMs, path, connections, ops: latencies.length,
            p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99),
            rps: latencies.length / wallSec, fhirCallsPerOp: calls / latencies.length, bytesPerOp: bytes / latencies.length,
            cpuMsPerOp: Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, ((cpuAfter[k] ?? 0) - (cpuBefore[k] ?? 0)) / latencies.length])),
          };
          rows.push(row);
          console.log(`  ${op.name} | ${latencyMs} ms | ${path.padEnd(6)} | ${String(connections).padStart(2)} users | p50 ${f(row.p50)} p95 ${f(row.p95)} p99 ${f(row.p99)} ms | ${f(row.rps)}/s | ${f(row.fhirCallsPerOp)} FHIR calls | ${f(row.bytesPerOp, 0)} B | CPU ms/op ${Object.entries(row.cpuMsPerOp).filter(([, v]) => v > 0.05).map(([k, v]) => `${k} ${f(v, 2)}`).join(', ')}`);
        };
        for (const path of options.paths) {
          const conns = path === 'graph' || path === 'stock' ? op.connections.graph : op.connections.baseline;
          for (const c of conns) {
            if (path === 'direct') await measure(path, c, () => op.direct(worldView));
            else if (path === 'raw') await measure(path, c, () => op.raw(worldView));
            else {
              const g = gateways[path as 'graph' | 'stock'];
              if (!g) continue;
              const call = graphCall(g.started['url'] as string, tokens[op.caller], op.query);
              // Each operation is profiled once: its graph run with the most users up to 10.
              const profiledUsers = Math.max(...op.connections.graph.filter((n) => n <= 10));
              const key = (role: string) => `${op.name}: ${role}`;
              const profiling = options.profile && path === 'graph' && c === profiledUsers && !profiles[key('gateway')];
              if (profiling) await Promise.all([g.call('profile-start'), subgraphs.call('profile-start')]);
              await measure(path, c, call);
              if (profiling) {
                for (const [role, part] of [['gateway', g], ['subgraphs', subgraphs]] as const) {
                  const file = fileURLToPath(new URL(`${op.caller}-${role}.cpuprofile`, resultsDir));
                  await part.call('profile-stop', file);
                  profiles[key(role)] = await summarizeProfile(file, 12);
                }
              }
            }
          }
        }
      }
    }

    // The soak runs once, on the largest size.
    if (options.soakSec > 0 && gateways.graph && people === Math.max(...options.sizes)) {
      const roles = [['gateway', gateways.graph], ['subgraphs', subgraphs]] as const;
      const sample = async (atSec: number) => {
        for (const [role, part] of roles) {
          const usage = await part.call<{ rssBytes: number; heapUsedBytes: number }>('usage');
          soak.push({ role, atSec, rssMB: usage.rssBytes / 2 ** 20, heapUsedMB: usage.heapUsedBytes / 2 ** 20 });
        }
      };
      console.log(`\nsoak: dashboard, 10 users, ${options.soakSec} s`);
      const call = graphCall(gateways.graph.started['url'] as string, tokens.alice, dashboard.query);
      const started = performance.now();
      const saved = options.durationSec;
      await sample(0);
      const sampler = setInterval(() => void sample(Math.round((performance.now() - started) / 1000)), 60_000);
      options.durationSec = options.soakSec;
      const { latencies } = await load(10, call).finally(() => clearInterval(sampler));
      options.durationSec = saved;
      const end = Math.round((performance.now() - started) / 1000);
      if (soak.at(-1)?.atSec !== end) await sample(end);
      console.log(`  ${latencies.length} dashboards, p50 ${f(pct(latencies, 50))} ms, p99 ${f(pct(latencies, 99))} ms`);
      for (const s of soak) console.log(`  ${s.role.padEnd(9)} at ${String(s.atSec).padStart(4)} s: RSS ${f(s.rssMB)} MB, JS heap in use ${f(s.heapUsedMB)} MB`);
    }
  } finally {
    for (const p of parts.reverse()) await p.stop();
  }
}

// ---- report ------------------------------------------------------------------------------

function f(n: number, d = 1): string {
  return Number.isFinite(n) ? n.toFixed(d) : '–';
}

const find = (r: Pick<Row, 'op' | 'people' | 'latencyMs'>, path: string, c: number) =>
  rows.find((x) => x.op === r.op && x.people === r.people && x.latencyMs === r.latencyMs && x.path === path && x.connections === c);

console.log('\n| operation | people | FHIR latency | path | users | p50 ms | p95 ms | p99 ms | ops/s | FHIR calls/op | bytes/op |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.op} | ${r.people} | ${r.latencyMs} ms | ${r.path} | ${r.connections} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${f(r.rps)} | ${f(r.fhirCallsPerOp)} | ${f(r.bytesPerOp, 0)} |`);

const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${f(ms)}`;
const ratios: string[] = [];
const groups = [...new Map(rows.map((r) => [`${r.op}|${r.people}|${r.latencyMs}`, r])).values()];
for (const g of groups) {
  const label = `${g.op}, ${g.people} people, ${g.latencyMs} ms`;
  for (const c of [1, 10]) {
    const graph = find(g, 'graph', c);
    const raw = find(g, 'raw', c);
    if (graph && raw) ratios.push(`${label}, ${c} user(s): graph over raw FHIR p50 ${signed(graph.p50 - raw.p50)} ms, p99 ${signed(graph.p99 - raw.p99)} ms`);
  }
  const graph50 = find(g, 'graph', 50);
  const stock50 = find(g, 'stock', 50);
  if (graph50 && stock50) ratios.push(`${label}, 50 users: graph ${f(graph50.rps)}/s vs stock gateway ${f(stock50.rps)}/s = ${f(graph50.rps / stock50.rps, 2)}×`);
  const graph1 = find(g, 'graph', 1);
  const direct1 = find(g, 'direct', 1);
  if (graph1 && direct1) ratios.push(`${label}: response bytes direct/graph = ${f(direct1.bytesPerOp / graph1.bytesPerOp, 1)}×; FHIR calls graph ${f(graph1.fhirCallsPerOp)} vs direct ${f(direct1.fhirCallsPerOp)}; p50 graph ${f(graph1.p50)} vs direct ${f(direct1.p50)} ms`);
}
if (ratios.length) console.log(`\n${ratios.join('\n')}`);
for (const [what, lines] of Object.entries(profiles)) console.log(`\nCPU profile, ${what} (self time):\n${lines.join('\n')}`);

await writeFile(new URL(`${options.out}.json`, resultsDir), `${JSON.stringify({ node: process.version, options, rows, ratios, soak, profiles }, null, 2)}\n`);
console.log(`\nwritten bench/results/${options.out}.json`);
