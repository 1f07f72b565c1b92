import { createAccessTokenVerifier } from '../../lib/auth/access-token.ts';
import { loadConfig } from '../../lib/config.ts';
import { runUntilSignal } from '../../lib/run-until-signal.ts';
import { enrollDemoPeople } from '../../sandbox/demo-people.ts';
import { startConsentService } from './index.ts';

/** The consent subgraph alone (`npm run consent`), on `CONSENT_URL`'s port, with its store migrated. */
const config = loadConfig();
const consentUrl = new URL(config.consentUrl);
const consent = await startConsentService(config, {
  verifyToken: createAccessTokenVerifier({ issuer: config.issuer, audience: config.audience }),
  publicOrigin: consentUrl.origin,
  port: Number(consentUrl.port),
});
if (config.embeddedSso) {
  // With the embedded sign-on server, its demo patients are the portal's accounts.
  await enrollDemoPeople(consent.people);
}
console.log(`consent subgraph on ${consent.url}`);
runUntilSignal(() => consent.close());
