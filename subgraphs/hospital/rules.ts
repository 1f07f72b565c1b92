import { directIdentifier, federationRules, fields, readsType, serviceTypeRules, signedIn, type RuleMap } from '../../lib/rules/common.ts';
import { datatypeRules } from '../../lib/rules/fhir-datatypes.ts';

/**
 * graphql-shield rules of a hospital subgraph, one per field (fallback: deny).
 * A list field needs a read scope for its resource type in the caller's own context;
 * the fields inside a resource are then open, except direct identifiers for services.
 */
export function hospitalRules(chartTypeName: string): RuleMap {
  return {
    ...datatypeRules,
    ...serviceTypeRules,
    Query: federationRules,
    [chartTypeName]: {
      grant: signedIn,
      hospital: signedIn,
      patient: readsType('Patient'),
      observations: readsType('Observation'),
      conditions: readsType('Condition'),
    },
    Patient: {
      ...fields(signedIn, 'meta', 'active', 'gender', 'deceasedBoolean', 'birthYear'),
      ...fields(directIdentifier, 'id', 'identifier', 'name', 'telecom', 'birthDate', 'deceasedDateTime', 'address'),
    },
    Observation: fields(
      signedIn,
      'id', 'meta', 'status', 'category', 'code', 'effectiveDateTime', 'effectivePeriod', 'effectiveInstant', 'issued',
      'valueQuantity', 'valueCodeableConcept', 'valueString', 'valueBoolean', 'valueInteger', 'valueDateTime', 'valuePeriod',
      'dataAbsentReason', 'interpretation', 'note',
    ),
    Condition: fields(
      signedIn,
      'id', 'meta', 'clinicalStatus', 'verificationStatus', 'category', 'severity', 'code', 'onsetDateTime', 'onsetPeriod',
      'onsetString', 'abatementDateTime', 'abatementPeriod', 'abatementString', 'recordedDate', 'note',
    ),
  };
}
