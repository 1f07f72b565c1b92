import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4.js';
import { sendJson } from '../../lib/http/respond.ts';
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

/**
 * A read-only FHIR R4 REST server over a ResourceStore: `metadata`, read by id and
 * search, with searchset Bundles, `next` links and OperationOutcome errors.
 */
export function sandboxFhirHandler(options: SandboxFhirOptions) {
  const base = options.basePath.replace(/\/$/, '');
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
    try {
      if (!url.pathname.startsWith(`${base}/`)) throw new OutcomeError(404, 'not-found', 'Not a FHIR endpoint');
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new OutcomeError(405, 'not-supported', 'This sandbox server is read-only');
      const parts = url.pathname.slice(base.length + 1).split('/').map(decodeURIComponent);
      if (parts.length === 1 && parts[0] === 'metadata') return sendJson(res, 200, capability(options), FHIR_JSON);
      const [type, id, extra] = parts;
      if (!type || !/^[A-Z][A-Za-z]+$/.test(type) || extra !== undefined) throw new OutcomeError(404, 'not-found', 'Unknown FHIR path');
      if (id !== undefined) return sendJson(res, 200, options.store.read(type, id), FHIR_JSON);
      return sendJson(res, 200, options.store.search(type, url.searchParams, url), FHIR_JSON);
    } catch (err) {
      if (err instanceof OutcomeError) return sendJson(res, err.status, operationOutcome(err.issueCode, err.message), FHIR_JSON);
      return sendJson(res, 500, operationOutcome('exception', 'Internal error'), FHIR_JSON);
    }
    }
  };
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
    rest: [{ mode: 'server', resource: options.store.types().map((type) => ({ type: type as CapabilityStatementRestResource['type'], interaction: [{ code: 'read' }, { code: 'search-type' }] })) }],
  };
}
