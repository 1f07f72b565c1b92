import { describe, expect, it } from 'vitest';
import { parseConsentInput, type ConsentInput } from './consent-input.ts';

const ctx = { hospitalIds: ['north', 'south'], callerReference: 'Person/p1' };
const valid: ConsentInput = { scope: 'PATIENT_PRIVACY', actor: 'Practitioner/pr-1', resourceTypes: ['Observation', 'Condition', 'Observation'], hospitals: ['north'], periodStart: '2020-01-01', periodEnd: '2024-12-31' };

function reason(input: Partial<ConsentInput>): unknown {
  try {
    parseConsentInput({ ...valid, ...input }, ctx);
  } catch (err) {
    return (err as { extensions: Record<string, unknown> }).extensions;
  }
  throw new Error('expected the input to be refused');
}

describe('consent input', () => {
  it('accepts a sharing consent, without duplicates', () => {
    expect(parseConsentInput(valid, ctx)).toEqual({ scope: 'patient-privacy', actor: 'Practitioner/pr-1', resourceTypes: ['Observation', 'Condition'], hospitals: ['north'], periodStart: '2020-01-01', periodEnd: '2024-12-31' });
  });

  it('accepts a research consent with no actor and an open period', () => {
    expect(parseConsentInput({ scope: 'RESEARCH', resourceTypes: ['Observation'], hospitals: ['north', 'south'] }, ctx)).toMatchObject({ scope: 'research', actor: undefined, periodStart: undefined });
  });

  it.each([
    [{ hospitals: ['atlantis'] }, 'input.hospitals', 'UNKNOWN_HOSPITAL'],
    [{ hospitals: [] }, 'input.hospitals', 'EMPTY'],
    [{ resourceTypes: ['Spaceship'] }, 'input.resourceTypes', 'UNKNOWN_RESOURCE_TYPE'],
    [{ resourceTypes: [] }, 'input.resourceTypes', 'EMPTY'],
    [{ periodStart: '2024-02-30' }, 'input.periodStart', 'INVALID_DATE'],
    [{ periodEnd: 'yesterday' }, 'input.periodEnd', 'INVALID_DATE'],
    [{ periodStart: '2024-06-01', periodEnd: '2024-05-31' }, 'input.periodEnd', 'PERIOD_ENDS_BEFORE_START'],
    [{ actor: 'Patient/p2' }, 'input.actor', 'INVALID_ACTOR'],
    [{ actor: 'Practitioner/../../x' }, 'input.actor', 'INVALID_ACTOR'],
    [{ actor: null }, 'input.actor', 'ACTOR_REQUIRED'],
    [{ actor: 'Person/p1' }, 'input.actor', 'SELF_GRANT'],
    [{ scope: 'RESEARCH' as const }, 'input.actor', 'ACTOR_NOT_ALLOWED'],
  ])('refuses %j with a stable code', (input, field, why) => {
    expect(reason(input)).toEqual({ code: 'BAD_USER_INPUT', field, reason: why });
  });
});
