import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, visit, type DocumentNode } from 'graphql';
import { forbidden } from '../lib/errors.ts';
import type { GatewayContext } from './context.ts';

/** Answers per parsed document: Apollo Server keeps one per query text, so each is walked once. */
const introspecting = new WeakMap<DocumentNode, boolean>();

function introspects(document: DocumentNode): boolean {
  const known = introspecting.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  introspecting.set(document, found);
  return found;
}

/**
 * Production: the schema is described only to callers whose token carries the developer
 * scope; everyone else asking `__schema` or `__type` is refused before any work.
 */
export function introspectionOnlyWith(developerScope: string): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue, operation }) {
          if (operation && introspects(document) && !contextValue.caller.scopes.includes(developerScope)) {
            throw forbidden('Introspection is disabled for this caller', 403);
          }
        },
      };
    },
  };
}
