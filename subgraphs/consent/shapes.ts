import type { HospitalConfig } from '../../lib/config.ts';
import type { AuditPurpose, AuditRecord, ConsentRecord } from './consent-store.ts';

/** Stored records as the GraphQL types (FHIR Consent and AuditEvent shapes) present them. */

const hospitalOf = (hospitals: readonly HospitalConfig[], id: string) => {
  const h = hospitals.find((x) => x.id === id);
  // A hospital removed from the config since still shows, by id.
  return { id, name: h?.name ?? id };
};

export function consentShape(c: ConsentRecord, hospitals: readonly HospitalConfig[]) {
  return {
    id: c.id,
    status: c.status === 'active' ? 'ACTIVE' : 'INACTIVE',
    scope: c.scope === 'research' ? 'RESEARCH' : 'PATIENT_PRIVACY',
    dateTime: c.dateTime.toISOString(),
    patient: { reference: `Person/${c.personId}`, type: 'Person' },
    provision: {
      type: 'permit',
      actor: c.actor ? [{ reference: c.actor, type: c.actor.split('/')[0] }] : [],
      class: c.resourceTypes,
      period: c.periodStart || c.periodEnd ? { start: c.periodStart ?? null, end: c.periodEnd ?? null } : null,
      hospitals: c.hospitals.map((id) => hospitalOf(hospitals, id)),
    },
  };
}

/** v3 ActReason codes for AuditEvent.purposeOfEvent. */
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const purposeCoding: Record<AuditPurpose, { code: string; display: string }> = {
  'patient-access': { code: 'PATRQT', display: 'patient requested' },
  treatment: { code: 'TREAT', display: 'treatment' },
  research: { code: 'HRESCH', display: 'healthcare research' },
};

export function auditShape(e: AuditRecord, hospitals: readonly HospitalConfig[]) {
  const purpose = purposeCoding[e.purpose];
  return {
    id: e.id,
    action: 'R',
    recorded: e.recorded.toISOString(),
    outcome: e.outcome,
    outcomeDesc: e.outcomeDesc ?? null,
    purposeOfEvent: [{ coding: [{ system: ACT_REASON, ...purpose }], text: purpose.display }],
    agent: [{ who: { reference: e.agent, type: e.agent.split('/')[0] }, client: e.clientId ?? null, requestor: true }],
    entity: [{ what: { reference: `Person/${e.personId}`, type: 'Person' }, hospital: e.hospitalId ? hospitalOf(hospitals, e.hospitalId) : null, resourceTypes: e.resourceTypes }],
  };
}
