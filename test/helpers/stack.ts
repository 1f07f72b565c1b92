import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type StackConfig } from '../../lib/config.ts';
import { BROWSER_CLIENT_ID, demoAccounts, demoServiceClients } from '../../sandbox/sso/accounts.ts';
import { clientCredentials, loginWithPassword, type TokenResponse } from '../../sandbox/sso/headless-client.ts';
import { startStack, type RunningStack, type StackOptions } from '../../scripts/stack.ts';

export interface TestStack extends RunningStack {
  readonly config: StackConfig;
  readonly dataDir: string;
  /** FHIR requests made by hospital subgraphs, in order. */
  /** Every FHIR search or read the subgraphs made, one per search even when several went in one batch call. */
  readonly fhirRequests: { hospital: string; url: string }[];
  /** Every FHIR HTTP call the subgraphs made (a batch is one). */
  readonly fhirCalls: { hospital: string; url: string }[];
  login(username: string, scope?: string): Promise<TokenResponse>;
  token(username: string, scope?: string): Promise<string>;
  gql(query: string, token?: string, variables?: Record<string, unknown>): Promise<GqlResponse>;
  /** Stops every part; the data directory is removed unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface GqlResponse {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

/** Boots the real stack in-process, every part on a free port, with its own data directory. */
export async function startTestStack(env: NodeJS.ProcessEnv = {}, options: StackOptions & { dataDir?: string } = {}): Promise<TestStack> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'fhir-graph-test-')));
  const config = loadConfig({ DATA_DIR: dataDir, ...env });
  const fhirRequests: { hospital: string; url: string }[] = [];
  const fhirCalls: { hospital: string; url: string }[] = [];
  const { dataDir: _given, ...stackOptions } = options;
  const stack = await startStack(config, {
    ephemeralPorts: true,
    onFhirRequest: (hospital, url, searches) => {
      fhirCalls.push({ hospital, url });
      fhirRequests.push(...searches.map((s) => ({ hospital, url: s })));
    },
    ...stackOptions,
  });
  const redirectUri = stack.gatewayUrl.replace(/\/graphql$/, '/auth/callback');
  const login = async (username: string, scope?: string): Promise<TokenResponse> => {
    const service = demoServiceClients.find((c) => c.clientId === username);
    if (service) {
      return clientCredentials({ issuer: stack.issuer, ...service, scope: scope ?? 'system/*.rs' });
    }
    const account = demoAccounts.find((a) => a.username === username);
    if (!account) throw new Error(`no demo account ${username}`);
    return loginWithPassword({
      issuer: stack.issuer,
      clientId: BROWSER_CLIENT_ID,
      redirectUri,
      username,
      password: account.password,
      scope: scope ?? `openid fhirUser ${account.role === 'patient' ? 'patient/*.rs' : 'user/*.rs'}`,
    });
  };
  return {
    ...stack,
    config,
    dataDir,
    fhirRequests,
    fhirCalls,
    login,
    token: async (username, scope) => (await login(username, scope)).access_token,
    gql: (query, token, variables) => postGraphQL(stack.gatewayUrl, query, token, variables),
    stop: async ({ keepData = false } = {}) => {
      await stack.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function postGraphQL(url: string, query: string, token?: string, variables?: Record<string, unknown>): Promise<GqlResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  return { status: res.status, body: (await res.json()) as GqlResponse['body'] };
}

/** The query of the walking-skeleton issue, as a frontend would send it. */
export const CHARTS_QUERY = `{ me { charts { hospital { id name } patient { id name { family given } birthDate }
  observations(first: 5) { code { coding { system code display } } effectiveDateTime valueQuantity { value unit } }
  conditions { code { text } onsetDateTime } } } }`;
