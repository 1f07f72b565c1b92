import { readableTypes, type Access } from '../../lib/auth/access.ts';
import type { GrantProvision, GrantPurpose } from '../../lib/grants.ts';
import type { ConsentContext } from './context.ts';
import type { AuditRecord, ConsentRecord } from './consent-store.ts';
import type { PersonRecord } from './people-store.ts';

/**
 * A Person as one caller sees it: their own account, a person who shared with a
 * practitioner (with the consents naming them), or a research participant.
 */
export type PersonView =
  | { readonly kind: 'self'; readonly person: PersonRecord }
  | { readonly kind: 'shared'; readonly person: PersonRecord; readonly consents: readonly ConsentRecord[] }
  | { readonly kind: 'research'; readonly person: PersonRecord; readonly consents: readonly ConsentRecord[] };

const purposeOf: Record<PersonView['kind'], GrantPurpose> = { self: 'patient-access', shared: 'treatment', research: 'research' };

/** Who the access log names as the agent: the user's FHIR reference, or the service client as a Device. */
export function agentReference(access: Access, clientId: string | undefined): string {
  return access.fhirUser ?? `Device/${clientId ?? 'unknown'}`;
}

/** What a caller may read at one hospital: the consent's types and periods, narrowed by the caller's scopes. */
export function provisionsFor(view: PersonView, hospitalId: string, readable: readonly string[]): GrantProvision[] {
  if (readable.length === 0) return [];
  if (view.kind === 'self') return [{ resourceTypes: readable }];
  const out: GrantProvision[] = [];
  for (const consent of view.consents) {
    if (consent.status !== 'active' || !consent.hospitals.includes(hospitalId)) continue;
    const types = readable.includes('*') ? consent.resourceTypes : consent.resourceTypes.filter((t) => readable.includes(t));
    if (types.length === 0) continue;
    const period = consent.periodStart || consent.periodEnd ? { ...(consent.periodStart ? { start: consent.periodStart } : {}), ...(consent.periodEnd ? { end: consent.periodEnd } : {}) } : undefined;
    out.push({ resourceTypes: types, ...(period ? { period } : {}) });
  }
  return out;
}

export interface ChartReference {
  __typename: string;
  grant: string;
}

/**
 * The chart references for one person: one per linked hospital the caller may read,
 * each with a signed grant. The disclosures are written to the access log first, in one
 * transaction; if that fails, no grant is issued and so no record can be read.
 */
export async function issueCharts(view: PersonView, ctx: ConsentContext): Promise<ChartReference[]> {
  const lifetime = Math.min(ctx.grantLifetimeSec, ctx.caller.expiresAt - Math.floor(Date.now() / 1000));
  if (lifetime <= 0) return [];
  const readable = readableTypes(ctx.access);
  const linked = await ctx.links.resolve(view.person);
  const plans = linked
    .map(({ hospital, patientId }) => ({ hospital, patientId, provisions: provisionsFor(view, hospital.id, readable) }))
    .filter((p) => p.provisions.length > 0);
  const purpose = purposeOf[view.kind];
  const now = new Date();
  await ctx.records.audit(
    plans.map((p): Omit<AuditRecord, 'id'> => ({
      recorded: now,
      personId: view.person.id,
      agent: agentReference(ctx.access, ctx.caller.clientId),
      agentSubject: ctx.caller.subject,
      clientId: ctx.caller.clientId,
      purpose,
      outcome: '0',
      outcomeDesc: undefined,
      hospitalId: p.hospital.id,
      resourceTypes: [...new Set(p.provisions.flatMap((x) => x.resourceTypes))],
    })),
  );
  return Promise.all(
    plans.map(async (p) => ({
      __typename: p.hospital.typeName,
      grant: await ctx.grants.sign(
        { subject: ctx.caller.subject, person: view.person.id, hospital: p.hospital.id, patient: p.patientId, purpose, provisions: p.provisions },
        ctx.caller.token,
        lifetime,
      ),
    })),
  );
}
