import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import type { HospitalConfig } from '../../lib/config.ts';
import { listen } from '../../lib/http/listen.ts';
import { demoPeople, type DemoPerson } from '../demo-people.ts';
import { backendAuthServer } from './backend-auth-server.ts';
import { generateHospitalRecords } from './generator.ts';
import { loadFhirFolder } from './load-bundles.ts';
import { sandboxFhirHandler, type SandboxFault } from './server.ts';
import { ResourceStore } from './store.ts';

export interface RunningSandboxHospital {
  readonly hospitalId: string;
  /** FHIR base URL it answers on. */
  readonly fhirBaseUrl: string;
  readonly store: ResourceStore;
  /** HTTP requests answered so far (benchmarks count FHIR calls per operation). */
  requests(): number;
  /** Adds this many ms before every answer (benchmarks: a server across a network). */
  setLatency(ms: number): void;
  /** Makes the server fail in one of the ways real servers do (tests): for the next `times` requests, or until `none`. */
  setFault(fault: SandboxFault, times?: number): void;
  close(): Promise<void>;
}

/**
 * Starts a sandbox FHIR server for a hospital whose config has a `sandbox` entry,
 * seeded with its synthetic records. `port` 0 picks a free port (tests); by default
 * the port of the configured fhirBaseUrl is used.
 */
export async function startSandboxHospital(
  hospital: HospitalConfig,
  options: { port?: number; host?: string; people?: readonly DemoPerson[]; load?: readonly string[] } = {},
): Promise<RunningSandboxHospital> {
  if (!hospital.sandbox) throw new TypeError(`hospital ${hospital.id} has no sandbox configuration`);
  const configured = new URL(hospital.fhirBaseUrl);
  const store = new ResourceStore(
    generateHospitalRecords({
      hospital: hospital.id,
      seed: hospital.sandbox.seed,
      localPatients: hospital.sandbox.localPatients,
      demoPeople: (options.people ?? demoPeople).filter((p) => hospital.sandbox?.demoPeople.includes(p.username)),
      identifierSystem: hospital.identifierSystem,
    }),
  );
  for (const dir of [...hospital.sandbox.load, ...(options.load ?? [])]) {
    for (const resource of loadFhirFolder(dir).resources) store.put(resource);
  }
  const server = await listen(options.port ?? Number(configured.port || 80), options.host ?? configured.hostname);
  const basePath = configured.pathname.replace(/\/$/, '') || '';
  const backendAuth = hospital.sandbox.backendAuth
    ? backendAuthServer({ clientId: hospital.sandbox.backendAuth.clientId, publicKey: JSON.parse(readFileSync(hospital.sandbox.backendAuth.publicKeyFile, 'utf8')) as JWK, tokenUrl: `${server.origin}${basePath}/auth/token` })
    : undefined;
  let fault: SandboxFault = 'none';
  let remaining = Infinity;
  const currentFault = (): SandboxFault => {
    if (fault === 'none') return fault;
    if (remaining-- <= 0) fault = 'none';
    return fault;
  };
  let latency = 0;
  let requests = 0;
  const handler = sandboxFhirHandler({ store, basePath, origin: server.origin, name: hospital.name, fault: currentFault, latencyMs: () => latency, ...(backendAuth ? { backendAuth } : {}) });
  server.setHandler((req, res) => {
    requests++;
    return handler(req, res);
  });
  return {
    // A sandbox need not wait for its slow answers (fault mode) when stopping.
    hospitalId: hospital.id, fhirBaseUrl: `${server.origin}${basePath}`, store, close: () => server.close(500),
    requests: () => requests,
    setLatency: (ms) => {
      latency = ms;
    },
    setFault: (f, times = Infinity) => {
      fault = f;
      remaining = times;
    },
  };
}
