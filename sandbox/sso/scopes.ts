/**
 * The SMART on FHIR resource scopes the embedded issuer can grant for the API.
 * oidc-provider matches requested resource scopes exactly against this list, so it
 * enumerates every context × resource type × permission form (v1 `.read`, v2 `.rs`),
 * and the granular category scopes.
 */
export const smartResourceTypes = [
  '*', 'Patient', 'Observation', 'Condition', 'MedicationRequest', 'AllergyIntolerance', 'Immunization',
  'Encounter', 'Procedure', 'DiagnosticReport', 'DocumentReference', 'Practitioner', 'Organization', 'Location', 'Medication',
] as const;

const contexts = ['patient', 'user', 'system'] as const;
export type SmartContext = (typeof contexts)[number];

/** Granular (SMART v2) scopes the issuer offers: by category, as US Core and SMART's examples use them. */
const granular: Record<string, { system: string; codes: string[] }> = {
  Observation: {
    system: 'http://terminology.hl7.org/CodeSystem/observation-category',
    codes: ['laboratory', 'vital-signs', 'social-history', 'imaging', 'survey', 'exam', 'procedure', 'therapy', 'activity'],
  },
  Condition: {
    system: 'http://terminology.hl7.org/CodeSystem/condition-category',
    codes: ['problem-list-item', 'encounter-diagnosis', 'health-concern'],
  },
};

export function smartScopes(context?: SmartContext): string[] {
  return (context ? [context] : contexts).flatMap((c) => [
    ...smartResourceTypes.flatMap((t) => [`${c}/${t}.rs`, `${c}/${t}.read`]),
    ...Object.entries(granular).flatMap(([t, { system, codes }]) => codes.map((code) => `${c}/${t}.rs?category=${system}|${code}`)),
  ]);
}

/** Lets a practitioner introspect the schema in production (the gateway's DEVELOPER_SCOPE). */
export const DEVELOPER_SCOPE = 'developer';
