import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { DocumentNode } from 'graphql';
import type { AccessTokenVerifier, Caller } from '../auth/access-token.ts';
import { accessOf, type Access } from '../auth/access.ts';
import { createErrorMasker, unauthenticated } from '../errors.ts';
import type { Logger } from '../log.ts';
import { protect, type RuleMap } from '../rules/common.ts';
import { graphqlHandler } from './graphql-handler.ts';
import { listen, type Handler, type RunningServer } from './listen.ts';
import { sendJson } from './respond.ts';

export interface SubgraphServerOptions<TContext extends BaseContext> {
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  /** graphql-shield rules, one per field; a field without one is denied. */
  rules: RuleMap;
  verifyToken: AccessTokenVerifier;
  /** Builds the request context from the verified caller. */
  context: (caller: Caller, access: Access, req: IncomingMessage) => TContext | Promise<TContext>;
  port: number;
  host?: string;
  /** An already listening server to use instead of `port` (a part that must know its origin first). */
  server?: RunningServer;
  /** Where internal errors are logged (by kind, never their messages). */
  log: Logger;
  /** Extra routes, keyed `METHOD /path` (e.g. `GET /.well-known/jwks.json`). */
  routes?: Record<string, Handler>;
  /** Allow `__schema`/`__type` (the gateway itself needs only `_service`). */
  introspection?: boolean;
  /** Is everything this part needs reachable? Answers `GET /readyz` (503 when not). */
  ready?: () => Promise<boolean>;
  /** Apollo Server plugins of this subgraph. */
  plugins?: ApolloServerPlugin<TContext>[];
}

export interface RunningSubgraph {
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A subgraph as its own HTTP server: `/graphql` (every request authenticated, 401
 * otherwise, and every field guarded by its shield rules), `GET /healthz`, and the
 * given extra routes. Errors are masked to the catalogue.
 */
export async function startSubgraphServer<TContext extends BaseContext>(options: SubgraphServerOptions<TContext>): Promise<RunningSubgraph> {
  const server = new ApolloServer<TContext>({
    schema: protect(buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> }), options.rules),
    formatError: createErrorMasker(options.log),
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection ?? true,
    // Shutdown is the launcher's job (it stops every part in order), not each server's.
    stopOnTerminationSignals: false,
    // Cache control and inline tracing would wrap every field resolver (a hook per field per
    // request); nothing here uses cache hints or federated traces.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), ...(options.plugins ?? [])],
  });
  await server.start();
  const running: RunningServer = options.server ?? (await listen(options.port, options.host));
  const graphql = graphqlHandler(server, { maxBodyBytes: 2_000_000 }, async ({ req }) => {
    const caller = await options.verifyToken(req.headers.authorization);
    const access = accessOf(caller);
    // The verifier already refuses tokens that describe no caller; this keeps the type honest.
    if (!access) throw unauthenticated();
    return options.context(caller, access, req);
  });
  const routes: Record<string, Handler> = {
    'GET /healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    'GET /readyz': async (_req, res) => {
      const ok = await (options.ready?.() ?? Promise.resolve(true)).catch(() => false);
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready' });
    },
    ...options.routes,
  };
  running.setHandler((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/graphql') return graphql(req, res);
    const route = routes[`${req.method} ${path}`];
    if (route) return route(req, res);
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
