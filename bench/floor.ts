import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { httpCall } from '../lib/http/http-client.ts';
import { listen } from '../lib/http/listen.ts';
import { readBody } from '../lib/http/respond.ts';
import { arg, closedLoop, pct } from './load.ts';

/**
 * `npm run bench:floor -- [--latency 50] [--users 1,10,50] [--duration 10]`: what the shape
 * of the deployment costs on this machine before any of its work — the same processes and
 * HTTP exchanges as a patient dashboard (client → gateway → consent → gateway → three
 * hospital subgraphs → their FHIR servers and back), with every part doing nothing but
 * read and send bodies of the dashboard's sizes: no GraphQL, no tokens, no JSON parsing,
 * no access log. Measured beside the raw FHIR floor (the 15 searches in parallel straight
 * at the FHIR process), as bench/run.ts measures it. Any implementation of this design
 * costs at least this much over raw FHIR; the figures bound what tuning can reach.
 */
type Role = 'fhir' | 'subgraphs' | 'gateway';

/** Body sizes of the dashboard (bench/results/main.json and the subgraph requests it makes). */
const SIZES = {
  /** One hospital's batch-response carrying its 5 searches. */
  fhirBatch: 18_400,
  /** One of raw's 15 searches. */
  fhirSearch: 3_680,
  /** The consent subgraph's answer: three chart references with their signed grants. */
  consentAnswer: 2_000,
  /** The gateway's request to a hospital subgraph: query and representation (grant). */
  hospitalRequest: 2_600,
  /** A hospital subgraph's answer. */
  hospitalAnswer: 3_100,
  /** The dashboard's answer to the client. */
  dashboard: 9_045,
};
const HOSPITALS = 3;
const body = (bytes: number) => JSON.stringify({ data: 'x'.repeat(Math.max(0, bytes - 12)) });

async function serve(role: Role, upstream: string, latencyMs: number): Promise<string> {
  const server = await listen(0, 'localhost');
  const answers = { fhir: body(SIZES.fhirBatch), search: body(SIZES.fhirSearch), consent: body(SIZES.consentAnswer), hospital: body(SIZES.hospitalAnswer), dashboard: body(SIZES.dashboard) };
  const hospitalRequest = body(SIZES.hospitalRequest);
  const post = (url: string, text: string) => httpCall(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text, timeoutMs: 30_000 });
  server.setHandler(async (req, res) => {
    await readBody(req, 1 << 20);
    let answer: string;
    if (role === 'fhir') {
      await new Promise((r) => setTimeout(r, latencyMs));
      answer = req.method === 'POST' ? answers.fhir : answers.search;
    } else if (role === 'subgraphs') {
      if (req.url === '/consent') answer = answers.consent;
      else {
        await post(upstream, '{"resourceType":"Bundle","type":"batch"}');
        answer = answers.hospital;
      }
    } else {
      await post(`${upstream}/consent`, '{"query":"{ me { charts { __typename grant } } }"}');
      await Promise.all(Array.from({ length: HOSPITALS }, (_, i) => post(`${upstream}/hospital/${i}`, hospitalRequest)));
      answer = answers.dashboard;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
  });
  return server.origin;
}

if (process.argv[2] === 'part') {
  const [role, upstream, latency] = process.argv.slice(3) as [Role, string, string];
  const origin = await serve(role, upstream, Number(latency));
  process.send?.({ origin });
  process.on('message', () => {
    const cpu = process.cpuUsage();
    process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000 });
  });
  process.on('disconnect', () => process.exit(0));
} else {
  const latencyMs = Number(arg('latency', '50'));
  const users = arg('users', '1,10,50').split(',').map(Number);
  const durationSec = Number(arg('duration', '10'));
  const parts: { role: Role; child: ReturnType<typeof fork>; origin: string }[] = [];
  const start = (role: Role, upstream: string) =>
    new Promise<string>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), ['part', role, upstream, String(latencyMs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.once('message', (m: { origin: string }) => {
        parts.push({ role, child, origin: m.origin });
        resolve(m.origin);
      });
      child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    });
  const cpuOf = (child: ReturnType<typeof fork>) => new Promise<number>((resolve) => {
    child.once('message', (m: { cpuMs: number }) => resolve(m.cpuMs));
    child.send('usage');
  });
  const fhir = await start('fhir', '');
  const subgraphs = await start('subgraphs', fhir);
  const gateway = await start('gateway', subgraphs);

  const paths = {
    shape: async () => void (await httpCall(gateway, { method: 'POST', body: '{"query":"{ me { charts { patient { id } } } }"}', headers: { 'content-type': 'application/json' }, timeoutMs: 30_000 })),
    raw: async () => void (await Promise.all(Array.from({ length: 15 }, () => httpCall(fhir, { timeoutMs: 30_000 })))),
  };
  for (const op of Object.values(paths)) await closedLoop(10, op, 3, 0);

  console.log(`| path | users | p50 ms | p99 ms | ops/s | CPU ms/op: gateway · subgraphs · FHIR |\n|---|---|---|---|---|---|`);
  const p50s: Record<string, number> = {};
  for (const c of users) {
    for (const [name, op] of Object.entries(paths)) {
      const before = await Promise.all(parts.map((p) => cpuOf(p.child)));
      const { latencies: lat, wallSec: secs } = await closedLoop(c, op, durationSec, 500);
      const after = await Promise.all(parts.map((p) => cpuOf(p.child)));
      const cpu = (role: Role) => {
        const i = parts.findIndex((p) => p.role === role);
        return name === 'raw' && role !== 'fhir' ? '–' : (((after[i] as number) - (before[i] as number)) / lat.length).toFixed(2);
      };
      p50s[`${name} ${c}`] = pct(lat, 50);
      console.log(`| ${name} | ${c} | ${pct(lat, 50).toFixed(1)} | ${pct(lat, 99).toFixed(1)} | ${(lat.length / secs).toFixed(1)} | ${cpu('gateway')} · ${cpu('subgraphs')} · ${cpu('fhir')} |`);
    }
  }
  for (const c of users) console.log(`${c} user(s): the shape alone costs ${((p50s[`shape ${c}`] as number) - (p50s[`raw ${c}`] as number)).toFixed(1)} ms p50 over raw FHIR`);
  for (const p of parts) p.child.disconnect();
}
