import type { FhirResource, Patient } from 'fhir/r4.js';
import DataLoader from 'dataloader';
import { forbidden, hospitalUnavailable } from '../../lib/errors.ts';
import { FhirError, type FhirClient } from '../../lib/fhir/client.ts';
import { formatSearch, type SearchRequest } from '../../lib/fhir/search.ts';
import type { Grant } from '../../lib/grants.ts';
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

/**
 * What one grant lets a caller read at this hospital, and nothing else: every read
 * goes through here, bound to the grant's patient and resource types, so a resolver
 * that forgot a check still cannot reach another patient's records.
 */
export class ChartReader {
  constructor(
    readonly grant: Grant,
    private readonly loaders: HospitalLoaders,
    private readonly log: Logger,
  ) {}

  private allow(resourceType: string): void {
    if (!this.grant.resourceTypes.includes(resourceType) && !this.grant.resourceTypes.includes('*')) {
      throw forbidden(`This grant does not cover ${resourceType}`);
    }
  }

  async patient(): Promise<Patient | undefined> {
    this.allow('Patient');
    return this.loaders.patients.load(this.grant.patient);
  }

  /** Searches the grant's patient's resources of one type; the patient filter is always added here. */
  async search<T extends FhirResource>(resourceType: T['resourceType'], filters: SearchRequest['filters'], options: { sort?: string[]; count: number }): Promise<T[]> {
    this.allow(resourceType);
    const found = await this.loaders.searches.load({
      resourceType,
      filters: [{ code: 'patient', value: `Patient/${this.grant.patient}` }, ...filters],
      ...(options.sort ? { sort: options.sort } : {}),
      count: options.count,
    });
    return found.filter((r): r is T => this.belongs(r, resourceType));
  }

  /** Defence against a wrong server answer: only this patient's resources of the asked type are served. */
  private belongs(resource: FhirResource, resourceType: string): boolean {
    const subject = (resource as { subject?: { reference?: string }; patient?: { reference?: string } }).subject ?? (resource as { patient?: { reference?: string } }).patient;
    const ok = resource.resourceType === resourceType && typeof resource.id === 'string' && subject?.reference === `Patient/${this.grant.patient}`;
    if (!ok) this.log.warn('fhir server returned a resource outside the request; dropped', { hospital: this.grant.hospital, resourceType: resource.resourceType });
    return ok;
  }
}
