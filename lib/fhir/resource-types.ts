/**
 * The FHIR resource types the graph serves in a chart: what consents may name and
 * what scopes are checked against. Grows as the chart does.
 */
export const servedResourceTypes: readonly string[] = Object.freeze([
  'Patient', 'Observation', 'Condition', 'MedicationRequest', 'AllergyIntolerance', 'Immunization',
  'Encounter', 'Procedure', 'DiagnosticReport', 'DocumentReference',
]);

/**
 * Resources outside the patient compartment, reached through references (who treated,
 * where, which drug): readable with a scope for them, without a consent naming them.
 */
export const sharedContextTypes: readonly string[] = Object.freeze(['Practitioner', 'Organization', 'Location', 'Medication']);
