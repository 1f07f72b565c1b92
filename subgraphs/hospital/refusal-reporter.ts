import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../../lib/log.ts';
import { chartFieldTypes } from './chart-lists.ts';
import type { HospitalContext } from './context.ts';

const reasons: Record<string, 'scope' | 'consent'> = { UNAUTHORIZED_FIELD_OR_TYPE: 'scope', FORBIDDEN: 'consent' };

/**
 * Records in the person's access log every chart field this hospital refused, before the
 * answer leaves (POST to the consent service, with the caller's token and the chart's
 * grant). If the refusals cannot be recorded, the whole answer is withheld.
 */
export function refusalReporter(refusalLogUrl: string, log: Logger): ApolloServerPlugin<HospitalContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, request, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const representations = (request.variables?.['representations'] ?? []) as { grant?: unknown }[];
          const refusals = (result.errors ?? []).flatMap((e) => {
            const [root, index, field] = e.path ?? [];
            const reason = reasons[String(e.extensions?.['code'])];
            const resourceType = chartFieldTypes[String(field)];
            const grant = typeof index === 'number' ? representations[index]?.grant : undefined;
            // Refusals of the grant itself (path `_entities.i`) name no person the caller may read: not logged there.
            if (root !== '_entities' || !reason || !resourceType || typeof grant !== 'string') return [];
            return [{ grant, resourceType, reason }];
          });
          if (refusals.length === 0) return;
          try {
            const res = await fetch(refusalLogUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${contextValue.caller.token}` },
              body: JSON.stringify({ refusals }),
              signal: AbortSignal.timeout(5_000),
            });
            if (res.status !== 204) throw new Error(`HTTP ${res.status}`);
          } catch (err) {
            log.error('refusals could not be recorded; answer withheld', { hospital: contextValue.hospital.id, reason: (err as Error).message });
            result.data = null;
            result.errors = [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }];
          }
        },
      };
    },
  };
}
