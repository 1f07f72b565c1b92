import type { Bundle, FhirResource, Patient } from 'fhir/r4.js';
import { canRead, scopeFilters, type Access } from '../../lib/auth/access.ts';
import type { CursorCodec } from '../../lib/cursor.ts';
import { badUserInput, forbidden, hospitalUnavailable, unauthorizedField } from '../../lib/errors.ts';
import { sharedContextTypes } from '../../lib/fhir/resource-types.ts';
import { matchesAll, recordDate, recordDateParam } from '../../lib/fhir/search-params.ts';
import { formatSearch, type SearchRequest } from '../../lib/fhir/search.ts';
import type { Grant, GrantProvision } from '../../lib/grants.ts';
import type { Logger } from '../../lib/log.ts';
import type { ChartList } from './chart-lists.ts';
import type { HospitalLoaders } from './hospital-loaders.ts';

type Filter = { code: string; value: string };
type Period = NonNullable<GrantProvision['period']>;

export interface ListArgs {
  first?: number;
  after?: string | null;
  sort?: 'NEWEST_FIRST' | 'OLDEST_FIRST';
  dateFrom?: string | null;
  dateTo?: string | null;
  [param: string]: unknown;
}

export interface Connection<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number | null;
}

/** What a paging cursor is bound to: this hospital, this patient, this exact search. */
interface CursorState {
  h: string;
  p: string;
  k: string;
  u: string;
}

export const MAX_FIRST = 100;
const FHIR_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/**
 * What one grant and the caller's scopes let them read at this hospital, and nothing
 * else. Every read goes through here, bound to the grant's patient, the consent's types
 * and periods, and the scopes' granular filters — also for records reached through
 * references — so a resolver or rule that forgot a check still cannot read more.
 */
export class ChartReader {
  constructor(
    readonly grant: Grant,
    private readonly access: Access,
    private readonly loaders: HospitalLoaders,
    private readonly cursors: CursorCodec,
    /** Which reader each returned reference belongs to, for `Reference.resource`. */
    private readonly owners: WeakMap<object, ChartReader>,
    private readonly log: Logger,
  ) {}

  /** Provisions of the grant that cover a type; refuses when none does or scopes do not allow it. */
  private provisionsFor(resourceType: string): readonly GrantProvision[] {
    if (!canRead(this.access, resourceType)) throw unauthorizedField(`Your token's scopes do not allow reading ${resourceType}`);
    const provisions = this.grant.provisions.filter((p) => p.resourceTypes.includes(resourceType) || p.resourceTypes.includes('*'));
    if (provisions.length === 0) throw forbidden(`The person's consent does not cover ${resourceType} at this hospital`);
    return provisions;
  }

  private periodsFor(resourceType: string): readonly Period[] | undefined {
    const provisions = this.provisionsFor(resourceType);
    return provisions.some((p) => !p.period) ? undefined : provisions.map((p) => p.period as Period);
  }

  async patient(): Promise<Patient | undefined> {
    this.provisionsFor('Patient');
    const patient = (await this.loaders.byId('Patient', this.grant.patient)) as Patient | undefined;
    return patient && this.allowedByScopes(patient) ? this.track(patient) : undefined;
  }

  /** The search a list field makes, with the patient, argument, period and scope filters. */
  private searchFor(list: ChartList, args: ListArgs): { req: SearchRequest; periods: readonly Period[] | undefined; asked: Filter[] } {
    const periods = this.periodsFor(list.resourceType);
    const count = args.first ?? 20;
    if (!Number.isInteger(count) || count < 0 || count > MAX_FIRST) throw badUserInput(`first must be between 0 and ${MAX_FIRST}`);
    const asked: Filter[] = [];
    for (const [arg, param] of Object.entries(list.params)) {
      const value = args[arg];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' || value.length === 0 || value.length > 256 || /[\r\n&#]/.test(value)) throw badUserInput(`${arg} is not a valid search value`);
      asked.push({ code: param, value });
    }
    const dateParam = recordDateParam[list.resourceType];
    const dates: Filter[] = [];
    for (const [arg, prefix] of [['dateFrom', 'ge'], ['dateTo', 'le']] as const) {
      const value = args[arg];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' || !FHIR_DATE.test(value)) throw badUserInput(`${arg} must be a date as YYYY, YYYY-MM or YYYY-MM-DD`);
      if (dateParam) dates.push({ code: dateParam, value: `${prefix}${value}` });
    }
    // One granular alternative narrows the search itself; several are checked per record only.
    const alternatives = scopeFilters(this.access, list.resourceType);
    const scoped = alternatives?.length === 1 ? [...(alternatives[0] ?? [])] : [];
    const filters = [{ code: 'patient', value: `Patient/${this.grant.patient}` }, ...asked, ...dates, ...scoped, ...(periods && dateParam ? coveringRange(dateParam, periods) : [])];
    const sort = dateParam ? [`${args.sort === 'OLDEST_FIRST' ? '' : '-'}${dateParam}`] : undefined;
    return { req: { resourceType: list.resourceType, filters, ...(sort ? { sort } : {}), count }, periods, asked: [...asked, ...dates] };
  }

  async list<T extends FhirResource>(list: ChartList, args: ListArgs): Promise<T[]> {
    const { req, periods, asked } = this.searchFor(list, args);
    if (req.count === 0) return [];
    return this.accept<T>(await this.loaders.searches.load(req), list.resourceType, periods, asked);
  }

