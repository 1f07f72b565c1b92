import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * A request whose `operationName` names no operation of its document (or is empty with an
 * anonymous one) is the client's mistake: 400. Apollo Server leaves it to the executor,
 * and Apollo Gateway's executor throws, which would be answered 500.
 */
export const requireOperation: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request }) {
        if (operation) return;
        const name = request.operationName ? `"${request.operationName.slice(0, 64)}"` : 'given';
        throw new GraphQLError(`The document has no operation ${name === 'given' ? 'to run with the operation name given' : `named ${name}`}`, {
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
        });
      },
    };
  },
};
