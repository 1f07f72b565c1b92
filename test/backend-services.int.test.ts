import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHospitalsFile, type HospitalConfig } from '../lib/config.ts';
import { createBackendServicesAuth } from '../lib/fhir/backend-auth.ts';
import { createFhirClient, FhirError } from '../lib/fhir/client.ts';
import { startSandboxHospital, type RunningSandboxHospital } from '../sandbox/fhir/index.ts';
import { composeSupergraph } from '../schema/compose.ts';
import { CHARTS_QUERY, startTestStack } from './helpers/stack.ts';

/** A hospital whose FHIR server requires SMART Backend Services, as real hospitals' do. */
let dir: string;
let hospital: HospitalConfig;
let sandbox: RunningSandboxHospital;
let privateJwk: Awaited<ReturnType<typeof exportJWK>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fhir-graph-backend-'));
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  privateJwk = { ...(await exportJWK(privateKey)), kid: 'graph-key-1', alg: 'ES384' };
  await writeFile(path.join(dir, 'private.jwk.json'), JSON.stringify(privateJwk));
  await writeFile(path.join(dir, 'public.jwk.json'), JSON.stringify({ ...(await exportJWK(publicKey)), kid: 'graph-key-1', alg: 'ES384' }));
  const [template] = loadHospitalsFile('config/hospitals.json');
  const config = {
    hospitals: [{
      ...template!,
      auth: { type: 'smart-backend', clientId: 'patient-graph', keyFile: path.join(dir, 'private.jwk.json'), alg: 'ES384' },
      sandbox: { ...template!.sandbox!, backendAuth: { clientId: 'patient-graph', publicKeyFile: path.join(dir, 'public.jwk.json') } },
    }],
  };
  await writeFile(path.join(dir, 'hospitals.json'), JSON.stringify(config));
  hospital = loadHospitalsFile(path.join(dir, 'hospitals.json'))[0]!;
  sandbox = await startSandboxHospital(hospital, { port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SMART Backend Services', () => {
  it('the sandbox refuses FHIR requests without its token', async () => {
    const res = await fetch(`${sandbox.fhirBaseUrl}/Patient?_count=1`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
  });

  it('gets a token with a signed client assertion, finds the endpoint by discovery, and reuses the token until it expires', async () => {
    let tokenRequests = 0;
    const auth = createBackendServicesAuth({ clientId: 'patient-graph', privateKey: privateJwk, keyId: 'graph-key-1', alg: 'ES384', scope: 'system/*.rs', fhirBaseUrl: sandbox.fhirBaseUrl, onTokenRequest: () => tokenRequests++ });
    const client = createFhirClient({ baseUrl: sandbox.fhirBaseUrl, auth: { type: 'smart-backend', auth } });
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => client.search({ resourceType: 'Patient', filters: [], count: 2 })));
    expect(results.every((b) => b.entry?.length === 2)).toBe(true);
    await client.search({ resourceType: 'Observation', filters: [], count: 1 });
    expect(tokenRequests).toBe(1);
  });

  it('is refused with another key', async () => {
    const { privateKey } = await generateKeyPair('ES384', { extractable: true });
    const auth = createBackendServicesAuth({ clientId: 'patient-graph', privateKey: { ...(await exportJWK(privateKey)), kid: 'graph-key-1' }, keyId: 'graph-key-1', alg: 'ES384', scope: 'system/*.rs', fhirBaseUrl: sandbox.fhirBaseUrl });
    const client = createFhirClient({ baseUrl: sandbox.fhirBaseUrl, auth: { type: 'smart-backend', auth } });
    const err = await client.search({ resourceType: 'Patient', filters: [], count: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(401);
  });

  it('serves the chart through the gateway from a hospital that requires it', async () => {
    const stack = await startTestStack({ HOSPITALS_CONFIG: path.join(dir, 'hospitals.json') }, { supergraphSdl: composeSupergraph([hospital]) });
    try {
      const res = await stack.gql(CHARTS_QUERY, await stack.token('alice'));
      expect(res.body.errors).toBeUndefined();
      const charts = (res.body.data as { me: { charts: { observations: unknown[] }[] } }).me.charts;
      expect(charts).toHaveLength(1);
      expect(charts[0]!.observations).toHaveLength(5);
    } finally {
      await stack.stop();
    }
  });
});
