import type { AccessTokenVerifier } from '../../lib/auth/access-token.ts';
import type { HospitalConfig, StackConfig } from '../../lib/config.ts';
import { hospitalFhirClient } from '../../lib/fhir/hospital-client.ts';
import { createGrantSigner } from '../../lib/grants.ts';
import { sendJson } from '../../lib/http/respond.ts';
import { startSubgraphServer, type RunningSubgraph } from '../../lib/http/subgraph-server.ts';
import { listen } from '../../lib/http/listen.ts';
import { createLogger } from '../../lib/log.ts';
import { consentSubgraphDocument } from '../../schema/subgraph-sdl.ts';
import type { ConsentContext } from './context.ts';
import { openDb, type Db } from './db.ts';
import { migrate } from './migrate.ts';
import { LinkResolver } from './links.ts';
import { ConsentRecords } from './consent-store.ts';
import { consentResolvers } from './resolvers.ts';
import { refusalLogHandler, REFUSALS_PATH } from './refusal-log.ts';
import { consentRules } from './rules.ts';
import { PeopleStore } from './people-store.ts';

export interface ConsentSubgraphOptions {
  db: Db;
  hospitals: readonly HospitalConfig[];
  /** FHIR base URL per hospital id, overriding the config (sandboxes on free ports). */
  fhirBaseUrls?: Readonly<Record<string, string>>;
  verifyToken: AccessTokenVerifier;
  /** Production: no introspection of this subgraph. */
  production?: boolean;
  /** Public origin hospital subgraphs reach this service at (grant `iss`, JWKS, refusal log); default: where it listens. */
  publicOrigin?: string;
  /** Longest life of a chart grant; revoking a consent is felt at once through the gateway. */
  grantLifetimeSec?: number;
  port: number;
  host?: string;
}

export interface RunningConsentSubgraph extends RunningSubgraph {
  /** `iss` of the grants it signs, and where hospital subgraphs find its keys. */
  readonly grantIssuer: string;
  readonly grantJwksUrl: string;
  /** Where hospital subgraphs record the fields they refused. */
  readonly refusalLogUrl: string;
  readonly people: PeopleStore;
  /** Consents and the access log (seeding people's consents: benchmarks, demos). */
  readonly records: ConsentRecords;
}

export const GRANT_JWKS_PATH = '/.well-known/jwks.json';

/** Starts the consent subgraph: people, their hospital links, consents, the access log and signed chart grants. */
export async function startConsentSubgraph(options: ConsentSubgraphOptions): Promise<RunningConsentSubgraph> {
  const log = createLogger({ part: 'consent-subgraph' });
  const people = new PeopleStore(options.db);
  const records = new ConsentRecords(options.db);
  const pseudonymKey = await records.secret('pseudonym-key');
  const linked = options.hospitals.map((hospital) => ({
    hospital,
    fhir: hospitalFhirClient(hospital, { baseUrl: options.fhirBaseUrls?.[hospital.id] ?? hospital.fhirBaseUrl }),
  }));
  const links = new LinkResolver(people, linked, log);
  // The grant issuer is this server's own origin, known once it listens (port 0 in tests).
  const server = await listen(options.port, options.host);
  const origin = options.publicOrigin ?? server.origin;
  const grants = await createGrantSigner(origin);
  const running = await startSubgraphServer<ConsentContext>({
    typeDefs: consentSubgraphDocument(options.hospitals),
    resolvers: consentResolvers,
    rules: consentRules(options.hospitals.map((h) => h.typeName)),
    verifyToken: options.verifyToken,
    introspection: !options.production,
    log,
    // Ready when the consent store answers and the issuer's keys can be fetched.
    ready: async () => (await options.db.query('SELECT 1').then(() => true, () => false)) && (await options.verifyToken.keysReachable()),
    context: (caller, access) => ({
      caller, access, people, records, links, grants, pseudonymKey, log,
      hospitals: options.hospitals,
      grantLifetimeSec: options.grantLifetimeSec ?? 60,
    }),
    port: server.port,
    server,
    routes: {
      [`GET ${GRANT_JWKS_PATH}`]: (_req, res) => sendJson(res, 200, grants.jwks, 'application/jwk-set+json'),
      [`POST ${REFUSALS_PATH}`]: refusalLogHandler({ verifyToken: options.verifyToken, grants, issuer: origin, hospitalIds: options.hospitals.map((h) => h.id), records, log }),
    },
  });
  return { ...running, grantIssuer: origin, grantJwksUrl: `${origin}${GRANT_JWKS_PATH}`, refusalLogUrl: `${origin}${REFUSALS_PATH}`, people, records };
}

/**
 * The consent service as configured: its store opened (PGlite under `DATA_DIR`, or
 * PostgreSQL with `DATABASE_URL`) and migrated, then the subgraph; closing it closes the
 * store too.
 */
export async function startConsentService(
  config: StackConfig,
  options: Pick<ConsentSubgraphOptions, 'verifyToken' | 'fhirBaseUrls' | 'publicOrigin' | 'port'>,
): Promise<RunningConsentSubgraph> {
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    const consent = await startConsentSubgraph({
      db,
      hospitals: config.hospitals,
      grantLifetimeSec: config.grantLifetimeSec,
      production: config.production,
      host: config.host,
      ...options,
    });
    return { ...consent, close: () => consent.close().finally(() => db.close()) };
  } catch (err) {
    await db.close();
    throw err;
  }
}
