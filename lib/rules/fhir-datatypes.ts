import { fields, reached, type RuleMap } from './common.ts';

/**
 * Rules of the shared value types (schema/fhir-datatypes.graphql). Reaching a value
 * means its parent field's rule allowed it, so each field is `reached`; they are still
 * listed one by one so that a field added to a type stays closed until added here.
 */
export const datatypeRules: RuleMap = {
  Coding: fields(reached, 'system', 'version', 'code', 'display', 'userSelected'),
  CodeableConcept: fields(reached, 'coding', 'text'),
  Quantity: fields(reached, 'value', 'comparator', 'unit', 'system', 'code'),
  Period: fields(reached, 'start', 'end'),
  Identifier: fields(reached, 'use', 'type', 'system', 'value', 'period'),
  HumanName: fields(reached, 'use', 'text', 'family', 'given', 'prefix', 'suffix', 'period'),
  ContactPoint: fields(reached, 'system', 'value', 'use', 'rank', 'period'),
  Address: fields(reached, 'use', 'type', 'text', 'line', 'city', 'district', 'state', 'postalCode', 'country', 'period'),
  Range: fields(reached, 'low', 'high'),
  Ratio: fields(reached, 'numerator', 'denominator'),
  SampledData: fields(reached, 'origin', 'period', 'factor', 'lowerLimit', 'upperLimit', 'dimensions', 'data'),
  Attachment: fields(reached, 'contentType', 'language', 'url', 'size', 'hash', 'title', 'creation'),
  Meta: fields(reached, 'versionId', 'lastUpdated', 'source'),
  Annotation: fields(reached, 'authorString', 'time', 'text'),
  Hospital: fields(reached, 'id', 'name'),
};
