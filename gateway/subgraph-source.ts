import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context.ts';

/**
 * How the gateway calls a subgraph: the caller's own bearer token goes along (every
 * subgraph verifies it again) with the request id; nothing else from the client does.
 */
export class AuthenticatedSubgraph extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Query planning and health checks run without a client request; they carry no token.
    if (!('caller' in context) || !context.caller) return;
    request.http?.headers.set('authorization', `Bearer ${context.caller.token}`);
    request.http?.headers.set('x-request-id', context.requestId);
  }
}
