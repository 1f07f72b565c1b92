import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Configuration is read and validated once, at start-up, then frozen and passed in.
 * This is the only module that reads `process.env`.
 */

const graphqlTypeName = /^[A-Z][A-Za-z0-9]*$/;

const fhirAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('bearer'), token: z.string().min(1) }),
  /** SMART Backend Services: client credentials with a private_key_jwt assertion. */
  z.object({
    type: z.literal('smart-backend'),
    clientId: z.string().min(1),
    /** A JSON file holding the private JWK (with `kid`). */
    keyFile: z.string().min(1),
    alg: z.enum(['RS384', 'ES384']).default('ES384'),
    scope: z.string().min(1).default('system/*.rs'),
    /** Found through the server's `.well-known/smart-configuration` when absent. */
    tokenUrl: z.url().optional(),
  }),
]);

export const hospitalSchema = z.object({
  /** Stable id, used in grants, audit and error extensions. */
  id: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be lowercase letters, digits and dashes'),
  name: z.string().min(1),
  /** The hospital's own chart type in the graph, e.g. `AureliaChart`. */
  typeName: z.string().regex(graphqlTypeName, 'must be a GraphQL type name').refine((n) => n.endsWith('Chart'), 'must end with "Chart"'),
  fhirBaseUrl: z.url({ protocol: /^https?$/ }),
  subgraphUrl: z.url({ protocol: /^https?$/ }),
  /** Identifier system of the shared (national) patient identifier this hospital records. */
  identifierSystem: z.string().min(1),
  auth: fhirAuthSchema.default({ type: 'none' }),
  /** Budget of one call to this hospital's FHIR server, retries included: well under the gateway's own. */
  timeoutMs: z.number().int().positive().max(60_000).default(5_000),
  /** Retries of a failed read within that budget (backoff with jitter). */
  retries: z.number().int().min(0).max(5).default(2),
  /** After this many failures in a row (of recent calls) the hospital is not called for `resetTimeoutMs`, then probed. */
  circuitBreaker: z.object({ failureThreshold: z.number().int().min(1).default(5), resetTimeoutMs: z.number().int().min(100).default(30_000) }).default({ failureThreshold: 5, resetTimeoutMs: 30_000 }),
  /**
   * Send a request's searches together in one FHIR `batch` interaction (one HTTP call per
   * request instead of one per search). Only for servers whose CapabilityStatement lists
   * the `batch` interaction; a server that runs the entries one after another may answer
   * later than parallel searches would.
   */
  fhirBatch: z.boolean().default(false),
  /** Present when `npm start` should run a synthetic sandbox FHIR server for this hospital. */
  sandbox: z
    .object({
      seed: z.number().int(),
      /** How many people only this hospital knows. */
      localPatients: z.number().int().min(0).max(100_000),
      /** Demo patients (usernames) this hospital also treats, under its own local ids. */
      demoPeople: z.array(z.string()).default([]),
      /** Folders of FHIR JSON (bundles or resources, e.g. Synthea output) served besides the synthetic records. */
      load: z.array(z.string().min(1)).default([]),
      /** Require SMART Backend Services tokens from this client, whose public JWK is in `publicKeyFile`. */
      backendAuth: z.object({ clientId: z.string().min(1), publicKeyFile: z.string().min(1) }).optional(),
    })
    .optional(),
});

export type HospitalConfig = z.infer<typeof hospitalSchema>;