  async connection<T extends FhirResource>(list: ChartList, args: ListArgs): Promise<Connection<T>> {
    const { req, periods, asked } = this.searchFor(list, args);
    const key = formatSearch({ ...req, count: undefined });
    let bundle: Bundle;
    if (args.after) {
      const state = this.cursors.open<CursorState>(args.after);
      // A cursor from another list, person or hospital answers like a cursor that never existed.
      if (!state || state.h !== this.grant.hospital || state.p !== this.grant.patient || state.k !== key) throw badUserInput('after is not a valid cursor for this list');
      bundle = await this.loaders.pages.load(state.u);
    } else {
      bundle = await this.loaders.searches.load(req);
    }
    const nodes = this.accept<T>(bundle, list.resourceType, periods, asked);
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    return {
      edges: nodes.map((node) => ({ node })),
      pageInfo: { hasNextPage: Boolean(next), endCursor: next ? this.cursors.seal({ h: this.grant.hospital, p: this.grant.patient, k: key, u: next } satisfies CursorState) : null },
      totalCount: typeof bundle.total === 'number' ? bundle.total : null,
    };
  }

  /** The records of a searchset this caller may see; a server answer outside the request fails the field. */
  private accept<T extends FhirResource>(bundle: Bundle, resourceType: string, periods: readonly Period[] | undefined, asked: readonly Filter[]): T[] {
    const out: T[] = [];
    // Asked date ranges only narrow what the server sends; every other asked filter is checked again on each record.
    const checked = asked.filter((f) => f.code !== recordDateParam[resourceType]);
    for (const entry of bundle.entry ?? []) {
      if ((entry.search?.mode ?? 'match') !== 'match') continue;
      const r = entry.resource as FhirResource | undefined;
      if (!r || typeof r !== 'object' || r.resourceType !== resourceType || typeof r.id !== 'string' || !this.ofPatient(r)) {
        this.log.warn('fhir server answered with a record outside the request; field refused', { hospital: this.grant.hospital, asked: resourceType, got: typeof r?.resourceType === 'string' ? r.resourceType : 'malformed' });
        throw hospitalUnavailable(this.grant.hospital);
      }
      if (this.allowedByScopes(r) && (!periods || inPeriods(r, periods)) && matchesAll(r, checked)) out.push(this.track(r) as T);
    }
    return out;
  }

  /**
   * A reference read from this chart, resolved inside the same hospital; null when it
   * points elsewhere, at another patient's record, or at something the caller may not read.
   */
  async resolve(reference: { reference?: unknown }): Promise<FhirResource | null> {
    const target = parseReference(reference.reference);
    if (!target) return null;
    const { resourceType, id } = target;
    const shared = sharedContextTypes.includes(resourceType);
    if (!canRead(this.access, resourceType)) return null;
    let periods: readonly Period[] | undefined;
    if (!shared) {
      try {
        periods = this.periodsFor(resourceType);
      } catch {
        return null;
      }
      if (resourceType === 'Patient' && id !== this.grant.patient) return null;
    }
    const found = await this.loaders.byId(resourceType, id);
    if (!found || found.id !== id || found.resourceType !== resourceType) return null;
    if (!shared && resourceType !== 'Patient' && (!this.ofPatient(found) || (periods && !inPeriods(found, periods)))) return null;
    if (!this.allowedByScopes(found)) return null;
    return this.track(found);
  }

  /** Granular scopes are checked on every record: a server that ignores a filter leaks nothing. */
  private allowedByScopes(resource: FhirResource): boolean {
    const alternatives = scopeFilters(this.access, resource.resourceType);
    return alternatives === undefined || alternatives.some((f) => matchesAll(resource, f));
  }

  private ofPatient(resource: FhirResource): boolean {
    const r = resource as { subject?: { reference?: string }; patient?: { reference?: string } };
    return (r.subject ?? r.patient)?.reference === `Patient/${this.grant.patient}`;
  }

  /** Remembers this reader for every Reference inside the resource. */
  private track<T extends FhirResource>(resource: T): T {
    markReferences(resource, 0, this.owners, this);
    return resource;
  }
}

/**
 * Maps every Reference inside `value` to its reader. A plain function walking with `for…in`:
 * a closure made per record and `Object.values` arrays per object were ~5% of a hospital
 * subgraph's CPU on the dashboard.
 */
function markReferences(value: unknown, depth: number, owners: WeakMap<object, ChartReader>, reader: ChartReader): void {
  if (!value || typeof value !== 'object' || depth > 12) return;
  if (Array.isArray(value)) {
    for (const v of value) markReferences(v, depth + 1, owners, reader);
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof record['reference'] === 'string') owners.set(value, reader);
  for (const key in record) markReferences(record[key], depth + 1, owners, reader);
}

/** `Type/id` (optionally with `_history`, or as an absolute URL on any base); anything else is not resolved. */
export function parseReference(value: unknown): { resourceType: string; id: string } | undefined {
  if (typeof value !== 'string' || value.length > 1024) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(value);
  return m ? { resourceType: m[1] as string, id: m[2] as string } : undefined;
}

/** The smallest single date range containing every period, as FHIR search filters. */
function coveringRange(param: string, periods: readonly Period[]): Filter[] {
  const starts = periods.map((p) => p.start);
  const ends = periods.map((p) => p.end);
  const out: Filter[] = [];
  if (starts.every((s) => s !== undefined)) out.push({ code: param, value: `ge${[...(starts as string[])].sort()[0]}` });
  if (ends.every((e) => e !== undefined)) out.push({ code: param, value: `le${[...(ends as string[])].sort().reverse()[0]}` });
  return out;
}

/** A record is in a consent period when its date is; a record without a date is not. */
function inPeriods(resource: FhirResource, periods: readonly Period[]): boolean {
  const date = recordDate(resource)?.slice(0, 10);
  if (!date) return false;
  return periods.some((p) => (!p.start || date >= p.start) && (!p.end || date <= p.end));
}
