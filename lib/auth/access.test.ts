import { describe, expect, it } from 'vitest';
import { accessOf, callerKind, canRead, readableTypes, scopeFilters } from './access.ts';
import type { Caller } from './access-token.ts';

const caller = (over: Partial<Caller>): Caller => ({
  subject: 's', clientId: 'portal', scopes: [], fhirUser: 'Person/p', organization: undefined, token: 't', expiresAt: 0, ...over,
});
const LAB = 'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory';

describe('caller kind', () => {
  it('is read from fhirUser, or a client-credentials token', () => {
    expect(callerKind(caller({ fhirUser: 'Person/p' }))).toBe('patient');
    expect(callerKind(caller({ fhirUser: 'Practitioner/x' }))).toBe('practitioner');
    expect(callerKind(caller({ fhirUser: undefined, subject: 'analytics', clientId: 'analytics' }))).toBe('service');
    expect(callerKind(caller({ fhirUser: undefined, subject: 'someone', clientId: 'portal' }))).toBeUndefined();
    expect(callerKind(caller({ fhirUser: 'RelatedPerson/r' }))).toBeUndefined();
  });
});

describe('what scopes allow', () => {
  it('uses only the scopes of the caller’s own context', () => {
    const a = accessOf(caller({ scopes: ['user/*.rs', 'system/*.rs', 'patient/Observation.rs'] }))!;
    expect(canRead(a, 'Observation')).toBe(true);
    expect(canRead(a, 'Condition')).toBe(false);
    expect(readableTypes(a)).toEqual(['Observation']);
  });

  it('treats v1 and v2 alike, and wildcards as every type', () => {
    const v1 = accessOf(caller({ scopes: ['patient/*.read'] }))!;
    const v2 = accessOf(caller({ scopes: ['patient/*.rs'] }))!;
    for (const a of [v1, v2]) expect([canRead(a, 'Condition'), canRead(a, 'Patient')]).toEqual([true, true]);
  });

  it('narrows with granular scopes, ORs alternatives, and lets a plain scope win', () => {
    const lab = accessOf(caller({ scopes: [`patient/Observation.rs?${LAB}`] }))!;
    expect(canRead(lab, 'Observation')).toBe(true);
    expect(scopeFilters(lab, 'Observation')).toEqual([[{ code: 'category', value: 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory' }]]);
    const both = accessOf(caller({ scopes: [`patient/Observation.rs?${LAB}`, 'patient/Observation.rs?category=vital-signs'] }))!;
    expect(scopeFilters(both, 'Observation')).toHaveLength(2);
    const plain = accessOf(caller({ scopes: [`patient/Observation.rs?${LAB}`, 'patient/*.rs'] }))!;
    expect(scopeFilters(plain, 'Observation')).toBeUndefined();
  });

  it('gives nothing for a granular filter it cannot check on each record', () => {
    const a = accessOf(caller({ scopes: ['patient/Observation.rs?performer=Practitioner/x'] }))!;
    expect(canRead(a, 'Observation')).toBe(false);
    expect(readableTypes(a)).toEqual([]);
  });
});
