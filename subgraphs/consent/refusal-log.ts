import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, decodeJwt } from 'jose';
import { accessOf } from '../../lib/auth/access.ts';
import type { AccessTokenVerifier } from '../../lib/auth/access-token.ts';
import { createGrantVerifier, type GrantSigner, type GrantVerifier } from '../../lib/grants.ts';
import { readBody, sendJson } from '../../lib/http/respond.ts';
import type { Logger } from '../../lib/log.ts';
import { agentReference } from './charts.ts';
import type { AuditRecord, ConsentRecords } from './consent-store.ts';

/** A field a hospital subgraph refused inside one chart. */
export interface Refusal {
  /** The chart's grant, as the hospital received it: proves whose chart and which caller. */
  grant: string;
  resourceType: string;
  reason: 'scope' | 'consent';
}

export const REFUSALS_PATH = '/audit/refusals';
const MAX_REFUSALS = 200;

const reasonText: Record<Refusal['reason'], string> = {
  scope: "Not allowed by the caller's token scopes",
  consent: "Not covered by the person's consent",
};

/**
 * `POST /audit/refusals`: hospital subgraphs record here, in the person's access log,
 * the fields they refused. The caller's own access token comes along and each refusal
 * carries the chart's grant, which this service signed for that token: a hospital can
 * only log refusals of charts it was really asked for, by the caller who asked.
 */
export function refusalLogHandler(options: { verifyToken: AccessTokenVerifier; grants: GrantSigner; issuer: string; hospitalIds: readonly string[]; records: ConsentRecords; log: Logger }) {
  const keys = createLocalJWKSet(options.grants.jwks);
  const verifiers = new Map<string, GrantVerifier>(options.hospitalIds.map((h) => [h, createGrantVerifier({ issuer: options.issuer, hospital: h, keys })]));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let caller;
    try {
      caller = await options.verifyToken(req.headers.authorization);
    } catch {
      return sendJson(res, 401, { error: 'invalid_token' });
    }
    const access = accessOf(caller);
    const raw = await readBody(req, 256_000);
    let refusals: Refusal[];
    try {
      const body = JSON.parse(raw ?? '') as { refusals?: unknown };
      if (!Array.isArray(body.refusals) || body.refusals.length > MAX_REFUSALS) throw new Error('refusals');
      refusals = body.refusals as Refusal[];
    } catch {
      return sendJson(res, 400, { error: 'invalid_request' });
    }
    const now = new Date();
    const events: Omit<AuditRecord, 'id'>[] = [];
    for (const r of refusals) {
      if (typeof r?.grant !== 'string' || typeof r.resourceType !== 'string' || !(r.reason in reasonText)) return sendJson(res, 400, { error: 'invalid_request' });
      let hospital: unknown;
      try {
        hospital = decodeJwt(r.grant)['hospital'];
      } catch {
        return sendJson(res, 400, { error: 'invalid_grant' });
      }
      const grant = await verifiers.get(String(hospital))?.(r.grant, caller.token, caller.subject);
      if (!grant || !access) return sendJson(res, 400, { error: 'invalid_grant' });
      events.push({
        recorded: now, personId: grant.person, agent: agentReference(access, caller.clientId), agentSubject: caller.subject, clientId: caller.clientId,
        purpose: grant.purpose, outcome: '4', outcomeDesc: reasonText[r.reason], hospitalId: grant.hospital, resourceTypes: [r.resourceType.slice(0, 64)],
      });
    }
    try {
      await options.records.audit(events);
    } catch (err) {
      options.log.error('refusals could not be recorded', { kind: (err as Error).name, count: events.length });
      return sendJson(res, 503, { error: 'unavailable' });
    }
    res.writeHead(204).end();
  };
}
