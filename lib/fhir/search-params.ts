import type { CodeableConcept, Coding, FhirResource, Identifier, Reference } from 'fhir/r4.js';

/**
 * FHIR search parameters as FHIR defines them (token, reference, date), with the
 * elements each one searches. The sandbox servers search with them (refusing any other
 * parameter with 400: a server that drops a filter returns more than was asked), and the
 * hospital subgraphs check the same filters on each record a real server returns.
 */
export type ParamKind = 'token' | 'reference' | 'date';

export interface ParamDef {
  readonly kind: ParamKind;
  /** Values of the element(s) the parameter searches. */
  readonly values: (r: FhirResource) => readonly (Coding | Identifier | Reference | string | undefined)[];
}

const codings = (c: CodeableConcept | CodeableConcept[] | undefined): Coding[] =>
  (Array.isArray(c) ? c : c ? [c] : []).flatMap((cc) => cc.coding ?? []);

// Several element names differ per type; these casts read them without a type switch each time.
type AnyResource = FhirResource & Record<string, unknown>;
const field = <T>(r: FhirResource, name: string) => (r as AnyResource)[name] as T | undefined;

const subjectParams: Record<string, ParamDef> = {
  patient: { kind: 'reference', values: (r) => [field<Reference>(r, 'subject') ?? field<Reference>(r, 'patient')] },
  subject: { kind: 'reference', values: (r) => [field<Reference>(r, 'subject') ?? field<Reference>(r, 'patient')] },
};

/** Values of dotted element paths (`period.start`), first ones first. */
const dateOf = (...paths: string[]) => (r: FhirResource) =>
  paths
    .map((p) => p.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), r))
    .filter((v): v is string => typeof v === 'string');

export const searchParams: Record<string, Record<string, ParamDef>> = {
  Patient: {
    identifier: { kind: 'token', values: (r) => field<Identifier[]>(r, 'identifier') ?? [] },
    birthdate: { kind: 'date', values: dateOf('birthDate') },
  },
  Observation: {
    ...subjectParams,
    category: { kind: 'token', values: (r) => codings(field<CodeableConcept[]>(r, 'category')) },
    code: { kind: 'token', values: (r) => codings(field<CodeableConcept>(r, 'code')) },
    status: { kind: 'token', values: (r) => [field<string>(r, 'status')] },
    date: { kind: 'date', values: dateOf('effectiveDateTime', 'effectiveInstant', 'effectivePeriod.start', 'issued') },
  },
  Condition: {
    ...subjectParams,
    category: { kind: 'token', values: (r) => codings(field<CodeableConcept[]>(r, 'category')) },
    code: { kind: 'token', values: (r) => codings(field<CodeableConcept>(r, 'code')) },
    'clinical-status': { kind: 'token', values: (r) => codings(field<CodeableConcept>(r, 'clinicalStatus')) },
    'onset-date': { kind: 'date', values: dateOf('onsetDateTime', 'onsetPeriod.start') },
    'recorded-date': { kind: 'date', values: dateOf('recordedDate', 'onsetDateTime') },
  },
  MedicationRequest: {
    ...subjectParams,
    status: { kind: 'token', values: (r) => [field<string>(r, 'status')] },
    authoredon: { kind: 'date', values: dateOf('authoredOn') },
  },
  Immunization: {
    ...subjectParams,
    status: { kind: 'token', values: (r) => [field<string>(r, 'status')] },
    date: { kind: 'date', values: dateOf('occurrenceDateTime') },
  },
  AllergyIntolerance: {
    ...subjectParams,
    'clinical-status': { kind: 'token', values: (r) => codings(field<CodeableConcept>(r, 'clinicalStatus')) },
    date: { kind: 'date', values: dateOf('recordedDate', 'onsetDateTime') },
  },
  Encounter: {
    ...subjectParams,
    status: { kind: 'token', values: (r) => [field<string>(r, 'status')] },
    date: { kind: 'date', values: dateOf('period.start', 'period.end') },
  },
  Procedure: {
    ...subjectParams,
    code: { kind: 'token', values: (r) => codings(field<CodeableConcept>(r, 'code')) },
    status: { kind: 'token', values: (r) => [field<string>(r, 'status')] },
    date: { kind: 'date', values: dateOf('performedDateTime', 'performedPeriod.start') },
  },
  DiagnosticReport: {
    ...subjectParams,
    category: { kind: 'token', values: (r) => codings(field<CodeableConcept[]>(r, 'category')) },
    code: { kind: 'token', values: (r) => codings(field<CodeableConcept>(r, 'code')) },
    status: { kind: 'token', values: (r) => [field<string>(r, 'status')] },
    date: { kind: 'date', values: dateOf('effectiveDateTime', 'effectivePeriod.start', 'issued') },
  },
  DocumentReference: {
    ...subjectParams,
    category: { kind: 'token', values: (r) => codings(field<CodeableConcept[]>(r, 'category')) },
    status: { kind: 'token', values: (r) => [field<string>(r, 'status')] },
    date: { kind: 'date', values: dateOf('date') },
  },
  // Reached by reference only: read by `_id`.
  Practitioner: {},
  Organization: {},
  Location: {},
  Medication: {},
};

