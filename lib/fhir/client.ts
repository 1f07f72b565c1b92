import type { Bundle, FhirResource, OperationOutcome } from 'fhir/r4.js';
import type { BackendServicesAuth } from './backend-auth.ts';
import { httpCall, HttpCallError, type HttpAnswer } from '../http/http-client.ts';
import { FhirError } from './client-error.ts';
import { resilientCall } from './resilience.ts';
import { formatSearch, type SearchRequest } from './search.ts';

export { FhirError } from './client-error.ts';

/** Observes one HTTP request to a FHIR server and the searches it carries (metrics, tests counting calls). */
export type FhirRequestObserver = (url: string, searches: readonly string[]) => void;

export type FhirAuth = { type: 'none' } | { type: 'bearer'; token: string } | { type: 'smart-backend'; auth: BackendServicesAuth };

export interface FhirClientOptions {
  /** Base URL of the FHIR R4 server, e.g. `https://fhir.example/r4`. */
  baseUrl: string;
  auth?: FhirAuth;
  /** Time budget of one call, retries included. */
  timeoutMs?: number;
  /** Retries of a failed idempotent read (network error, 5xx, 429, unreadable body) within the budget. */
  retries?: number;
  /** Stops calling a server that keeps failing; probes it again after `resetTimeoutMs`. */
  breaker?: { failureThreshold: number; resetTimeoutMs: number };
  /**
   * Several searches of one request go in one FHIR `batch` interaction (one HTTP call)
   * instead of one GET each. Only for servers that support batch (CapabilityStatement
   * `rest.interaction` `batch`); fewer round trips, but a server may run the entries in series.
   */
  batch?: boolean;
  /**
   * A server that refuses a batch (HTTP 404, 405 or 501, or 400 with an OperationOutcome
   * `not-supported`) is searched one GET at a time for this long, then offered a batch
   * again. Default 10 minutes.
   */
  batchRetryMs?: number;
  /** Called when the server refused a batch and searches go one by one for a while (to log it). */
  onBatchRefused?: (status: number) => void;
  /** Called once per HTTP request made. */
  onRequest?: FhirRequestObserver;
}

export interface FhirClient {
  readonly baseUrl: string;
  search<T extends FhirResource = FhirResource>(req: SearchRequest): Promise<Bundle<T>>;
  /**
   * Several searches, each answered or failed on its own: one `batch` interaction when the
   * server supports it, else one GET each, in parallel. A failure of the whole call fails all;
   * an entry answered 5xx or 429 is asked again as a GET of its own.
   */
  searchMany<T extends FhirResource = FhirResource>(reqs: readonly SearchRequest[]): Promise<(Bundle<T> | FhirError)[]>;
  /** One page of results at a `next` link this server gave; refused for any other server. */
  page<T extends FhirResource = FhirResource>(url: string): Promise<Bundle<T>>;
  /** Follows `next` links until `limit` entries are read; returns the matching resources. */
  searchAll<T extends FhirResource = FhirResource>(req: SearchRequest, limit: number): Promise<T[]>;
}

