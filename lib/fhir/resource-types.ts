/**
 * The FHIR resource types the graph serves in a chart: what consents may name and
 * what scopes are checked against. Grows as the chart does.
 */
export const servedResourceTypes: readonly string[] = Object.freeze(['Patient', 'Observation', 'Condition']);
