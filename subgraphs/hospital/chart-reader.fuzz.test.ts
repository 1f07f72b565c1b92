import fc from 'fast-check';
import type { FhirResource } from 'fhir/r4.js';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Access } from '../../lib/auth/access.ts';
import { parseScopes } from '../../lib/auth/smart-scopes.ts';
import { createCursorCodec } from '../../lib/cursor.ts';
import type { FhirClient } from '../../lib/fhir/client.ts';
import type { Grant } from '../../lib/grants.ts';
import { createLogger } from '../../lib/log.ts';
import { chartLists } from './chart-lists.ts';
import { ChartReader } from './chart-reader.ts';
import { HospitalLoaders } from './hospital-loaders.ts';

/** Random FHIR server answers to a hospital subgraph's reader: served only when they are right. */
const grant: Grant = { subject: 's', person: 'p', hospital: 'h', patient: 'me', purpose: 'patient-access', provisions: [{ resourceTypes: ['*'] }], expiresAt: 0 };
const access: Access = { kind: 'patient', context: 'patient', scopes: parseScopes(['patient/*.rs']), fhirUser: 'Person/p', organization: undefined };

const resource = fc.record({
  resourceType: fc.constantFrom('Observation', 'Condition', 'Patient', 'Bundle', 42, undefined),
  id: fc.option(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { nil: undefined }),
  subject: fc.option(fc.record({ reference: fc.constantFrom('Patient/me', 'Patient/other', 'Group/me', 'me') }), { nil: undefined }),
  status: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }),
  code: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
}, { requiredKeys: [] });

const answer = fc.oneof(
  fc.record({ resourceType: fc.constant('Bundle'), type: fc.constant('searchset'), entry: fc.array(fc.record({ resource: fc.oneof(resource, fc.jsonValue({ maxDepth: 2 })), search: fc.option(fc.record({ mode: fc.constantFrom('match', 'include', 'outcome') }), { nil: undefined }) }, { requiredKeys: [] }), { maxLength: 6 }) }),
  fc.jsonValue({ maxDepth: 3 }),
);

function clientAnswering(body: unknown): FhirClient {
  const asBundle = () => {
    // The real client refuses answers that are not Bundles; the fuzz covers everything after that.
    if (!body || typeof body !== 'object' || (body as { resourceType?: unknown }).resourceType !== 'Bundle') return Promise.reject(Object.assign(new Error('not a bundle'), { name: 'FhirError' }));
    return Promise.resolve(body as never);
  };
  return { baseUrl: 'http://fhir.test/', search: asBundle, page: asBundle, searchAll: async () => [], searchMany: (reqs) => Promise.all(reqs.map(asBundle)) };
}

describe('random FHIR answers', () => {
  it('serve only this patient’s records of the asked type, or fail the field with a catalogue error', async () => {
    const observations = chartLists.find((l) => l.field === 'observations')!;
    await fc.assert(
      fc.asyncProperty(answer, async (body) => {
        const log = createLogger({ fuzz: true });
        const reader = new ChartReader(grant, access, new HospitalLoaders(clientAnswering(body), 'h', log), createCursorCodec(), new WeakMap(), log);
        try {
          const out = await reader.list<FhirResource>(observations, { first: 10 });
          for (const r of out) {
            expect(r.resourceType).toBe('Observation');
            expect((r as { subject?: { reference?: string } }).subject?.reference).toBe('Patient/me');
          }
        } catch (err) {
          // Either our catalogue error, or the client's refusal of a non-Bundle (becomes HOSPITAL_UNAVAILABLE above it).
          if (err instanceof GraphQLError) expect(err.extensions['code']).toBe('HOSPITAL_UNAVAILABLE');
          else expect((err as Error).name).toBe('FhirError');
        }
      }),
      { numRuns: 500 },
    );
  });
});
