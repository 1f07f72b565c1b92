import { loadConfig } from '../lib/config.ts';
import { BROWSER_CLIENT_ID, demoAccounts, demoServiceClients } from '../sandbox/sso/accounts.ts';
import { clientCredentials, loginWithPassword } from '../sandbox/sso/headless-client.ts';

/**
 * `npm run token -- <account> [--scope "..."]`: prints an access token for a demo
 * account, obtained from the running sign-on server through a real OAuth flow
 * (authorization code + PKCE for people, client credentials for the service clients).
 */
const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--'));
const scopeAt = args.indexOf('--scope');
const scopeArg = scopeAt >= 0 ? args[scopeAt + 1] : undefined;
const usage = `usage: npm run token -- <${[...demoAccounts.map((a) => a.username), ...demoServiceClients.map((c) => c.clientId)].join('|')}> [--scope "<scopes>"]`;
if (!name) {
  console.error(usage);
  process.exit(64);
}

const config = loadConfig();
try {
  let token: string;
  const service = demoServiceClients.find((c) => c.clientId === name);
  if (service) {
    ({ access_token: token } = await clientCredentials({ issuer: config.issuer, ...service, scope: scopeArg ?? 'system/*.rs' }));
  } else {
    const account = demoAccounts.find((a) => a.username === name);
    if (!account) {
      console.error(`unknown account "${name}"\n${usage}`);
      process.exit(64);
    }
    const scope = scopeArg ?? `openid fhirUser ${account.role === 'patient' ? 'patient/*.rs' : 'user/*.rs'}`;
    ({ access_token: token } = await loginWithPassword({
      issuer: config.issuer,
      clientId: BROWSER_CLIENT_ID,
      redirectUri: `http://${config.host}:${config.gatewayPort}/auth/callback`,
      username: account.username,
      password: account.password,
      scope,
    }));
  }
  console.log(token);
} catch (err) {
  const cause = (err as { cause?: { code?: string } }).cause;
  console.error(cause?.code === 'ECONNREFUSED' ? `cannot reach the sign-on server at ${config.issuer}: is the stack running (npm start)?` : (err as Error).message);
  process.exit(1);
}
