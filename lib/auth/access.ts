import type { Caller } from './access-token.ts';
import { parseScopes, type ScopeContext, type SmartScope } from './smart-scopes.ts';

/**
 * Who a verified caller is, for authorization:
 * - a patient: `fhirUser` is their portal `Person/<id>`, reads through `patient/` scopes;
 * - a practitioner: `fhirUser` is `Practitioner/<id>`, reads through `user/` scopes;
 * - a service: a client-credentials token (no `fhirUser`, `sub` is the client), `system/` scopes.
 * Scopes of the other contexts in the same token are ignored, never borrowed.
 */
export type CallerKind = 'patient' | 'practitioner' | 'service';

const contextOf: Record<CallerKind, ScopeContext> = { patient: 'patient', practitioner: 'user', service: 'system' };

export interface Access {
  readonly kind: CallerKind;
  readonly context: ScopeContext;
  /** The caller's scopes in its own context. */
  readonly scopes: readonly SmartScope[];
  /** `Person/…` or `Practitioner/…`; undefined for services. */
  readonly fhirUser: string | undefined;
  /** Practitioners' `Organization/…`, from the token's `organization` claim. */
  readonly organization: string | undefined;
}

/** The caller's kind, or undefined when the token does not describe a caller the graph serves. */
export function callerKind(caller: Pick<Caller, 'fhirUser' | 'subject' | 'clientId'>): CallerKind | undefined {
  if (caller.fhirUser?.startsWith('Person/')) return 'patient';
  if (caller.fhirUser?.startsWith('Practitioner/')) return 'practitioner';
  if (caller.fhirUser === undefined && caller.clientId !== undefined && caller.subject === caller.clientId) return 'service';
  return undefined;
}

export function accessOf(caller: Caller): Access | undefined {
  const kind = callerKind(caller);
  if (!kind) return undefined;
  const context = contextOf[kind];
  return {
    kind,
    context,
    scopes: parseScopes(caller.scopes).filter((s) => s.context === context),
    fhirUser: caller.fhirUser,
    organization: caller.organization,
  };
}

/** Scopes that let the caller read and search `resourceType`. */
function readScopes(access: Access, resourceType: string): SmartScope[] {
  return access.scopes.filter((s) => (s.resourceType === '*' || s.resourceType === resourceType) && s.permissions.has('r') && s.permissions.has('s'));
}

export function canRead(access: Access, resourceType: string): boolean {
  return readScopes(access, resourceType).some((s) => s.filters.every((f) => granularParams.has(f.code)));
}

/** Search parameters a granular scope may use: the ones the graph can also check on each record. */
export const granularParams: ReadonlySet<string> = new Set(['category', 'code', 'status', 'clinical-status']);

/**
 * The narrowing granular scopes put on a type: undefined when some scope allows every
 * record, otherwise the alternatives (each a list of ANDed `code=value` filters).
 * A scope whose filter the graph cannot check allows nothing (never widened).
 */
export function scopeFilters(access: Access, resourceType: string): readonly (readonly { code: string; value: string }[])[] | undefined {
  const scopes = readScopes(access, resourceType).filter((s) => s.filters.every((f) => granularParams.has(f.code)));
  if (scopes.some((s) => s.filters.length === 0)) return undefined;
  return scopes.map((s) => s.filters);
}

/** Types the caller may read, `*` for all. */
export function readableTypes(access: Access): string[] {
  return [...new Set(access.scopes.filter((s) => s.permissions.has('r') && s.permissions.has('s') && s.filters.every((f) => granularParams.has(f.code))).map((s) => s.resourceType))];
}
