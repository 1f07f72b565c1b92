import { readFile } from 'node:fs/promises';
import { createAccessTokenVerifier } from '../lib/auth/access-token.ts';
import { loadConfig, subgraphName } from '../lib/config.ts';
import { runUntilSignal } from '../lib/run-until-signal.ts';
import { SUPERGRAPH_FILE } from '../schema/compose.ts';
import { CONSENT_SUBGRAPH } from '../schema/subgraph-sdl.ts';
import { gatewaySettings, startGateway } from './server.ts';

/** The gateway alone (`npm run gateway`), for deployments that run each part apart. */
const config = loadConfig();
const gateway = await startGateway({
  supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
  subgraphUrls: { [CONSENT_SUBGRAPH]: config.consentUrl, ...Object.fromEntries(config.hospitals.map((h) => [subgraphName(h), h.subgraphUrl])) },
  verifyToken: createAccessTokenVerifier({ issuer: config.issuer, audience: config.audience }),
  port: config.gatewayPort,
  host: config.host,
  ...gatewaySettings(config, config.issuer),
});
console.log(`gateway on ${gateway.url}`);
runUntilSignal(() => gateway.close());
