import { createAccessTokenVerifier } from '../../lib/auth/access-token.ts';
import { loadConfig } from '../../lib/config.ts';
import { runUntilSignal } from '../../lib/run-until-signal.ts';
import { enrollDemoPeople } from '../../sandbox/demo-people.ts';
import { openDb } from './db.ts';
import { startConsentSubgraph } from './index.ts';
import { migrate } from './migrate.ts';

/** The consent subgraph alone (`npm run consent`), on `CONSENT_URL`'s port, with its store migrated. */
const config = loadConfig();
const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await migrate(db);
const consentUrl = new URL(config.consentUrl);
const consent = await startConsentSubgraph({
  db,
  hospitals: config.hospitals,
  verifyToken: createAccessTokenVerifier({ issuer: config.issuer, audience: config.audience }),
  grantLifetimeSec: config.grantLifetimeSec,
  production: config.production,
  publicOrigin: consentUrl.origin,
  port: Number(consentUrl.port),
  host: config.host,
});
if (config.embeddedSso) {
  // With the embedded sign-on server, its demo patients are the portal's accounts.
  await enrollDemoPeople(consent.people);
}
console.log(`consent subgraph on ${consent.url}`);
runUntilSignal(async () => {
  await consent.close();
  await db.close();
});
