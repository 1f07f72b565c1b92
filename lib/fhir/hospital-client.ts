import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { ConfigError, type HospitalConfig } from '../config.ts';
import { createBackendServicesAuth } from './backend-auth.ts';
import { createFhirClient, type FhirAuth, type FhirClient, type FhirClientOptions } from './client.ts';

/**
 * The FHIR client for one configured hospital: its base URL, timeout and the way it
 * authenticates (none, a static bearer token, or SMART Backend Services). Built once per
 * process and part; a key file that cannot be read stops the start-up.
 */
export function hospitalFhirClient(hospital: HospitalConfig, options: { baseUrl?: string } & Pick<FhirClientOptions, 'onRequest' | 'onBatchRefused'> = {}): FhirClient {
  const { baseUrl = hospital.fhirBaseUrl, ...hooks } = options;
  let auth: FhirAuth = { type: 'none' };
  if (hospital.auth.type === 'bearer') auth = hospital.auth;
  if (hospital.auth.type === 'smart-backend') {
    let jwk: JWK;
    try {
      jwk = JSON.parse(readFileSync(hospital.auth.keyFile, 'utf8')) as JWK;
    } catch {
      throw new ConfigError(`hospitals[${hospital.id}].auth.keyFile cannot be read as a JWK`);
    }
    if (!jwk.d || !jwk.kid) throw new ConfigError(`hospitals[${hospital.id}].auth.keyFile must hold a private JWK with a kid`);
    auth = {
      type: 'smart-backend',
      auth: createBackendServicesAuth({
        clientId: hospital.auth.clientId, privateKey: jwk, keyId: jwk.kid, alg: hospital.auth.alg, scope: hospital.auth.scope,
        fhirBaseUrl: baseUrl, timeoutMs: hospital.timeoutMs, ...(hospital.auth.tokenUrl ? { tokenUrl: hospital.auth.tokenUrl } : {}),
      }),
    };
  }
  return createFhirClient({
    baseUrl, auth, timeoutMs: hospital.timeoutMs, retries: hospital.retries, breaker: hospital.circuitBreaker, batch: hospital.fhirBatch,
    ...hooks,
  });
}
