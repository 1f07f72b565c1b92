import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../lib/auth/access-token.ts';
import { subgraphName, type HospitalConfig, type StackConfig } from '../lib/config.ts';
import { listen } from '../lib/http/listen.ts';
import type { RunningSubgraph } from '../lib/http/subgraph-server.ts';
import { createLogger } from '../lib/log.ts';
import { gatewaySettings, startGateway } from '../gateway/server.ts';
import { enrollDemoPeople } from '../sandbox/demo-people.ts';
import { browserRedirectUris } from '../sandbox/sso/accounts.ts';
import { startSandboxHospital, type RunningSandboxHospital } from '../sandbox/fhir/index.ts';
import { startSso } from '../sandbox/sso/index.ts';
import { SUPERGRAPH_FILE } from '../schema/compose.ts';
import { CONSENT_SUBGRAPH } from '../schema/subgraph-sdl.ts';
import { startConsentService, type RunningConsentSubgraph } from '../subgraphs/consent/index.ts';
import { startHospitalSubgraph } from '../subgraphs/hospital/index.ts';

export interface StackOptions {
  /** Every part on a free port (tests) instead of the configured ones. */
  ephemeralPorts?: boolean;
  /** A supergraph other than the checked-in one (tests with other hospitals). */
  supergraphSdl?: string;
  /** Extra folders of FHIR JSON per sandbox hospital id (`npm start -- --load <dir>`). */
  load?: Readonly<Record<string, readonly string[]>>;
  /** Observes every FHIR request a hospital subgraph makes. */
  onFhirRequest?: (hospitalId: string, url: string, searches: readonly string[]) => void;
}

export interface RunningStack {
  readonly gatewayUrl: string;
  readonly issuer: string;
  readonly consentUrl: string;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly fhirBaseUrls: Readonly<Record<string, string>>;
  /** The sandbox FHIR servers started, by hospital id. */
  readonly sandboxes: Readonly<Record<string, RunningSandboxHospital>>;
  close(): Promise<void>;
}

/**
 * The embedded default in one process: sandbox hospitals, sign-on server, consent
 * store and subgraph, one subgraph per hospital and the gateway, each on its own
 * HTTP server talking real HTTP to the others, as they would when deployed apart.
 */
export async function startStack(config: StackConfig, options: StackOptions = {}): Promise<RunningStack> {
  const log = createLogger({ part: 'stack' });
  const port = (configured: number) => (options.ephemeralPorts ? 0 : configured);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const fhirBaseUrls: Record<string, string> = {};
    const sandboxes: Record<string, RunningSandboxHospital> = {};
    for (const hospital of config.hospitals) {
      if (!hospital.sandbox) {
        fhirBaseUrls[hospital.id] = hospital.fhirBaseUrl;
        continue;
      }
      const sandbox = await startSandboxHospital(hospital, { ...(options.ephemeralPorts ? { port: 0 } : {}), host: config.host, load: options.load?.[hospital.id] ?? [] });
      closers.push(sandbox.close);
      fhirBaseUrls[hospital.id] = sandbox.fhirBaseUrl;
      sandboxes[hospital.id] = sandbox;
    }

    // The gateway listens first: the sign-on server registers its origin as a redirect URI.
    const gatewayServer = await listen(port(config.gatewayPort), config.host);
    closers.push(gatewayServer.close);
    let issuer = config.issuer;
    if (config.embeddedSso) {
      const sso = await startSso({
        port: port(config.ssoPort),
        host: config.host,
        audience: config.audience,
        redirectUris: browserRedirectUris(gatewayServer.origin),
        ...(options.ephemeralPorts ? {} : { secretsDir: path.join(config.dataDir, 'sso') }),
      });
      closers.push(sso.close);
      issuer = sso.issuer;
    }
    const verifyToken = createAccessTokenVerifier({ issuer, audience: config.audience });

    const subgraphs = await startSubgraphs(config, { fhirBaseUrls, verifyToken, ephemeralPorts: options.ephemeralPorts ?? false, ...(options.onFhirRequest ? { onFhirRequest: options.onFhirRequest } : {}) });
    closers.push(subgraphs.close);
    if (config.embeddedSso) {
      // Demo patients are enrolled as portal accounts; a real deployment enrolls people at sign-up.
      await enrollDemoPeople(subgraphs.consent.people);
    }
    const { subgraphUrls } = subgraphs;

    const gateway = await startGateway({
      supergraphSdl: options.supergraphSdl ?? (await readFile(SUPERGRAPH_FILE, 'utf8')),
      subgraphUrls,
      verifyToken,
      port: gatewayServer.port,
      server: gatewayServer,
      ...gatewaySettings(config, issuer),
    });
    closers.push(gateway.close);
    log.debug('stack started');
    return { gatewayUrl: gateway.url, issuer, consentUrl: subgraphs.consent.url, subgraphUrls, fhirBaseUrls, sandboxes, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface RunningSubgraphs {
  /** The consent subgraph (its people store enrolls accounts). */
  readonly consent: RunningConsentSubgraph;
  /** URL of every subgraph, by subgraph name. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

interface SubgraphPartOptions {
  fhirBaseUrls: Readonly<Record<string, string>>;
  verifyToken: AccessTokenVerifier;
  ephemeralPorts: boolean;
  onFhirRequest?: (hospitalId: string, url: string, searches: readonly string[]) => void;
}

/** The consent store and subgraph and one subgraph per hospital: everything the gateway federates. */
export async function startSubgraphs(config: StackConfig, options: SubgraphPartOptions): Promise<RunningSubgraphs> {
  const consent = await startConsentService(config, {
    fhirBaseUrls: options.fhirBaseUrls,
    verifyToken: options.verifyToken,
    port: options.ephemeralPorts ? 0 : Number(new URL(config.consentUrl).port),
  });
  const closers: (() => Promise<void>)[] = [consent.close];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const subgraphUrls: Record<string, string> = { [CONSENT_SUBGRAPH]: consent.url };
    for (const hospital of config.hospitals) {
      const subgraph = await startHospitalPart(config, hospital, consent, options);
      closers.push(subgraph.close);
      subgraphUrls[subgraphName(hospital)] = subgraph.url;
    }
    return { consent, subgraphUrls, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One hospital's subgraph, trusting the grants of the given consent service. */
function startHospitalPart(
  config: StackConfig,
  hospital: HospitalConfig,
  consent: Pick<RunningConsentSubgraph, 'grantIssuer' | 'grantJwksUrl' | 'refusalLogUrl'>,
  options: SubgraphPartOptions,
): Promise<RunningSubgraph> {
  return startHospitalSubgraph({
    hospital,
    port: options.ephemeralPorts ? 0 : Number(new URL(hospital.subgraphUrl).port),
    host: config.host,
    verifyToken: options.verifyToken,
    production: config.production,
    grantIssuer: consent.grantIssuer,
    grantJwksUrl: consent.grantJwksUrl,
    refusalLogUrl: consent.refusalLogUrl,
    fhirBaseUrl: options.fhirBaseUrls[hospital.id] as string,
    ...(options.onFhirRequest ? { onFhirRequest: (url: string, searches: readonly string[]) => options.onFhirRequest?.(hospital.id, url, searches) } : {}),
  });
}
