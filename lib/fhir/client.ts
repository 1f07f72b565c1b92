import type { Bundle, FhirResource, OperationOutcome } from 'fhir/r4.js';
import type { BackendServicesAuth } from './backend-auth.ts';
import { httpCall, HttpCallError, type HttpAnswer } from '../http/http-client.ts';
import { FhirError } from './client-error.ts';
import { resilientCall } from './resilience.ts';
import { formatSearch, type SearchRequest } from './search.ts';

export { FhirError } from './client-error.ts';

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
  /** Called once per HTTP request made (metrics, tests counting calls). */
  onRequest?: (url: string) => void;
}

export interface FhirClient {
  readonly baseUrl: string;
  search<T extends FhirResource = FhirResource>(req: SearchRequest): Promise<Bundle<T>>;
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

  async function send(url: string, budgetMs: number): Promise<HttpAnswer> {
    options.onRequest?.(url);
    try {
      return await httpCall(url, { headers: await headers(), timeoutMs: budgetMs });
    } catch (err) {
      if (err instanceof HttpCallError) throw new FhirError(err.timeout ? 'FHIR request timed out' : `FHIR server unreachable (${err.message})`, 0, err.timeout);
      throw err;
    }
  }

  /** One attempt: resolves for any answer the server meant (incl. 4xx), throws for failures worth a retry. */
  async function attempt(url: string, budgetMs: number): Promise<{ status: number; body: unknown }> {
    let res = await send(url, budgetMs);
    if (res.status === 401 && auth.type === 'smart-backend') {
      // The server may have ended our token early: get a new one, once.
      auth.auth.reset();
      res = await send(url, budgetMs);
    }
    if (res.status >= 500 || res.status === 429) throw new FhirError(`FHIR server answered HTTP ${res.status}`, res.status);
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

  async function getBundle<T extends FhirResource>(url: string): Promise<Bundle<T>> {
    const { status, body } = await get(url);
    if (status !== 200) throw failure(status, body);
    const bundle = body as Partial<Bundle<T>>;
    if (bundle?.resourceType !== 'Bundle' || (bundle.entry !== undefined && !Array.isArray(bundle.entry))) {
      throw new FhirError('FHIR server answered a search with something other than a Bundle', status);
    }
    return bundle as Bundle<T>;
  }

  return {
    baseUrl: base,
    search: (req) => getBundle(base + formatSearch(req)),
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
