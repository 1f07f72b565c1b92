import { GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddlewareTypeMap } from 'graphql-middleware';
import { allow, and, rule, shield, type IRule, type IRules } from 'graphql-shield';
import { canRead, type Access, type CallerKind } from '../auth/access.ts';
import { unauthorizedField } from '../errors.ts';

/** What rules read from a subgraph's context: the caller's access, computed once per request. */
export interface RuleContext {
  readonly access: Access;
}

export type ShieldRule = IRule | ReturnType<typeof and>;
export type FieldRules = Record<string, ShieldRule>;
export type RuleMap = Record<string, FieldRules>;

// Rules here read only the context, so shield may cache them for the request
// ('contextual'); a rule reading `parent` or `args` must use 'strict' or 'no_cache'.

/** Any verified caller (the request was refused with 401 otherwise). */
export const signedIn = rule({ cache: 'contextual' })((_parent, _args, ctx: RuleContext) => ctx.access !== undefined || unauthorizedField());

// shield requires one rule object per name: rules made from arguments are kept by name.
const named = new Map<string, ShieldRule>();
function once(name: string, make: () => ShieldRule): ShieldRule {
  let r = named.get(name);
  if (!r) named.set(name, (r = make()));
  return r;
}

export function callerIs(...kinds: CallerKind[]): ShieldRule {
  const name = `callerIs:${kinds.join(',')}`;
  return once(name, () =>
    rule(name, { cache: 'contextual' })((_p, _a, ctx: RuleContext) => kinds.includes(ctx.access.kind) || unauthorizedField(`Only for ${kinds.join(' or ')} callers`)),
  );
}

/** The caller's scopes (in its own context) let it read and search this resource type. */
export function readsType(resourceType: string): ShieldRule {
  const name = `readsType:${resourceType}`;
  return once(name, () =>
    rule(name, { cache: 'contextual' })((_p, _a, ctx: RuleContext) =>
      canRead(ctx.access, resourceType) || unauthorizedField(`Your token's scopes do not allow reading ${resourceType}`),
    ),
  );
}

/** Direct identifiers (names, contact details, identifier values, exact dates of birth) are never given to services. */
export const directIdentifier = rule({ cache: 'contextual' })((_p, _a, ctx: RuleContext) =>
  ctx.access.kind !== 'service' || unauthorizedField('Direct identifiers are not available to service clients'),
);

/** Every listed field of a type opened with one rule: fields are still named one by one. */
export function fields(ruleFor: ShieldRule, ...names: string[]): FieldRules {
  return Object.fromEntries(names.map((n) => [n, ruleFor]));
}

/**
 * A field opened by the rule that let its parent be reached: a value inside a record or
 * value the caller was already allowed to read (that field's rule, or the chart reader's
 * checks for references). Still named field by field, so a field added to the schema
 * stays closed until listed; but it has no check of its own, so `protect` leaves its
 * resolver unwrapped. Wrapping every value made each one a middleware promise, about
 * 60% of a chart query's execution time (`npm run bench:authz`).
 */
export const reached: ShieldRule = allow;

/** Federation plumbing the gateway needs; what `_entities` returns is checked by its resolvers. */
export const federationRules: FieldRules = { _service: allow, _entities: allow };
export const serviceTypeRules: RuleMap = { _Service: { sdl: allow } };

/**
 * Wraps a schema with graphql-shield: `fallbackRule` deny, so a field without a rule is
 * closed; errors thrown by resolvers pass (they are already from the catalogue and
 * masked by formatError); a rule that crashes denies without saying why. Fields whose
 * rule is `allow` (`reached`, federation plumbing) keep their own resolvers: shield
 * would only wrap them in a check that always passes.
 */
export function protect(schema: GraphQLSchema, rules: RuleMap): GraphQLSchema {
  const middleware = shield(rules as IRules, {
    fallbackRule: rule('fallback', { cache: 'no_cache' })(() => unauthorizedField()),
    fallbackError: () => unauthorizedField(),
    allowExternalErrors: true,
    debug: false,
  }).generate(schema) as Record<string, Record<string, unknown>>;
  for (const [type, fieldRules] of Object.entries(rules)) {
    for (const [field, fieldRule] of Object.entries(fieldRules)) if (fieldRule === allow) delete middleware[type]?.[field];
  }
  return applyMiddleware(schema, middleware as IMiddlewareTypeMap);
}
