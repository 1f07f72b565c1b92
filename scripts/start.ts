import { performance } from 'node:perf_hooks';
import { ConfigError, loadConfig } from '../lib/config.ts';
import { demoAccounts, demoServiceClients } from '../sandbox/sso/accounts.ts';
import { runUntilSignal } from '../lib/run-until-signal.ts';
import { startStack } from './stack.ts';

/** `npm start`: the whole stack on its embedded default, in one process. */
const started = performance.now();
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Configuration error:\n${err.message}`);
    process.exit(78);
  }
  throw err;
}

// `npm start -- --load <folder> [--into <hospital id>]`: serve a folder of FHIR bundles (e.g. Synthea output)
// from a sandbox hospital, the first one unless --into names another.
const args = process.argv.slice(2);
const load: Record<string, string[]> = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] !== '--load') continue;
  const folder = args[i + 1];
  const intoAt = args.indexOf('--into');
  const into = intoAt >= 0 ? args[intoAt + 1] : config.hospitals.find((h) => h.sandbox)?.id;
  if (!folder || !into || !config.hospitals.some((h) => h.id === into && h.sandbox)) {
    console.error('usage: npm start -- --load <folder of FHIR JSON> [--into <sandbox hospital id>]');
    process.exit(64);
  }
  (load[into] ??= []).push(folder);
}

const stack = await startStack(config, { load }).catch((err: NodeJS.ErrnoException) => {
  console.error(err.code === 'EADDRINUSE' ? `Cannot start: a port is already in use (${err.message}). Is the stack already running?` : `Cannot start: ${err.message}`);
  process.exit(1);
});

const ms = Math.round(performance.now() - started);
const lines = [
  '',
  `FHIR patient graph is running (ready in ${ms} ms)`,
  '',
  `  GraphiQL          ${stack.gatewayUrl.replace(/\/graphql$/, '/')}`,
  `  Patient portal    ${stack.gatewayUrl.replace(/\/graphql$/, '/portal')}`,
  `  GraphQL gateway   ${stack.gatewayUrl}`,
  `  Sign-on (OIDC)    ${stack.issuer}${config.embeddedSso ? '   (embedded, demo accounts)' : ''}`,
  `  Consent subgraph  ${stack.consentUrl}`,
  ...config.hospitals.map((h) => `  ${h.name.padEnd(40)} FHIR ${stack.fhirBaseUrls[h.id]}${h.sandbox ? ' (sandbox)' : ''}`),
  `  Data directory    ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : config.dataDir}`,
];
if (config.embeddedSso) {
  lines.push(
    '',
    '  Demo accounts (development only):',
    ...demoAccounts.map((a) => `    ${a.username.padEnd(8)} password ${a.password.padEnd(12)} ${a.role}${a.organization ? ` at ${a.organization}` : ''}`),
    ...demoServiceClients.map((c) => `    ${c.clientId.padEnd(8)} client secret ${c.clientSecret} (service client, client credentials)`),
    '',
    '  Try it:',
    '    TOKEN=$(npm run -s token -- alice)',
    `    curl -s ${stack.gatewayUrl} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `      -d '{"query":"{ me { charts { hospital { name } patient { birthDate } } } }"}'`,
  );
}
lines.push('', 'Press Ctrl-C to stop.', '');
console.log(lines.join('\n'));

runUntilSignal(() => stack.close());
