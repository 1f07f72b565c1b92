/**
 * The list fields of a chart and how their arguments map onto FHIR search. Resolvers,
 * refusal logging and tests are all derived from this one table.
 */
export interface ChartList {
  /** GraphQL field; `<field>Connection` is its Relay connection. */
  readonly field: string;
  readonly resourceType: string;
  /** GraphQL argument → FHIR search parameter (token values: `system|code` or `code`). */
  readonly params: Readonly<Record<string, string>>;
}

export const chartLists: readonly ChartList[] = [
  { field: 'observations', resourceType: 'Observation', params: { category: 'category', code: 'code', status: 'status' } },
  { field: 'conditions', resourceType: 'Condition', params: { category: 'category', code: 'code', clinicalStatus: 'clinical-status' } },
  { field: 'medicationRequests', resourceType: 'MedicationRequest', params: { status: 'status' } },
  { field: 'allergyIntolerances', resourceType: 'AllergyIntolerance', params: { clinicalStatus: 'clinical-status' } },
  { field: 'immunizations', resourceType: 'Immunization', params: { status: 'status' } },
  { field: 'encounters', resourceType: 'Encounter', params: { status: 'status' } },
  { field: 'procedures', resourceType: 'Procedure', params: { code: 'code', status: 'status' } },
  { field: 'diagnosticReports', resourceType: 'DiagnosticReport', params: { category: 'category', code: 'code', status: 'status' } },
  { field: 'documentReferences', resourceType: 'DocumentReference', params: { category: 'category', status: 'status' } },
];

/** Chart field → the resource type it discloses (lists, connections and the patient). */
export const chartFieldTypes: Readonly<Record<string, string>> = Object.fromEntries([
  ['patient', 'Patient'],
  ...chartLists.flatMap((l) => [[l.field, l.resourceType], [`${l.field}Connection`, l.resourceType]]),
]);
