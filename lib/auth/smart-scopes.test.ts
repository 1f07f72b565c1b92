import { describe, expect, it } from 'vitest';
import { parseScope, parseScopes } from './smart-scopes.ts';

const perms = (s: string) => [...(parseScope(s)?.permissions ?? [])].sort().join('');

describe('SMART scopes', () => {
  it('parses v2 scopes', () => {
    expect(parseScope('patient/Observation.rs')).toMatchObject({ context: 'patient', resourceType: 'Observation', filters: [] });
    expect(perms('patient/Observation.rs')).toBe('rs');
    expect(perms('user/Condition.cruds')).toBe('cdrsu');
    expect(parseScope('system/*.r')?.resourceType).toBe('*');
  });

  it('normalizes v1 to v2: .read = .rs, .write = .cud, .* = .cruds', () => {
    expect(perms('patient/Observation.read')).toBe(perms('patient/Observation.rs'));
    expect(perms('user/*.write')).toBe('cdu');
    expect(perms('system/*.*')).toBe('cdrsu');
  });

  it('parses granular filters', () => {
    const s = parseScope('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory');
    expect(s?.filters).toEqual([{ code: 'category', value: 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory' }]);
  });

  it.each([
    'openid', 'fhirUser', 'launch/patient', 'patient/Observation', 'patient/observation.rs', 'admin/*.rs',
    'patient/Observation.sr', 'patient/Observation.rr', 'patient/Observation.x', 'patient/Observation.', 'patient/*.read?category=x',
    'patient/Observation.rs?', 'patient/Observation.rs?category', 'patient/Observation.rs?=x', ' patient/*.rs', 'patient/*.rs ',
  ])('ignores the malformed or non-resource scope %j', (scope) => {
    expect(parseScope(scope)).toBeUndefined();
  });

  it('never widens: malformed scopes drop out, well-formed ones keep their context', () => {
    const scopes = parseScopes(['patient/*.rs', 'user/*.bogus', 'system/Observation.read']);
    expect(scopes.map((s) => `${s.context}/${s.resourceType}`)).toEqual(['patient/*', 'system/Observation']);
  });
});
