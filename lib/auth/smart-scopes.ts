/**
 * SMART App Launch scopes, parsed once into typed values (v1 normalized to v2), so
 * authorization asks `canRead(scopes, 'patient', 'Observation')` and never compares strings.
 *   v1: `patient/Observation.read`, `user/*.write`, `system/*.*`
 *   v2: `patient/Observation.rs`, `user/Condition.cruds`, `patient/Observation.rs?category=…`
 */
export type ScopeContext = 'patient' | 'user' | 'system';
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export interface SmartScope {
  readonly context: ScopeContext;
  /** A FHIR resource type, or `*`. */
  readonly resourceType: string;
  readonly permissions: ReadonlySet<Permission>;
  /** Granular v2 filters (`?category=system|code`): the scope covers only matching resources. */
  readonly filters: readonly { readonly code: string; readonly value: string }[];
}

const v1Permissions: Record<string, Permission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };
const order = 'cruds';

/** Parses one scope; undefined for anything that is not a well-formed SMART resource scope. */
export function parseScope(scope: string): SmartScope | undefined {
  const m = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.([a-z*]+)(?:\?(.+))?$/.exec(scope);
  if (!m) return undefined;
  const [, context, resourceType, perms, query] = m as unknown as [string, ScopeContext, string, string, string | undefined];
  let permissions: Permission[];
  if (perms in v1Permissions) {
    if (query !== undefined) return undefined; // v1 has no granular form
    permissions = v1Permissions[perms] as Permission[];
  } else {
    // v2: a non-empty subsequence of c r u d s, in that order, each at most once.
    let last = -1;
    for (const ch of perms) {
      const at = order.indexOf(ch);
      if (at <= last) return undefined;
      last = at;
    }
    if (!perms) return undefined;
    permissions = [...perms] as Permission[];
  }
  const filters: { code: string; value: string }[] = [];
  if (query !== undefined) {
    for (const part of query.split('&')) {
      const eq = part.indexOf('=');
      if (eq <= 0 || eq === part.length - 1) return undefined;
      filters.push({ code: decodeURIComponent(part.slice(0, eq)), value: decodeURIComponent(part.slice(eq + 1)) });
    }
  }
  return { context, resourceType, permissions: new Set(permissions), filters };
}

/** Parses a token's scopes; malformed ones are dropped, never widened. */
export function parseScopes(scopes: readonly string[]): SmartScope[] {
  return scopes.map(parseScope).filter((s): s is SmartScope => s !== undefined);
}
