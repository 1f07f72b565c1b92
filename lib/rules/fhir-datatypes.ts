import { fields, signedIn, type RuleMap } from './common.ts';

/**
 * Rules of the shared value types (schema/fhir-datatypes.graphql). Reaching a value
 * means its parent field's rule allowed it, so each field only needs a caller; they are
 * still listed one by one so that a field added to a type stays closed until added here.
 */
export const datatypeRules: RuleMap = {
  Coding: fields(signedIn, 'system', 'version', 'code', 'display', 'userSelected'),
  CodeableConcept: fields(signedIn, 'coding', 'text'),
  Quantity: fields(signedIn, 'value', 'comparator', 'unit', 'system', 'code'),
  Period: fields(signedIn, 'start', 'end'),
  Identifier: fields(signedIn, 'use', 'type', 'system', 'value', 'period'),
  HumanName: fields(signedIn, 'use', 'text', 'family', 'given', 'prefix', 'suffix', 'period'),
  ContactPoint: fields(signedIn, 'system', 'value', 'use', 'rank', 'period'),
  Address: fields(signedIn, 'use', 'type', 'text', 'line', 'city', 'district', 'state', 'postalCode', 'country', 'period'),
  Range: fields(signedIn, 'low', 'high'),
  Ratio: fields(signedIn, 'numerator', 'denominator'),
  SampledData: fields(signedIn, 'origin', 'period', 'factor', 'lowerLimit', 'upperLimit', 'dimensions', 'data'),
  Attachment: fields(signedIn, 'contentType', 'language', 'url', 'size', 'hash', 'title', 'creation'),
  Meta: fields(signedIn, 'versionId', 'lastUpdated', 'source'),
  Annotation: fields(signedIn, 'authorString', 'time', 'text'),
  Hospital: fields(signedIn, 'id', 'name'),
};
