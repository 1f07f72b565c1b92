import { performance } from 'node:perf_hooks';
import { ConfigError, loadConfig } from '../lib/config.ts';
import { demoAccounts, demoServiceClients } from '../sandbox/sso/accounts.ts';
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

const stack = await startStack(config).catch((err: NodeJS.ErrnoException) => {
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

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.close();
  console.log('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
