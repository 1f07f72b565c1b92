import { callerIs, federationRules, fields, reached, serviceTypeRules, signedIn, type RuleMap } from '../../lib/rules/common.ts';
import { datatypeRules } from '../../lib/rules/fhir-datatypes.ts';

const patient = callerIs('patient');
const practitioner = callerIs('practitioner');
const service = callerIs('service');

/**
 * graphql-shield rules of the consent subgraph, one per field (fallback: deny). The chart
 * stubs carry only the grant the gateway forwards to the hospital that owns the type.
 */
export const consentRules = (chartTypeNames: readonly string[]): RuleMap => ({
  ...datatypeRules,
  ...Object.fromEntries(chartTypeNames.map((name) => [name, { grant: signedIn }])),
  ...serviceTypeRules,
  Query: { ...federationRules, me: patient, sharedWithMe: practitioner, person: practitioner, researchCohort: service },
  Mutation: { grantConsent: patient, updateConsent: patient, revokeConsent: patient },
  Person: {
    id: callerIs('patient', 'practitioner'),
    pseudonym: service,
    charts: signedIn,
    consents: callerIs('patient', 'practitioner'),
    accessLog: patient,
  },
  Consent: fields(reached, 'id', 'status', 'scope', 'dateTime', 'patient', 'provision'),
  ConsentProvision: fields(reached, 'type', 'actor', 'class', 'period', 'hospitals'),
  AuditEvent: fields(reached, 'id', 'action', 'recorded', 'outcome', 'outcomeDesc', 'purposeOfEvent', 'agent', 'entity'),
  ActorReference: fields(reached, 'reference', 'type', 'display'),
  AuditEventAgent: fields(reached, 'who', 'client', 'requestor'),
  AuditEventEntity: fields(reached, 'what', 'hospital', 'resourceTypes'),
});
