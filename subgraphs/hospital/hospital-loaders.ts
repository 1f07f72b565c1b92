import type { Bundle, FhirResource } from 'fhir/r4.js';
import DataLoader from 'dataloader';
import { hospitalUnavailable } from '../../lib/errors.ts';
import { FhirError, type FhirClient } from '../../lib/fhir/client.ts';
import { formatSearch, type SearchRequest } from '../../lib/fhir/search.ts';
import type { Logger } from '../../lib/log.ts';

/** Searches per FHIR `batch` interaction: a large request (analytics) is split into calls of this size. */
export const MAX_SEARCHES_PER_CALL = 50;

/**
 * Per-request FHIR access for one hospital, with DataLoader batching (never shared
 * between requests): resources by id are fetched with one `_id=a,b,c` search per type
 * and tick, identical searches and pages run once, and the searches of a tick go to the
 * server together (one `batch` interaction where the hospital supports it).
 */
export class HospitalLoaders {
  private readonly byType = new Map<string, DataLoader<string, FhirResource | undefined>>();
  /** One HTTP search per distinct search in a request (keyed by its query string). */
  readonly searches: DataLoader<SearchRequest, Bundle, string>;
  readonly pages: DataLoader<string, Bundle>;

  constructor(
    private readonly fhir: FhirClient,
    private readonly hospital: string,
    private readonly log: Logger,
  ) {
    this.searches = new DataLoader(
      async (reqs) => {
        let answers: (Bundle | FhirError)[];
        try {
          answers = await this.fhir.searchMany(reqs);
        } catch (err) {
          const error = this.failed(reqs.length === 1 ? (reqs[0] as SearchRequest).resourceType : 'batch', err);
          return reqs.map(() => error);
        }
        return answers.map((a, i) => (a instanceof FhirError ? this.failed((reqs[i] as SearchRequest).resourceType, a) : a));
      },
      {
        cacheKeyFn: formatSearch,
        maxBatchSize: MAX_SEARCHES_PER_CALL,
        // After this tick's other loaders (reads by id) have added their searches, so that
        // a chart's patient and lists leave in one call.
        batchScheduleFn: (dispatch) => setImmediate(dispatch),
      },
    );
    this.pages = new DataLoader((urls) => Promise.all(urls.map((u) => this.fhir.page(u).catch((err: unknown) => Promise.reject(this.failed('page', err))))));
  }

  /** A resource by type and id, batched with the others asked in the same tick. */
  byId(resourceType: string, id: string): Promise<FhirResource | undefined> {
    let loader = this.byType.get(resourceType);
    if (!loader) {
      loader = new DataLoader<string, FhirResource | undefined>(async (ids): Promise<(FhirResource | undefined | Error)[]> => {
        const bundle = await this.searches.load({ resourceType, filters: [{ code: '_id', value: ids.join(',') }], count: ids.length });
        const asked = new Set(ids);
        const matches = (bundle.entry ?? []).filter((e) => (e.search?.mode ?? 'match') === 'match').map((e) => e.resource as FhirResource | undefined);
        // An answer with anything but the records asked for is not trusted for any of them.
        if (matches.some((r) => !r || typeof r !== 'object' || r.resourceType !== resourceType || typeof r.id !== 'string' || !asked.has(r.id))) {
          this.log.warn('fhir server answered a read with other records; refused', { hospital: this.hospital, resourceType });
          const error = hospitalUnavailable(this.hospital);
          return ids.map(() => error);
        }
        const found = new Map((matches as FhirResource[]).map((r) => [r.id, r]));
        return ids.map((id) => found.get(id));
      }, { maxBatchSize: 100 });
      this.byType.set(resourceType, loader);
    }
    return loader.load(id);
  }

  /** A FHIR failure becomes the hospital's error; what went wrong is logged, without PHI. */
  private failed(what: string, err: unknown): Error {
    if (!(err instanceof FhirError)) return err instanceof Error ? err : new Error('FHIR call failed');
    this.log.warn('fhir request failed', { hospital: this.hospital, resourceType: what, status: err.status, timeout: err.timeout, issue: err.issueCode });
    return hospitalUnavailable(this.hospital, err.timeout);
  }
}
