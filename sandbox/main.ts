import path from 'node:path';
import { loadConfig } from '../lib/config.ts';
import { runUntilSignal } from '../lib/run-until-signal.ts';
import { startSandboxHospital } from './fhir/index.ts';
import { browserRedirectUris } from './sso/accounts.ts';
import { startSso } from './sso/index.ts';

/**
 * The development stand-ins alone (`npm run sandbox`): the embedded sign-on server (unless
 * OIDC_ISSUER points elsewhere) and a FHIR server for every hospital with a `sandbox` entry.
 */
const config = loadConfig();
const closers: (() => Promise<void>)[] = [];
for (const hospital of config.hospitals.filter((h) => h.sandbox)) {
  const sandbox = await startSandboxHospital(hospital, { host: config.host });
  closers.push(sandbox.close);
  console.log(`${hospital.id} sandbox FHIR on ${sandbox.fhirBaseUrl}`);
}
if (config.embeddedSso) {
  const sso = await startSso({
    port: config.ssoPort, host: config.host, audience: config.audience,
    redirectUris: browserRedirectUris(`http://${config.host}:${config.gatewayPort}`),
    secretsDir: path.join(config.dataDir, 'sso'),
  });
  closers.push(sso.close);
  console.log(`sign-on server on ${sso.issuer}`);
}
runUntilSignal(async () => {
  for (const close of closers.reverse()) await close();
});