const hospitalsFileSchema = z.object({
  hospitals: z.array(hospitalSchema).min(1),
}).superRefine((file, ctx) => {
  for (const key of ['id', 'typeName'] as const) {
    const seen = new Set<string>();
    file.hospitals.forEach((h, i) => {
      if (seen.has(h[key])) ctx.addIssue({ code: 'custom', path: ['hospitals', i, key], message: `duplicate ${key} "${h[key]}"` });
      seen.add(h[key]);
    });
  }
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function formatIssues(source: string, error: z.ZodError): string {
  return error.issues
    .map((i) => `${source}: ${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')} ${i.message}`)
    .join('\n');
}

/** Parses a hospitals file's JSON; throws ConfigError naming the dotted path of each problem. */
export function parseHospitals(json: unknown, source = 'hospitals'): readonly HospitalConfig[] {
  const parsed = hospitalsFileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(formatIssues(source, parsed.error));
  return Object.freeze(parsed.data.hospitals.map((h) => Object.freeze(h)));
}

export function loadHospitalsFile(file: string): readonly HospitalConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: cannot be read as JSON (${(err as Error).message})`);
  }
  return parseHospitals(json, file);
}

/** Subgraph name of a hospital in the supergraph (join__Graph). */
export function subgraphName(hospital: Pick<HospitalConfig, 'id'>): string {
  return `hospital_${hospital.id.replaceAll('-', '_')}`;
}

export interface StackConfig {
  readonly host: string;
  readonly gatewayPort: number;
  readonly ssoPort: number;
  readonly consentPort: number;
  /** Public URL of the OpenID Connect issuer whose access tokens the graph accepts. */
  readonly issuer: string;
  /** The `aud` every access token must carry (RFC 8707 resource indicator of the API). */
  readonly audience: string;
  /** Where the consent subgraph is reached by the gateway, and its grant keys by hospital subgraphs. */
  readonly consentUrl: string;
  readonly dataDir: string;
  /** PostgreSQL connection string; unset means embedded PGlite under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly hospitalsFile: string;
  /** Longest life of a chart grant, in seconds. */
  readonly grantLifetimeSec: number;
  /** `NODE_ENV=production`: introspection only with the developer scope, no field suggestions, GraphiQL only if asked. */
  readonly production: boolean;
  /** Serve GraphiQL and the portal pages (`GRAPHIQL`); on by default outside production. */
  readonly pages: boolean;
  /** The scope that lets a caller introspect the schema in production. */
  readonly developerScope: string;
  /** The issuer's client id of the browser pages (authorization code + PKCE). */
  readonly browserClientId: string;
  /** Limits on GraphQL documents at the gateway (see gateway/query-limits.ts). */
  readonly limits: { maxDepth: number; maxAliases: number; maxDirectives: number; maxTokens: number; maxCost: number; defaultListSize: number; maxBodyBytes: number };
  readonly hospitals: readonly HospitalConfig[];
  /** True when the issuer is the embedded sandbox sign-on server (demo accounts). */
  readonly embeddedSso: boolean;
}

const envSchema = z.object({
  HOST: z.string().default('localhost'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  SSO_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  CONSENT_PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  OIDC_ISSUER: z.url().optional(),
  API_AUDIENCE: z.string().min(1).default('urn:fhir-patient-graph:api'),
  CONSENT_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: z.string().min(1).optional(),
  HOSPITALS_CONFIG: z.string().min(1).default('config/hospitals.json'),
  GRANT_LIFETIME_SEC: z.coerce.number().int().min(1).max(3600).default(60),
  NODE_ENV: z.string().optional(),
  GRAPHIQL: z.enum(['on', 'off']).optional(),
  DEVELOPER_SCOPE: z.string().min(1).default('developer'),
  OIDC_CLIENT_ID: z.string().min(1).default('portal'),
  MAX_DEPTH: z.coerce.number().int().min(2).default(12),
  MAX_ALIASES: z.coerce.number().int().min(0).default(20),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).default(10),
  MAX_TOKENS: z.coerce.number().int().min(10).default(4000),
  MAX_COST: z.coerce.number().int().min(1).default(5_000_000),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(100_000),
});

/** Reads the environment once. Throws ConfigError with every problem found. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(formatIssues('env', parsed.error));
  const e = parsed.data;
  const embeddedSso = e.OIDC_ISSUER === undefined;
  return Object.freeze({
    host: e.HOST,
    gatewayPort: e.PORT,
    ssoPort: e.SSO_PORT,
    consentPort: e.CONSENT_PORT,
    issuer: e.OIDC_ISSUER ?? `http://${e.HOST}:${e.SSO_PORT}`,
    audience: e.API_AUDIENCE,
    consentUrl: e.CONSENT_URL ?? `http://${e.HOST}:${e.CONSENT_PORT}/graphql`,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    hospitalsFile: e.HOSPITALS_CONFIG,
    grantLifetimeSec: e.GRANT_LIFETIME_SEC,
    production: e.NODE_ENV === 'production',
    pages: e.GRAPHIQL ? e.GRAPHIQL === 'on' : e.NODE_ENV !== 'production',
    developerScope: e.DEVELOPER_SCOPE,
    browserClientId: e.OIDC_CLIENT_ID,
    limits: Object.freeze({ maxDepth: e.MAX_DEPTH, maxAliases: e.MAX_ALIASES, maxDirectives: e.MAX_DIRECTIVES, maxTokens: e.MAX_TOKENS, maxCost: e.MAX_COST, defaultListSize: 3, maxBodyBytes: e.MAX_BODY_BYTES }),
    hospitals: loadHospitalsFile(e.HOSPITALS_CONFIG),
    embeddedSso,
  });
}
