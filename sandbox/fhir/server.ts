import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bundle, BundleEntry, CapabilityStatement, CapabilityStatementRestResource, FhirResource } from 'fhir/r4.js';
import { readBody, sendJson } from '../../lib/http/respond.ts';
import type { backendAuthServer } from './backend-auth-server.ts';
import { operationOutcome, OutcomeError, type ResourceStore } from './store.ts';

export interface SandboxFhirOptions {
  store: ResourceStore;
  /** Path the FHIR base is served under, e.g. `/fhir`. */
  basePath: string;
  /** Public origin, used in links (`http://localhost:4201`). */
  origin: string;
  name: string;
  /** When set, FHIR requests need a SMART Backend Services token from it. */
  backendAuth?: ReturnType<typeof backendAuthServer>;
  /** The fault to act out now, for resilience tests. */
  fault?: () => SandboxFault;
  /** Extra time before each answer, in ms, as a real server over a network takes (benchmarks). */
  latencyMs?: () => number;
}

/**
 * Ways a sandbox hospital can fail, as real servers do: connections dropped, answers after
 * 30 s, HTTP 500, JSON cut short, or a body that is not FHIR at all (a maintenance page).
 */
export type SandboxFault = 'none' | 'down' | 'slow' | 'error' | 'malformed' | 'not-fhir';

const FHIR_JSON = 'application/fhir+json';
const MAX_BATCH_ENTRIES = 200;
const MAX_BATCH_BYTES = 1_000_000;

/**
 * A read-only FHIR R4 REST server over a ResourceStore: `metadata`, read by id and
 * search, with searchset Bundles, `next` links and OperationOutcome errors, and `batch`
 * Bundles of those reads and searches.
 */
export function sandboxFhirHandler(options: SandboxFhirOptions) {
  const base = options.basePath.replace(/\/$/, '');
  const origin = new URL(options.origin).origin;
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', options.origin);
    const fault = options.fault?.() ?? 'none';
    if (fault === 'down') return void req.socket.destroy();
    if (fault === 'error') return sendJson(res, 500, operationOutcome('exception', 'Internal error'), FHIR_JSON);
    if (fault === 'malformed') return void res.writeHead(200, { 'content-type': FHIR_JSON }).end('{"resourceType":"Bundle","type":"searchset","entry":[{"resou');
    if (fault === 'not-fhir') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Down for maintenance</body></html>');
    const delay = fault === 'slow' ? 30_000 : (options.latencyMs?.() ?? 0);
    if (delay > 0) {
      const timer = setTimeout(() => serve(), delay);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    serve();

    function serve(): void {
    const auth = options.backendAuth;
    if (auth && url.pathname === `${base}/.well-known/smart-configuration`) return auth.smartConfiguration(res);
    if (auth && url.pathname === `${base}/auth/token` && req.method === 'POST') return void auth.token(req, res);
    if (auth && !auth.authorized(req)) return sendJson(res, 401, operationOutcome('login', 'A valid access token is required'), FHIR_JSON);
    if (req.method === 'POST' && (url.pathname === base || url.pathname === `${base}/`)) return void serveBatch();
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new OutcomeError(405, 'not-supported', 'This sandbox server is read-only');
      sendJson(res, 200, answer(url), FHIR_JSON);
    } catch (err) {
      const e = outcomeOf(err);
      sendJson(res, e.status, operationOutcome(e.issueCode, e.message), FHIR_JSON);
    }
    }

    /** A `batch` of reads and searches (FHIR R4 §3.1.0.11): each entry answered on its own, in order. */
    async function serveBatch(): Promise<void> {
      const text = await readBody(req, MAX_BATCH_BYTES).catch(() => undefined);
      let bundle: Partial<Bundle> | undefined;
      try {
        bundle = text === undefined ? undefined : (JSON.parse(text) as Partial<Bundle>);
      } catch {
        bundle = undefined;
      }
      if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'batch' || !Array.isArray(bundle.entry) || bundle.entry.length > MAX_BATCH_ENTRIES) {
        return sendJson(res, 400, operationOutcome('invalid', `Expected a batch Bundle of at most ${MAX_BATCH_ENTRIES} entries`), FHIR_JSON);
      }
      const entry = bundle.entry.map((e): BundleEntry => {
        try {
          if (e?.request?.method !== 'GET' || typeof e.request.url !== 'string') throw new OutcomeError(405, 'not-supported', 'This sandbox server is read-only');
          return { resource: answer(new URL(e.request.url, `${options.origin}${base}/`)), response: { status: '200 OK' } };
        } catch (err) {
          const o = outcomeOf(err);
          return { response: { status: String(o.status), outcome: operationOutcome(o.issueCode, o.message) } };
        }
      });
      sendJson(res, 200, { resourceType: 'Bundle', type: 'batch-response', entry } satisfies Bundle, FHIR_JSON);
    }
  };

  /** What a GET of `url` answers: the CapabilityStatement, a resource by id, or a searchset. */
  function answer(url: URL): FhirResource | Bundle | CapabilityStatement {
    if (url.origin !== origin || !url.pathname.startsWith(`${base}/`)) throw new OutcomeError(404, 'not-found', 'Not a FHIR endpoint');
    const parts = url.pathname.slice(base.length + 1).split('/').map(decodeURIComponent);
    if (parts.length === 1 && parts[0] === 'metadata') return capability(options);
    const [type, id, extra] = parts;
    if (!type || !/^[A-Z][A-Za-z]+$/.test(type) || extra !== undefined) throw new OutcomeError(404, 'not-found', 'Unknown FHIR path');
    if (id !== undefined) return options.store.read(type, id);
    return options.store.search(type, url.searchParams, url);
  }
}

/** The outcome an error answers with: its own, or a bare 500 (never its message). */
function outcomeOf(err: unknown): OutcomeError {
  return err instanceof OutcomeError ? err : new OutcomeError(500, 'exception', 'Internal error');
}

function capability(options: SandboxFhirOptions): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    software: { name: `${options.name} (sandbox)` },
    rest: [{ mode: 'server', interaction: [{ code: 'batch' }], resource: options.store.types().map((type) => ({ type: type as CapabilityStatementRestResource['type'], interaction: [{ code: 'read' }, { code: 'search-type' }] })) }],
  };
}
