import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createAccessTokenVerifier } from '../lib/auth/access-token.ts';
import { loadConfig, type HospitalConfig } from '../lib/config.ts';
import { gatewaySettings, startGateway } from '../gateway/server.ts';
import { demoPeople, enrollDemoPeople } from '../sandbox/demo-people.ts';
import { startSandboxHospital, type RunningSandboxHospital } from '../sandbox/fhir/index.ts';
import { startSso } from '../sandbox/sso/index.ts';
import { SUPERGRAPH_FILE } from '../schema/compose.ts';
import { startSubgraphs } from '../scripts/stack.ts';
import { benchCohort, SHARED_WITH_PRACTITIONER } from './cohort.ts';

/**
 * One part of the benchmarked deployment, in its own process (forked by bench/run.ts):
 * `world` (the sandbox hospitals and the sign-on server: what the product talks to),
 * `subgraphs` (consent store and subgraph, one subgraph per hospital), `gateway` (this
 * project's gateway) or `stock-gateway` (Apollo Gateway as its documentation sets it up).
 * Separate processes as deployed, so each gateway is measured over the same subgraphs and
 * neither shares an event loop with the hospitals or the load generator.
 */
export type Role = 'world' | 'subgraphs' | 'gateway' | 'stock-gateway';
export const BENCH_REDIRECT_URI = 'http://localhost/bench/callback';

export interface WorldArgs { people: number; cohort: number }
export interface SubgraphsArgs { fhirBaseUrls: Record<string, string>; issuer: string; cohort: number }
export interface GatewayArgs { subgraphUrls: Record<string, string>; issuer: string }

interface Request { id: number; type: string; args?: unknown }

const role = process.argv[2] as Role;
const dataDir = await mkdtemp(path.join(tmpdir(), `fhir-graph-bench-${role}-`));
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error', GRAPHIQL: 'off' });
const closers: (() => Promise<void>)[] = [];
let sandboxes: RunningSandboxHospital[] = [];
let profiler: Session | undefined;

/** The hospitals of the bench: the configured ones, sized, each also treating the cohort. */
function benchHospital(h: HospitalConfig, args: WorldArgs): HospitalConfig {
  if (!h.sandbox) return h;
  return { ...h, sandbox: { ...h.sandbox, localPatients: args.people, demoPeople: [...h.sandbox.demoPeople, ...benchCohort(args.cohort).map((p) => p.username)] } };
}

async function start(args: unknown): Promise<unknown> {
  switch (role) {
    case 'world': {
      const a = args as WorldArgs;
      const people = [...demoPeople, ...benchCohort(a.cohort)];
      sandboxes = await Promise.all(config.hospitals.filter((h) => h.sandbox).map((h) => startSandboxHospital(benchHospital(h, a), { port: 0, host: config.host, people })));
      closers.push(...sandboxes.map((s) => s.close));
      const sso = await startSso({ port: 0, host: config.host, audience: config.audience, redirectUris: [BENCH_REDIRECT_URI] });
      closers.push(sso.close);
      return { fhirBaseUrls: Object.fromEntries(sandboxes.map((s) => [s.hospitalId, s.fhirBaseUrl])), issuer: sso.issuer };
    }
    case 'subgraphs': {
      const a = args as SubgraphsArgs;
      const verifyToken = createAccessTokenVerifier({ issuer: a.issuer, audience: config.audience });
      const running = await startSubgraphs(config, { fhirBaseUrls: a.fhirBaseUrls, verifyToken, ephemeralPorts: true });
      closers.push(running.close);
      const { people, records } = running.consent;
      await enrollDemoPeople(people);
      const hospitals = config.hospitals.map((h) => h.id);
      for (const [i, p] of benchCohort(a.cohort).entries()) {
        await people.enrollPerson({ id: p.id, subject: p.id, nationalId: p.nationalId });
        await records.create(p.id, { scope: 'research', actor: undefined, resourceTypes: ['Patient', 'Observation'], hospitals, periodStart: undefined, periodEnd: undefined });
        if (i < SHARED_WITH_PRACTITIONER) {
          const hospital = hospitals[i % hospitals.length] as string;
          await records.create(p.id, { scope: 'patient-privacy', actor: 'Practitioner/pr-chen-0417', resourceTypes: ['Patient', 'Observation', 'Condition'], hospitals: [hospital], periodStart: undefined, periodEnd: undefined });
        }
      }
      return { subgraphUrls: running.subgraphUrls };
    }
    case 'gateway': {
      const a = args as GatewayArgs;
      const gateway = await startGateway({
        supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
        subgraphUrls: a.subgraphUrls,
        verifyToken: createAccessTokenVerifier({ issuer: a.issuer, audience: config.audience }),
        port: 0,
        host: config.host,
        ...gatewaySettings(config, a.issuer),
      });
      closers.push(gateway.close);
      return { url: gateway.url };
    }
    case 'stock-gateway': {
      // Apollo Gateway as its documentation starts it: default data source, plan cache and
      // server settings; it only forwards the caller's token, without which nothing is served.
      const a = args as GatewayArgs;
      const gateway = new ApolloGateway({
        supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
        buildService: ({ name }) =>
          new RemoteGraphQLDataSource<{ authorization?: string }>({
            url: a.subgraphUrls[name],
            willSendRequest({ request, context }) {
              if (context.authorization) request.http?.headers.set('authorization', context.authorization);
            },
          }),
      });
      const server = new ApolloServer<{ authorization?: string }>({ gateway });
      const { url } = await startStandaloneServer(server, {
        listen: { port: 0, host: config.host },
        context: async ({ req }) => (req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      closers.push(() => server.stop());
      return { url };
    }
  }
}

async function handle(req: Request): Promise<unknown> {
  switch (req.type) {
    case 'start':
      return start(req.args);
    case 'latency':
      for (const s of sandboxes) s.setLatency(req.args as number);
      return null;
    case 'requests':
      return sandboxes.reduce((n, s) => n + s.requests(), 0);
    case 'usage': {
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      return { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, cpuMs: (cpu.user + cpu.system) / 1000 };
    }
    case 'profile-start':
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return null;
    case 'profile-stop': {
      if (!profiler) throw new Error('no profile running');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(req.args as string, JSON.stringify(profile));
      return null;
    }
    case 'stop':
      for (const close of closers.reverse()) await close().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown request ${req.type}`);
  }
}

process.on('message', (req: Request) => {
  handle(req).then(
    (result) => process.send?.({ id: req.id, result }),
    (err: Error) => process.send?.({ id: req.id, error: err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, result: 'loaded' });
