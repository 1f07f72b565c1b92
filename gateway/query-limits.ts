import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { getNamedType, getNullableType, GraphQLError, isLeafType, isListType, type GraphQLSchema, type DocumentNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { LRUCache } from 'lru-cache';

/**
 * Limits that refuse a hostile document before any work is planned or sent to a subgraph.
 * Each is configurable (`QueryLimits`, from the environment, see lib/config.ts).
 */
export interface QueryLimits {
  /** Deepest selection; the deepest legitimate FHIR query (references of references) is 9. */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** GraphQL tokens in the document (graphql-js stops parsing past it). */
  maxTokens: number;
  /** Estimated objects a query may return: each list counts as its `first:` (or `defaultListSize`) times its items. */
  maxCost: number;
  /** How many items a list without `first:` is assumed to hold (charts, references, components). */
  defaultListSize: number;
}

export const defaultQueryLimits: QueryLimits = { maxDepth: 12, maxAliases: 20, maxDirectives: 10, maxTokens: 4000, maxCost: 5_000_000, defaultListSize: 3 };

/**
 * Cost of one field: an object costs 1, a list its size times the cost of one item,
 * leaves are free. Written here because the library's estimators do not read `first:`.
 */
export function listAwareEstimator(defaultListSize: number): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    const type = getNullableType(field.type);
    if (isLeafType(getNamedType(type))) return 0;
    if (isListType(type)) {
      const first = typeof args['first'] === 'number' && args['first'] >= 0 ? args['first'] : defaultListSize;
      return first * (1 + childComplexity);
    }
    return 1 + childComplexity;
  };
}

export function queryCost(schema: GraphQLSchema, query: DocumentNode, variables: Record<string, unknown>, limits: Pick<QueryLimits, 'defaultListSize'>, operationName?: string): number {
  return getComplexity({ schema, query, variables, estimators: [listAwareEstimator(limits.defaultListSize)], ...(operationName ? { operationName } : {}) });
}

/** Variables longer than this (as JSON) are costed every time rather than remembered. */
const MAX_REMEMBERED_VARIABLES = 2048;

/**
 * `queryCost`, remembered per schema, parsed document, operation and variables: Apollo
 * Server keeps one parsed document per query text, so a client repeating its queries is
 * costed once (walking the document was ~0.25 ms of a dashboard's gateway time).
 */
export function rememberingQueryCost(limits: Pick<QueryLimits, 'defaultListSize'>) {
  const costs = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, LRUCache<string, number>>>();
  return (schema: GraphQLSchema, query: DocumentNode, variables: Record<string, unknown>, operationName?: string): number => {
    const key = `${operationName ?? ''}\n${JSON.stringify(variables)}`;
    if (key.length > MAX_REMEMBERED_VARIABLES) return queryCost(schema, query, variables, limits, operationName);
    let byDocument = costs.get(schema);
    if (!byDocument) costs.set(schema, (byDocument = new WeakMap()));
    let byVariables = byDocument.get(query);
    if (!byVariables) byDocument.set(query, (byVariables = new LRUCache({ max: 64 })));
    let cost = byVariables.get(key);
    if (cost === undefined) byVariables.set(key, (cost = queryCost(schema, query, variables, limits, operationName)));
    return cost;
  };
}

/** graphql-armor's validation rules and plugins, plus the list-aware cost limit. */
export function queryLimits(limits: QueryLimits, options: { blockFieldSuggestion: boolean }) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, exposeLimits: true },
    maxAliases: { n: limits.maxAliases, exposeLimits: true },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: true },
    // Enforced by graphql-js's own parser (parseOptions below): armor's plugin would answer 500.
    maxTokens: { enabled: false },
    // Replaced by the list-aware cost below, which reads `first:`.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestion },
  }).protect();
  const costOf = rememberingQueryCost(limits);
  const cost: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operation }) {
          // No operation by that name: Apollo Server answers that itself (400).
          if (!operation) return;
          let estimated: number;
          try {
            estimated = costOf(schema, document, request.variables ?? {}, request.operationName ?? undefined);
          } catch (err) {
            // Variables that do not fit their types: the client's mistake, said before any work.
            throw new GraphQLError(err instanceof GraphQLError ? err.message : 'Variables do not match the operation', { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
          if (estimated > limits.maxCost) {
            throw new GraphQLError(`Query is too expensive: estimated cost ${estimated} exceeds ${limits.maxCost}. Ask for fewer items (first:) or fewer nested lists.`, {
              extensions: { code: 'QUERY_TOO_COMPLEX', cost: estimated, maxCost: limits.maxCost, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
  // graphql-armor types its plugins from the CommonJS build of @apollo/server: same shape.
  return {
    plugins: [...(armor.plugins as unknown as ApolloServerPlugin[]), cost],
    validationRules: armor.validationRules,
    // graphql-js stops parsing past the token limit: a syntax error (400) before anything else runs.
    parseOptions: { maxTokens: limits.maxTokens },
  };
}

