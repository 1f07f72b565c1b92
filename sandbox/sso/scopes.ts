/**
 * The SMART on FHIR resource scopes the embedded issuer can grant for the API.
 * oidc-provider matches requested resource scopes exactly against this list, so it
 * enumerates every context × resource type × permission form (v1 `.read`, v2 `.rs`).
 */
export const smartResourceTypes = [
  '*', 'Patient', 'Observation', 'Condition', 'MedicationRequest', 'AllergyIntolerance', 'Immunization',
  'Encounter', 'Procedure', 'DiagnosticReport', 'DocumentReference', 'Practitioner', 'Organization', 'Location', 'Medication',
] as const;

const contexts = ['patient', 'user', 'system'] as const;
export type SmartContext = (typeof contexts)[number];

export function smartScopes(context?: SmartContext): string[] {
  return (context ? [context] : contexts).flatMap((c) => smartResourceTypes.flatMap((t) => [`${c}/${t}.rs`, `${c}/${t}.read`]));
}
