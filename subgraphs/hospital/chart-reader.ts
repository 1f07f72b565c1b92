import type { FhirResource, Patient } from 'fhir/r4.js';
import DataLoader from 'dataloader';
import { canRead, scopeFilters, type Access } from '../../lib/auth/access.ts';
import { forbidden, hospitalUnavailable, unauthorizedField } from '../../lib/errors.ts';
import { FhirError, type FhirClient } from '../../lib/fhir/client.ts';
import { matchesAll, recordDate, recordDateParam } from '../../lib/fhir/search-params.ts';
import { formatSearch, type SearchRequest } from '../../lib/fhir/search.ts';
import type { Grant, GrantProvision } from '../../lib/grants.ts';
import type { Logger } from '../../lib/log.ts';

/**
 * Per-request FHIR access for one hospital, with DataLoader batching: Patients by id
 * are fetched with one `_id=a,b,c` search per tick, identical searches run once.
 */
export class HospitalLoaders {
  readonly patients: DataLoader<string, Patient | undefined>;
  /** One HTTP search per distinct search in a request (keyed by its query string). */
  readonly searches: DataLoader<SearchRequest, FhirResource[], string>;

  constructor(
    private readonly fhir: FhirClient,
    private readonly hospital: string,
    private readonly log: Logger,
  ) {
    this.patients = new DataLoader(async (ids) => {
      const found = await this.run({ resourceType: 'Patient', filters: [{ code: '_id', value: ids.join(',') }], count: ids.length }, ids.length);
      const byId = new Map(found.filter((r): r is Patient => r.resourceType === 'Patient').map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id));
    }, { maxBatchSize: 100 });
    this.searches = new DataLoader((reqs) => Promise.all(reqs.map((r) => this.run(r, r.count ?? 50))), { cacheKeyFn: formatSearch });
  }

  private async run(req: SearchRequest, limit: number): Promise<FhirResource[]> {
    try {
      return await this.fhir.searchAll(req, limit);
    } catch (err) {
      if (err instanceof FhirError) {
        this.log.warn('fhir request failed', { hospital: this.hospital, resourceType: req.resourceType, status: err.status, timeout: err.timeout, issue: err.issueCode });
        throw hospitalUnavailable(this.hospital, err.timeout);
      }
      throw err;
    }
  }
}

type Filter = { code: string; value: string };

/**
 * What one grant and the caller's scopes let them read at this hospital, and nothing
 * else. Every read goes through here, bound to the grant's patient, the consent's types
 * and periods, and the scopes' granular filters, so a resolver or rule that forgot a
 * check still cannot reach another patient's records or more than was consented.
 */
export class ChartReader {
  constructor(
    readonly grant: Grant,
    private readonly access: Access,
    private readonly loaders: HospitalLoaders,
    private readonly log: Logger,
  ) {}

  /** Provisions of the grant that cover a type; refuses when none does or scopes do not allow it. */
  private provisionsFor(resourceType: string): readonly GrantProvision[] {
    if (!canRead(this.access, resourceType)) throw unauthorizedField(`Your token's scopes do not allow reading ${resourceType}`);
    const provisions = this.grant.provisions.filter((p) => p.resourceTypes.includes(resourceType) || p.resourceTypes.includes('*'));
    if (provisions.length === 0) throw forbidden(`The person's consent does not cover ${resourceType} at this hospital`);
    return provisions;
  }

  async patient(): Promise<Patient | undefined> {
    this.provisionsFor('Patient');
    const patient = await this.loaders.patients.load(this.grant.patient);
    return patient && this.allowedByScopes(patient) ? patient : undefined;
  }

  /** Searches the grant's patient's resources of one type, newest first; the patient filter is always added here. */
  async search<T extends FhirResource>(resourceType: T['resourceType'], filters: readonly Filter[], options: { count: number }): Promise<T[]> {
    const provisions = this.provisionsFor(resourceType);
    const periods = provisions.some((p) => !p.period) ? undefined : provisions.map((p) => p.period as NonNullable<GrantProvision['period']>);
    const dateParam = recordDateParam[resourceType];
    const base: Filter[] = [{ code: 'patient', value: `Patient/${this.grant.patient}` }, ...filters, ...(periods && dateParam ? coveringRange(dateParam, periods) : [])];
    // Granular scopes: one search per alternative (FHIR cannot OR across parameters).
    const alternatives = scopeFilters(this.access, resourceType) ?? [[]];
    const results = await Promise.all(
      alternatives.map((extra) =>
        this.loaders.searches.load({ resourceType, filters: [...base, ...extra], ...(dateParam ? { sort: [`-${dateParam}`] } : {}), count: options.count }),
      ),
    );
    const seen = new Set<string>();
    const merged = results.flat().filter((r): r is T => {
      if (seen.has(`${r.resourceType}/${r.id}`) || !this.belongs(r, resourceType)) return false;
      seen.add(`${r.resourceType}/${r.id}`);
      return this.allowedByScopes(r) && (!periods || inPeriods(r, periods)) && matchesAll(r, filters);
    });
    if (alternatives.length > 1) merged.sort((a, b) => (recordDate(b) ?? '').localeCompare(recordDate(a) ?? ''));
    return merged.slice(0, options.count);
  }

  /** Granular scopes are checked on every record too: a server that ignores a filter leaks nothing. */
  private allowedByScopes(resource: FhirResource): boolean {
    const alternatives = scopeFilters(this.access, resource.resourceType);
    return alternatives === undefined || alternatives.some((f) => matchesAll(resource, f));
  }

  /** Defence against a wrong server answer: only this patient's resources of the asked type are served. */
  private belongs(resource: FhirResource, resourceType: string): boolean {
    const r = resource as { subject?: { reference?: string }; patient?: { reference?: string } };
    const subject = r.subject ?? r.patient;
    const ok = resource.resourceType === resourceType && typeof resource.id === 'string' && subject?.reference === `Patient/${this.grant.patient}`;
    if (!ok) this.log.warn('fhir server returned a resource outside the request; dropped', { hospital: this.grant.hospital, resourceType: resource.resourceType });
    return ok;
  }
}

/** The smallest single date range containing every period, as FHIR search filters. */
function coveringRange(param: string, periods: readonly NonNullable<GrantProvision['period']>[]): Filter[] {
  const starts = periods.map((p) => p.start);
  const ends = periods.map((p) => p.end);
  const out: Filter[] = [];
  if (starts.every((s) => s !== undefined)) out.push({ code: param, value: `ge${[...(starts as string[])].sort()[0]}` });
  if (ends.every((e) => e !== undefined)) out.push({ code: param, value: `le${[...(ends as string[])].sort().reverse()[0]}` });
  return out;
}

/** A record is in a consent period when its date is; a record without a date is not. */
function inPeriods(resource: FhirResource, periods: readonly NonNullable<GrantProvision['period']>[]): boolean {
  const date = recordDate(resource)?.slice(0, 10);
  if (!date) return false;
  return periods.some((p) => (!p.start || date >= p.start) && (!p.end || date <= p.end));
}
