import { badUserInput } from '../../lib/errors.ts';
import { servedResourceTypes } from '../../lib/fhir/resource-types.ts';
import type { ConsentTerms } from './consent-store.ts';

/** ConsentInput as GraphQL delivers it. */
export interface ConsentInput {
  scope: 'PATIENT_PRIVACY' | 'RESEARCH';
  actor?: string | null;
  resourceTypes: string[];
  hospitals: string[];
  periodStart?: string | null;
  periodEnd?: string | null;
}

/**
 * Stable reasons in `extensions.reason` of a BAD_USER_INPUT, with the input field in
 * `extensions.field`, so clients can show the problem next to the right control.
 */
export const ConsentInputReasons = [
  'UNKNOWN_HOSPITAL',
  'UNKNOWN_RESOURCE_TYPE',
  'EMPTY',
  'INVALID_DATE',
  'PERIOD_ENDS_BEFORE_START',
  'INVALID_ACTOR',
  'ACTOR_REQUIRED',
  'ACTOR_NOT_ALLOWED',
  'SELF_GRANT',
] as const;

type Reason = (typeof ConsentInputReasons)[number];

const fail = (field: string, reason: Reason, message: string) => badUserInput(message, { field: `input.${field}`, reason });

/** FHIR reference to a Practitioner or Organization with a FHIR id. */
const ACTOR = /^(Practitioner|Organization)\/[A-Za-z0-9\-.]{1,64}$/;

function date(field: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m && new Date(`${value}T00:00:00Z`);
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) throw fail(field, 'INVALID_DATE', `${field} must be a date as YYYY-MM-DD`);
  return value;
}

/** Checks a consent request against the configuration; throws BAD_USER_INPUT naming the first problem. */
export function parseConsentInput(input: ConsentInput, ctx: { hospitalIds: readonly string[]; callerReference: string | undefined }): ConsentTerms {
  const scope = input.scope === 'RESEARCH' ? 'research' : 'patient-privacy';
  const actor = input.actor ?? undefined;
  if (scope === 'research' && actor) throw fail('actor', 'ACTOR_NOT_ALLOWED', 'A research consent names no actor');
  if (scope === 'patient-privacy') {
    if (!actor) throw fail('actor', 'ACTOR_REQUIRED', 'Name the Practitioner or Organization to share with');
    if (actor === ctx.callerReference) throw fail('actor', 'SELF_GRANT', 'You cannot grant access to yourself');
    if (!ACTOR.test(actor)) throw fail('actor', 'INVALID_ACTOR', 'actor must be Practitioner/<id> or Organization/<id>');
  }
  const resourceTypes = [...new Set(input.resourceTypes)];
  if (resourceTypes.length === 0) throw fail('resourceTypes', 'EMPTY', 'Choose at least one kind of record');
  const unknownType = resourceTypes.find((t) => !servedResourceTypes.includes(t));
  if (unknownType !== undefined) throw fail('resourceTypes', 'UNKNOWN_RESOURCE_TYPE', `Unknown resource type "${unknownType.slice(0, 64)}"; known: ${servedResourceTypes.join(', ')}`);
  const hospitals = [...new Set(input.hospitals)];
  if (hospitals.length === 0) throw fail('hospitals', 'EMPTY', 'Choose at least one hospital');
  const unknownHospital = hospitals.find((h) => !ctx.hospitalIds.includes(h));
  if (unknownHospital !== undefined) throw fail('hospitals', 'UNKNOWN_HOSPITAL', `Unknown hospital "${unknownHospital.slice(0, 64)}"`);
  const periodStart = date('periodStart', input.periodStart);
  const periodEnd = date('periodEnd', input.periodEnd);
  if (periodStart && periodEnd && periodEnd < periodStart) throw fail('periodEnd', 'PERIOD_ENDS_BEFORE_START', 'The period ends before it starts');
  return { scope, actor: scope === 'research' ? undefined : actor, resourceTypes, hospitals, periodStart, periodEnd };
}
