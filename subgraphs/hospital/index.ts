import type { JWTVerifyGetKey } from 'jose';
import type { AccessTokenVerifier } from '../../lib/auth/access-token.ts';
import type { HospitalConfig } from '../../lib/config.ts';
import { createCursorCodec } from '../../lib/cursor.ts';
import type { FhirRequestObserver } from '../../lib/fhir/client.ts';
import { hospitalFhirClient } from '../../lib/fhir/hospital-client.ts';
import { createGrantVerifier } from '../../lib/grants.ts';
import { startSubgraphServer, type RunningSubgraph } from '../../lib/http/subgraph-server.ts';
import { createLogger } from '../../lib/log.ts';
import { hospitalSubgraphDocument } from '../../schema/subgraph-sdl.ts';
import { hospitalContext } from './context.ts';
import { hospitalResolvers } from './resolvers.ts';
import { refusalReporter } from './refusal-reporter.ts';
import { hospitalRules } from './rules.ts';

export interface HospitalSubgraphOptions {
  hospital: HospitalConfig;
  port: number;
  host?: string;
  verifyToken: AccessTokenVerifier;
  /** Production: no introspection of this subgraph. */
  production?: boolean;
  /** `iss` of grants: the consent service. */
  grantIssuer: string;
  /** Where refused fields are recorded in the person's access log (the consent service). */
  refusalLogUrl: string;
  /** The consent service's grant keys: a JWKS URL, or a key source (tests). */
  grantJwksUrl?: string;
  grantKeys?: JWTVerifyGetKey;
  /** Overrides the configured FHIR base URL (a sandbox started on a free port). */
  fhirBaseUrl?: string;
  /** Observes every FHIR HTTP request and the searches it carries (tests, metrics). */
  onFhirRequest?: FhirRequestObserver;
}

/** Starts one hospital's subgraph: the shared hospital code, instantiated from config. */
export async function startHospitalSubgraph(options: HospitalSubgraphOptions): Promise<RunningSubgraph> {
  const { hospital } = options;
  const log = createLogger({ part: 'hospital-subgraph', hospital: hospital.id });
  const fhir = hospitalFhirClient(hospital, {
    ...(options.fhirBaseUrl ? { baseUrl: options.fhirBaseUrl } : {}),
    ...(options.onFhirRequest ? { onRequest: options.onFhirRequest } : {}),
    onBatchRefused: (status) => log.warn('fhir server refuses batch (fhirBatch is on); searching one by one for a while', { status }),
  });
  const verifyGrant = createGrantVerifier({
    issuer: options.grantIssuer,
    hospital: hospital.id,
    ...(options.grantKeys ? { keys: options.grantKeys } : {}),
    ...(options.grantJwksUrl ? { jwksUrl: options.grantJwksUrl } : {}),
  });
  const cursors = createCursorCodec();
  return startSubgraphServer({
    typeDefs: hospitalSubgraphDocument(hospital),
    resolvers: hospitalResolvers(hospital.typeName),
    rules: hospitalRules(hospital.typeName),
    verifyToken: options.verifyToken,
    introspection: !options.production,
    log,
    // Ready when both key sets it verifies with can be fetched: the issuer's and the consent service's.
    ready: async () =>
      (await options.verifyToken.keysReachable()) &&
      (!options.grantJwksUrl || (await fetch(options.grantJwksUrl, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false))),
    plugins: [refusalReporter(options.refusalLogUrl, log)],
    context: (caller, access) => hospitalContext(caller, access, hospital, fhir, verifyGrant, cursors, log),
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
  });
}
