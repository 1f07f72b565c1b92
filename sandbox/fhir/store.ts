import type { Bundle, FhirResource, OperationOutcome } from 'fhir/r4.js';
import { matches, searchParams, sortValue } from '../../lib/fhir/search-params.ts';

/** An error the sandbox answers as an OperationOutcome with this HTTP status. */
export class OutcomeError extends Error {
  constructor(
    readonly status: number,
    readonly issueCode: OperationOutcome['issue'][number]['code'],
    message: string,
  ) {
    super(message);
  }
}

export function operationOutcome(issueCode: OperationOutcome['issue'][number]['code'], diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: issueCode, diagnostics }] };
}

const MAX_COUNT = 1000;
const DEFAULT_COUNT = 50;
/** Result parameters understood besides the per-type search parameters. */
const controlParams = new Set(['_id', '_count', '_offset', '_sort', '_total', '_format']);

/** The id at the end of the reference the `patient` search parameter searches, if any. */
function patientKey(resource: FhirResource): string | undefined {
  const ref = searchParams[resource.resourceType]?.['patient']?.values(resource)[0];
  return (typeof ref === 'object' && ref !== null && 'reference' in ref ? ref.reference : undefined)?.split('/').pop();
}

/** In-memory resources of one sandbox hospital, searchable the way a FHIR server is. */
export class ResourceStore {
  private readonly byType = new Map<string, Map<string, FhirResource>>();
  /**
   * Ids by type and patient: a search by `patient`/`subject` starts from that person's
   * records rather than scanning everyone's, so a hospital of 10,000 people answers as
   * fast as one of 10 (what a real server's index does).
   */
  private readonly byPatient = new Map<string, Map<string, Set<string>>>();

  constructor(resources: Iterable<FhirResource> = []) {
    for (const r of resources) this.put(r);
  }

  put(resource: FhirResource): void {
    if (!resource.id) throw new TypeError('a stored resource needs an id');
    let map = this.byType.get(resource.resourceType);
    if (!map) this.byType.set(resource.resourceType, (map = new Map()));
    const previous = map.get(resource.id);
    if (previous) this.indexOf(previous)?.delete(resource.id);
    map.set(resource.id, resource);
    const key = patientKey(resource);
    if (key !== undefined) {
      let index = this.byPatient.get(resource.resourceType);
      if (!index) this.byPatient.set(resource.resourceType, (index = new Map()));
      let ids = index.get(key);
      if (!ids) index.set(key, (ids = new Set()));
      ids.add(resource.id);
    }
  }

  private indexOf(resource: FhirResource): Set<string> | undefined {
    const key = patientKey(resource);
    return key === undefined ? undefined : this.byPatient.get(resource.resourceType)?.get(key);
  }

  /** The records a search can match at all: by `_id` or by patient when it names them, else every record of the type. */
  private candidates(type: string, params: URLSearchParams): FhirResource[] {
    const all = this.byType.get(type);
    if (!all) return [];
    const pick = (ids: Iterable<string>) => [...new Set(ids)].map((id) => all.get(id)).filter((r): r is FhirResource => r !== undefined);
    const id = params.get('_id');
    if (id !== null) return pick(id.split(','));
    const patient = params.get('patient') ?? params.get('subject');
    if (patient !== null) {
      const index = this.byPatient.get(type);
      return pick(patient.split(',').flatMap((q) => [...(index?.get(q.split('/').pop() ?? '') ?? [])]));
    }
    return [...all.values()];
  }

  types(): string[] {
    return [...new Set([...Object.keys(searchParams), ...this.byType.keys()])];
  }

  supports(type: string): boolean {
    return type in searchParams || this.byType.has(type);
  }

  read(type: string, id: string): FhirResource {
    if (!this.supports(type)) throw new OutcomeError(404, 'not-supported', `Resource type ${type} is not supported`);
    const found = this.byType.get(type)?.get(id);
    if (!found) throw new OutcomeError(404, 'not-found', `${type}/${id} is not known`);
    return found;
  }

  /**
   * Runs a search. `selfUrl` is the request's own URL, from which `self` and `next`
   * links are built (`_offset` pages through the result).
   */
  search(type: string, params: URLSearchParams, selfUrl: URL): Bundle {
    if (!this.supports(type)) throw new OutcomeError(404, 'not-supported', `Resource type ${type} is not supported`);
    const defs = searchParams[type] ?? {};
    for (const key of new Set(params.keys())) {
      if (!controlParams.has(key) && !(key in defs)) throw new OutcomeError(400, 'not-supported', `Search parameter ${key} is not supported for ${type}`);
    }
    const count = intParam(params, '_count', DEFAULT_COUNT, 0, MAX_COUNT);
    const offset = intParam(params, '_offset', 0, 0, Number.MAX_SAFE_INTEGER);

    // Narrowed first by index; every filter below still runs on what is left.
    let results = this.candidates(type, params);
    const ids = params.getAll('_id').map((v) => new Set(v.split(',')));
    for (const set of ids) results = results.filter((r) => set.has(r.id as string));
    for (const [key, value] of params) {
      const def = defs[key];
      if (def) results = results.filter((r) => matches(def, r, value));
    }
    const sort = params.get('_sort');
    if (sort) {
      const keys = sort.split(',').map((k) => ({ desc: k.startsWith('-'), param: k.replace(/^-/, '') }));
      for (const { param } of keys) {
        if (defs[param]?.kind !== 'date') throw new OutcomeError(400, 'not-supported', `Sorting by ${param} is not supported for ${type}`);
      }
      // Keys computed once per record, not once per comparison.
      const keyed = results.map((r) => ({ r, k: keys.map(({ param }) => sortValue(r, param)) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < keys.length; i++) {
          const ka = a.k[i] as string;
          const kb = b.k[i] as string;
          const c = ka < kb ? -1 : ka > kb ? 1 : 0;
          if (c !== 0) return keys[i]!.desc ? -c : c;
        }
        return 0;
      });
      results = keyed.map((x) => x.r);
    }

    const page = results.slice(offset, offset + count);
    const link: Bundle['link'] = [{ relation: 'self', url: selfUrl.toString() }];
    if (offset + count < results.length && count > 0) {
      const next = new URL(selfUrl);
      next.searchParams.set('_offset', String(offset + count));
      next.searchParams.set('_count', String(count));
      link.push({ relation: 'next', url: next.toString() });
    }
    const base = selfUrl.toString().split('?')[0]!.replace(/\/[^/]+$/, '');
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: results.length,
      link,
      entry: page.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' } })),
    };
  }
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new OutcomeError(400, 'invalid', `${name} must be a non-negative integer`);
  return Math.min(Math.max(Number(raw), min), max);
}