export function createFhirClient(options: FhirClientOptions): FhirClient {
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const baseOrigin = new URL(base).origin;
  const auth = options.auth ?? { type: 'none' };

  async function headers(): Promise<Record<string, string>> {
    if (auth.type === 'bearer') return { accept: 'application/fhir+json', authorization: `Bearer ${auth.token}` };
    if (auth.type === 'smart-backend') return { accept: 'application/fhir+json', authorization: `Bearer ${await auth.auth.token()}` };
    return { accept: 'application/fhir+json' };
  }

  /** A GET, or a POST of a batch Bundle to the base (`searches`: what it carries, for `onRequest`). */
  interface Call {
    url: string;
    body?: string;
    searches: readonly string[];
  }

  async function send(call: Call, budgetMs: number): Promise<HttpAnswer> {
    options.onRequest?.(call.url, call.searches);
    try {
      const h = await headers();
      return await httpCall(call.url, call.body === undefined ? { headers: h, timeoutMs: budgetMs } : { method: 'POST', headers: { ...h, 'content-type': 'application/fhir+json' }, body: call.body, timeoutMs: budgetMs });
    } catch (err) {
      if (err instanceof HttpCallError) throw new FhirError(err.timeout ? 'FHIR request timed out' : `FHIR server unreachable (${err.message})`, 0, err.timeout);
      throw err;
    }
  }

  /** One attempt: resolves for any answer the server meant (incl. 4xx), throws for failures worth a retry. */
  async function attempt(call: Call, budgetMs: number): Promise<{ status: number; body: unknown }> {
    let res = await send(call, budgetMs);
    if (res.status === 401 && auth.type === 'smart-backend') {
      // The server may have ended our token early: get a new one, once.
      auth.auth.reset();
      res = await send(call, budgetMs);
    }
    if (retryable(res.status)) throw new FhirError(`FHIR server answered HTTP ${res.status}`, res.status);
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      throw new FhirError('FHIR server answered with a body that is not JSON', res.status);
    }
    return { status: res.status, body };
  }

  const get = resilientCall(attempt, { timeoutMs: options.timeoutMs ?? 5_000, retries: options.retries ?? 2, ...(options.breaker ? { breaker: options.breaker } : {}) });

  function failure(status: number, body: unknown): FhirError {
    const outcome = body as Partial<OperationOutcome>;
    const issueCode = outcome?.resourceType === 'OperationOutcome' ? outcome.issue?.[0]?.code : undefined;
    return new FhirError(`FHIR server answered HTTP ${status}`, status, false, issueCode);
  }

  /** A search's answer: a Bundle, or the error it is. */
  function searchset<T extends FhirResource>(status: number, body: unknown): Bundle<T> | FhirError {
    if (status !== 200) return failure(status, body);
    const bundle = body as Partial<Bundle<T>>;
    if (bundle?.resourceType !== 'Bundle' || (bundle.entry !== undefined && !Array.isArray(bundle.entry))) {
      return new FhirError('FHIR server answered a search with something other than a Bundle', status);
    }
    return bundle as Bundle<T>;
  }

  async function getBundle<T extends FhirResource>(url: string): Promise<Bundle<T>> {
    const { status, body } = await get({ url, searches: [url] });
    const bundle = searchset<T>(status, body);
    if (bundle instanceof FhirError) throw bundle;
    return bundle;
  }

  /** A search's Bundle, or the FhirError it failed with (anything else still throws). */
  const bundleOrError = <T extends FhirResource>(url: string) => getBundle<T>(url).catch((err: unknown) => (err instanceof FhirError ? err : Promise.reject(err)));

  /** One `batch` interaction: each entry's answer (`response.status`, `resource` or `outcome`) in the order asked. */
  async function batch<T extends FhirResource>(reqs: readonly SearchRequest[]): Promise<(Bundle<T> | FhirError)[]> {
    const urls = reqs.map(formatSearch);
    const request: Bundle = { resourceType: 'Bundle', type: 'batch', entry: urls.map((url) => ({ request: { method: 'GET', url } })) };
    const { status, body } = await get({ url: base, body: JSON.stringify(request), searches: urls.map((u) => base + u) });
    if (status !== 200) throw failure(status, body);
    const answer = body as Partial<Bundle>;
    // Entries answer in the order asked (FHIR R4 §3.1.0.11.1): a different count cannot be matched up.
    if (answer?.resourceType !== 'Bundle' || answer.type !== 'batch-response' || !Array.isArray(answer.entry) || answer.entry.length !== reqs.length) {
      throw new FhirError('FHIR server answered a batch with something other than its batch-response', status);
    }
    return Promise.all(answer.entry.map(async (entry, i) => {
      const code = Number.parseInt(String(entry?.response?.status ?? ''), 10);
      if (!Number.isInteger(code)) return new FhirError('FHIR server answered a batch entry without a status', status);
      // An entry the server could not answer for now is asked again on its own, retried as
      // any GET is; one overloaded search does not fail its field while the others answered.
      if (retryable(code)) return bundleOrError<T>(base + (urls[i] as string));
      return searchset<T>(code, code === 200 ? entry.resource : (entry.response?.outcome ?? entry.resource));
    }));
  }

  const gets = <T extends FhirResource>(reqs: readonly SearchRequest[]) => Promise.all(reqs.map((r) => bundleOrError<T>(base + formatSearch(r))));

  const batches = options.batch ?? false;
  // Until when a server that refused a batch is searched one GET at a time (set per client, so per hospital).
  let batchRefusedUntil = 0;
  async function searchMany<T extends FhirResource>(reqs: readonly SearchRequest[]): Promise<(Bundle<T> | FhirError)[]> {
    if (!batches || reqs.length < 2 || Date.now() < batchRefusedUntil) return gets<T>(reqs);
    try {
      return await batch<T>(reqs);
    } catch (err) {
      if (!(err instanceof FhirError && refusesBatch(err))) throw err;
      // Configured for batch, but this server does not do it (or no longer does): the same
      // searches one by one, rather than failing every field of the hospital.
      batchRefusedUntil = Date.now() + (options.batchRetryMs ?? 10 * 60_000);
      options.onBatchRefused?.(err.status);
      return gets<T>(reqs);
    }
  }

  return {
    baseUrl: base,
    search: (req) => getBundle(base + formatSearch(req)),
    searchMany,
    page: (url) => {
      // Only links back to the same server: a `next` pointing elsewhere would carry our credentials there.
      if (new URL(url).origin !== baseOrigin) return Promise.reject(new FhirError('next link points to another server', 0));
      return getBundle(url);
    },
    async searchAll<T extends FhirResource>(req: SearchRequest, limit: number) {
      const out: T[] = [];
      let url: string | undefined = base + formatSearch(req);
      while (url && out.length < limit) {
        const bundle: Bundle<T> = await getBundle<T>(url);
        for (const e of bundle.entry ?? []) {
          if (e.resource && (e.search?.mode ?? 'match') === 'match') out.push(e.resource);
        }
        const next = bundle.link?.find((l) => l.relation === 'next')?.url;
        // Only follow links back to the same server: a `next` pointing elsewhere would leak our credentials.
        url = next && new URL(next).origin === baseOrigin ? next : undefined;
      }
      return out.slice(0, limit);
    },
  };
}

/** Answers that another try may change: 429 and 5xx, except 501 (not implemented), which is the server's answer. */
function retryable(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

/** The answers of a server that does not take `batch` interactions at its base. */
function refusesBatch(err: FhirError): boolean {
  return err.status === 404 || err.status === 405 || err.status === 501 || (err.status === 400 && err.issueCode === 'not-supported');
}
