import { randomUUID } from 'node:crypto';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { AccessTokenVerifier } from '../lib/auth/access-token.ts';
import type { StackConfig } from '../lib/config.ts';
import { createErrorMasker } from '../lib/errors.ts';
import { createLogger } from '../lib/log.ts';
import { graphqlHandler } from '../lib/http/graphql-handler.ts';
import { listen, type RunningServer } from '../lib/http/listen.ts';
import { sendJson } from '../lib/http/respond.ts';
import type { GatewayContext } from './context.ts';
import { introspectionOnlyWith } from './introspection.ts';
import { requireOperation } from './require-operation.ts';
import { defaultQueryLimits, queryLimits, type QueryLimits } from './query-limits.ts';
import { subgraphFetcher } from './subgraph-fetcher.ts';
import { AuthenticatedSubgraph } from './subgraph-source.ts';
import { webPages, type WebPagesOptions } from './web-pages.ts';

export interface GatewayOptions {
  /** The composed supergraph (schema/supergraph.graphql). */
  supergraphSdl: string;
  /** Where each subgraph is reached, by subgraph name; overrides the URLs in the supergraph. */
  subgraphUrls: Readonly<Record<string, string>>;
  verifyToken: AccessTokenVerifier;
  port: number;
  host?: string;
  /** An already listening server to use instead of `port`. */
  server?: RunningServer;
  /** Production: introspection only with `developerScope`, field suggestions off. */
  production?: { developerScope: string };
  /** Limits on documents; the defaults when absent. */
  limits?: QueryLimits;
  /** Largest request body accepted (413 beyond). */
  maxBodyBytes?: number;
  /** Longest wait for one subgraph answer. */
  subgraphTimeoutMs?: number;
  /** Serve GraphiQL and the portal, signing in at this issuer; no pages when absent. */
  pages?: WebPagesOptions;
}

/** The gateway options that come from configuration (limits, pages, production). */
export function gatewaySettings(config: StackConfig, issuer: string): Pick<GatewayOptions, 'limits' | 'maxBodyBytes' | 'pages' | 'production'> {
  return {
    limits: config.limits,
    maxBodyBytes: config.limits.maxBodyBytes,
    ...(config.pages ? { pages: { issuer, clientId: config.browserClientId } } : {}),
    ...(config.production ? { production: { developerScope: config.developerScope } } : {}),
  };
}

export interface RunningGateway {
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

/** Apollo Gateway in Apollo Server on its own HTTP server: `/graphql`, `/healthz`, and the browser pages. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  // @apollo/gateway otherwise probes cloud metadata endpoints and sends usage metrics to
  // Apollo; a patient graph sends nothing anywhere but to its own parts. The switch is
  // an environment variable the library reads in its constructor.
  process.env['APOLLO_TELEMETRY_DISABLED'] = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => {
      const configured = options.subgraphUrls[name];
      // A subgraph without a configured URL is a deployment mistake: fail at start-up.
      if (!configured) throw new TypeError(`no URL configured for subgraph "${name}" (supergraph has ${url ?? 'none'})`);
      return new AuthenticatedSubgraph({
        url: configured,
        // The gateway's own limit per subgraph call; hospitals' FHIR budgets (5 s by default) sit well inside it.
        fetcher: subgraphFetcher(options.subgraphTimeoutMs ?? 20_000),
      });
    },
  });
  const limits = queryLimits(options.limits ?? defaultQueryLimits, { blockFieldSuggestion: Boolean(options.production) });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    allowBatchedHttpRequests: false,
    formatError: createErrorMasker(createLogger({ part: 'gateway' })),
    includeStacktraceInErrorResponses: false,
    // Shutdown is the launcher's job (it stops every part in order), not each server's.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      requireOperation as ApolloServerPlugin<GatewayContext>,
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      ...(options.production ? [introspectionOnlyWith(options.production.developerScope)] : []),
    ],
  });
  await server.start();
  const running = options.server ?? (await listen(options.port, options.host));
  const graphql = graphqlHandler(server, { maxBodyBytes: options.maxBodyBytes ?? 100_000 }, async ({ req }) => ({
    caller: await options.verifyToken(req.headers.authorization),
    requestId: randomUUID(),
  }));
  const pages = options.pages ? webPages(options.pages) : undefined;
  // Ready when the issuer's keys can be fetched and the consent subgraph (the store) is ready.
  const consentReadyz = options.subgraphUrls['consent'] ? new URL('/readyz', options.subgraphUrls['consent']).toString() : undefined;
  const ready = async () =>
    (await options.verifyToken.keysReachable()) &&
    (!consentReadyz || (await fetch(consentReadyz, { signal: AbortSignal.timeout(3_000) }).then((r) => r.ok, () => false)));
  running.setHandler((req, res) => {
    if (pages?.(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/graphql') return graphql(req, res);
    if (path === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz' && req.method === 'GET') return void ready().then((ok) => sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready' }));
    return sendJson(res, 404, { error: 'not found' });
  });
  return {
    url: `${running.origin}/graphql`,
    origin: running.origin,
    close: async () => {
      await running.close();
      await server.stop();
    },
  };
}
