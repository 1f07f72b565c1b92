import { createAccessTokenVerifier } from '../../lib/auth/access-token.ts';
import { ConfigError, loadConfig } from '../../lib/config.ts';
import { runUntilSignal } from '../../lib/run-until-signal.ts';
import { GRANT_JWKS_PATH } from '../consent/index.ts';
import { REFUSALS_PATH } from '../consent/refusal-log.ts';
import { startHospitalSubgraph } from './index.ts';

/** One hospital's subgraph alone: `npm run hospital -- <hospital id>`, on its `subgraphUrl`'s port. */
const config = loadConfig();
const id = process.argv[2];
const hospital = config.hospitals.find((h) => h.id === id);
if (!hospital) throw new ConfigError(`usage: npm run hospital -- <${config.hospitals.map((h) => h.id).join('|')}>`);
const consent = new URL(config.consentUrl).origin;
const subgraph = await startHospitalSubgraph({
  hospital,
  verifyToken: createAccessTokenVerifier({ issuer: config.issuer, audience: config.audience }),
  production: config.production,
  grantIssuer: consent,
  grantJwksUrl: `${consent}${GRANT_JWKS_PATH}`,
  refusalLogUrl: `${consent}${REFUSALS_PATH}`,
  port: Number(new URL(hospital.subgraphUrl).port),
  host: config.host,
});
console.log(`${hospital.id} subgraph on ${subgraph.url}`);
runUntilSignal(() => subgraph.close());