/** Does one search value (`system|code`, `code`, `Patient/1`, `ge2020-01-01`) match a resource? */
export function matches(def: ParamDef, resource: FhirResource, query: string): boolean {
  const values = def.values(resource);
  // A comma separates alternatives (OR) for every kind.
  return query.split(',').some((q) => values.some((v) => v !== undefined && matchOne(def.kind, v, q)));
}

function matchOne(kind: ParamKind, value: Coding | Identifier | Reference | string, q: string): boolean {
  if (kind === 'reference') {
    const ref = typeof value === 'string' ? value : (value as Reference).reference;
    if (!ref) return false;
    return q.includes('/') ? ref === q : ref.split('/').pop() === q;
  }
  if (kind === 'token') {
    if (typeof value === 'string') return value === q;
    const token = value as Coding & Identifier;
    const system = token.system;
    const code = 'code' in token ? token.code : token.value;
    const bar = q.indexOf('|');
    if (bar < 0) return code === q;
    const [qs, qc] = [q.slice(0, bar), q.slice(bar + 1)];
    return (qs === '' ? !system : system === qs) && (qc === '' || code === qc);
  }
  // date: prefix + ISO date; compared on the common prefix of the two precisions.
  if (typeof value !== 'string') return false;
  const m = /^(eq|ne|gt|lt|ge|le)?(\d{4}(?:-\d{2}(?:-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?)?)?)$/.exec(q);
  if (!m) return false;
  const prefix = m[1] ?? 'eq';
  const target = m[2] as string;
  const v = value.slice(0, target.length);
  switch (prefix) {
    case 'eq': return v === target;
    case 'ne': return v !== target;
    case 'gt': return v > target;
    case 'lt': return v < target;
    case 'ge': return v >= target;
    case 'le': return v <= target;
    default: return false;
  }
}

/** Sort keys accepted in `_sort`, per type, mapped to the search parameter they order by. */
export function sortValue(resource: FhirResource, param: string): string {
  const def = searchParams[resource.resourceType]?.[param];
  if (!def || def.kind !== 'date') return '';
  const v = def.values(resource)[0];
  return typeof v === 'string' ? v : '';
}

/** The search parameter of a type's record date (what a consent period is compared with). */
export const recordDateParam: Readonly<Record<string, string>> = {
  Observation: 'date',
  Condition: 'recorded-date',
  MedicationRequest: 'authoredon',
  Immunization: 'date',
  AllergyIntolerance: 'date',
  Encounter: 'date',
  Procedure: 'date',
  DiagnosticReport: 'date',
  DocumentReference: 'date',
};

/** A resource's record date (FHIR date/dateTime), or undefined when it has none. */
export function recordDate(resource: FhirResource): string | undefined {
  const param = recordDateParam[resource.resourceType];
  return param ? sortValue(resource, param) || undefined : undefined;
}

/** Does a resource match every `code=value` filter (each value may OR with commas)? */
export function matchesAll(resource: FhirResource, filters: readonly { code: string; value: string }[]): boolean {
  const defs = searchParams[resource.resourceType] ?? {};
  return filters.every((f) => {
    const def = defs[f.code];
    return def !== undefined && matches(def, resource, f.value);
  });
}
